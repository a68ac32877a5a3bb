import io
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from news import renditions
from news.models import Rendition

from .factories import make_image, make_post

pytestmark = pytest.mark.django_db


def opened(rendition):
    with default_storage.open(rendition.file.name) as handle:
        img = PILImage.open(io.BytesIO(handle.read()))
        img.load()
    return img


def test_makes_webp_and_jpeg_in_every_width_up_to_the_original():
    image = make_image(size=(1000, 500))
    made = renditions.ensure(image)
    assert {(r.format, r.width) for r in made} == {
        (fmt, width) for fmt in ("webp", "jpeg") for width in (320, 640, 960, 1000)
    }
    for rendition in made:
        img = opened(rendition)
        assert img.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
        assert img.size == (rendition.width, rendition.height)
        assert rendition.height == round(500 * rendition.width / 1000)
        assert rendition.file.name.startswith(f"renditions/{image.sha256[:2]}/")


def test_wide_images_stop_at_the_widest_rendition():
    image = make_image(size=(2400, 100))
    widths = {r.width for r in renditions.ensure(image)}
    assert widths == {320, 640, 960, 1280, 1920}


def test_small_images_get_their_own_width_only():
    image = make_image(size=(200, 100))
    assert {(r.format, r.width) for r in renditions.ensure(image)} == {
        ("webp", 200),
        ("jpeg", 200),
    }


def test_transparent_png_keeps_png_as_its_fallback():
    buffer = io.BytesIO()
    PILImage.new("RGBA", (400, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    from news import images

    image, _ = images.store(buffer.getvalue())
    made = renditions.ensure(image)
    assert {r.format for r in made} == {"webp", "png"}
    assert opened(made[0]).mode == "RGBA"


def test_renditions_are_made_once():
    image = make_image(size=(700, 400))
    first = renditions.ensure(image)
    with mock.patch.object(renditions, "_encode") as encode:
        second = renditions.ensure(image)
        renditions.picture(image)
    encode.assert_not_called()
    assert [r.pk for r in second] == [r.pk for r in first]
    assert Rendition.objects.filter(image=image).count() == len(first)


def test_a_lost_race_keeps_the_winners_rendition_and_drops_its_own_file(settings):
    image = make_image(size=(500, 300))
    source = PILImage.new("RGB", (500, 300))
    # Another process saved its file and row between our check and our insert.
    winner = Rendition(image=image, width=320, height=192, format="webp")
    winner.file.name = "renditions/elsewhere/winner.webp"
    winner.save()
    rendition = renditions._make(image, source, 320, "webp")
    assert rendition.pk == winner.pk
    assert not default_storage.exists(renditions.storage_name(image, 320, "webp"))
    assert Rendition.objects.filter(image=image).count() == 1


def test_an_existing_file_is_reused_not_duplicated():
    image = make_image(size=(500, 300))
    renditions.ensure(image)
    Rendition.objects.filter(image=image).delete()
    with mock.patch.object(renditions, "_encode") as encode:
        made = renditions.ensure(image)
    encode.assert_not_called()
    assert {r.file.name for r in made} == {
        renditions.storage_name(image, r.width, r.format) for r in made
    }


def test_picture_gives_srcsets_size_and_alt():
    image = make_image(size=(800, 400), alt="A chart")
    picture = renditions.picture(image)
    assert picture.width == 800 and picture.height == 400
    assert picture.alt == "A chart"
    assert picture.webp_srcset.endswith("-800.webp 800w")
    assert "-320.webp 320w" in picture.webp_srcset
    assert picture.srcset.endswith("-800.jpg 800w")
    assert picture.src.endswith("-800.jpg")
    assert picture.type == "image/jpeg"


def test_unreadable_image_is_shown_as_it_is():
    image = make_image(size=(800, 400))
    default_storage.delete(image.file.name)
    picture = renditions.picture(image)
    assert picture.src == image.file.url
    assert picture.srcset == "" and picture.webp_srcset == ""


def test_pages_make_missing_renditions_on_first_use(client):
    post = make_post(title="With banner", banner=make_image(size=(700, 350)))
    assert not Rendition.objects.exists()
    content = client.get(post.get_absolute_url()).content.decode()
    assert Rendition.objects.filter(image=post.banner).count() == 6
    assert 'loading="eager"' in content and 'fetchpriority="high"' in content
    home = client.get("/").content.decode()
    assert 'loading="lazy"' in home
    assert "-320.webp 320w" in home
    assert Rendition.objects.filter(image=post.banner).count() == 6
