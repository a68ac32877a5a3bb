import io
import os

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from news.documents.importer import Importer
from news.media import images
from news.models import Image, Rendition

from .factories import image_bytes, write_tree

pytestmark = pytest.mark.django_db


def test_same_bytes_are_stored_once():
    data = image_bytes(size=(40, 30))
    first, created = images.store(data, alt="One")
    again, created_again = images.store(data, alt="Other")
    assert (created, created_again) == (True, False)
    assert again == first
    assert (first.width, first.height) == (40, 30)
    assert first.file.name == f"images/{first.sha256[:2]}/{first.sha256}.png"
    assert default_storage.open(first.file.name).read() == data
    assert Image.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a but not really", "not a recognised image file"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "unsafe SVG: an event attribute",
        ),
        (image_bytes("BMP"), "BMP images are not accepted"),
        (image_bytes("TIFF"), "TIFF images are not accepted"),
        (image_bytes()[:60], "damaged image"),
    ],
)
def test_invalid_images_are_refused(data, message):
    with pytest.raises(images.InvalidImage, match=message):
        images.store(data)
    assert not Image.objects.exists()


def test_pixel_cap_stops_decompression_bombs(settings):
    settings.NEWSDESK_MAX_IMAGE_PIXELS = 50 * 50
    with pytest.raises(images.InvalidImage, match="over the limit of 2,500"):
        images.store(image_bytes(size=(51, 50)))


def test_discard_removes_files_of_rolled_back_images():
    image, _ = images.store(image_bytes(color=(1, 1, 1)))
    name = image.file.name
    Image.objects.filter(pk=image.pk).delete()
    images.discard([image])
    assert not default_storage.exists(name)


def noisy_jpeg(size=(300, 200)):
    img = PILImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_truncated_image_is_refused_saying_so():
    data = noisy_jpeg()
    with pytest.raises(images.InvalidImage, match="truncated"):
        images.store(data[: len(data) * 2 // 3])
    assert not Image.objects.exists()


def test_a_truncated_image_is_a_warning_of_the_import_naming_it(tmp_path):
    data = noisy_jpeg()
    tree = write_tree(
        tmp_path / "site",
        {
            "story.md": "---\ntitle: Story\ndate: 2024-01-02\n---\n\n![cut](img/cut.jpg)\n",
            "img/cut.jpg": data[: len(data) // 2],
        },
    )
    report = Importer().run([tree])
    assert report.created == 1
    warnings = [str(p) for p in report.problems if p.level == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("story.md:")
    assert "img/cut.jpg" in warnings[0] and "truncated" in warnings[0]
    assert not Image.objects.exists()
    assert not Rendition.objects.exists()
