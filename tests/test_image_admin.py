"""The Image admin's "Add image" takes the same path into storage as an import
or an upload from the post form: validated, named by content, whole."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from news.models import Image

from .factories import image_bytes, make_user

pytestmark = pytest.mark.django_db

ADD = "/admin/news/image/add/"


def files_under(root):
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )


@pytest.fixture
def author(client):
    user = make_user("ann", "Authors")
    client.force_login(user)
    return user


def upload(data, name="photo.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_adding_a_png_stores_it_by_its_hash_with_its_size(client, author, media_root):
    data = image_bytes(size=(40, 30))
    response = client.post(
        ADD, {"upload": upload(data), "alt": "A red square", "caption": "Red"}
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height, image.alt, image.caption) == (
        40,
        30,
        "A red square",
        "Red",
    )
    assert image.file.name == f"images/{image.sha256[:2]}/{image.sha256}.png"
    assert (media_root / image.file.name).read_bytes() == data
    assert files_under(media_root) == [image.file.name]
    page = client.get(f"/admin/news/image/{image.pk}/change/")
    assert page.status_code == 200
    # People know an image by its alt text and size, never by its hash.
    shown = page.content.decode()
    assert "A red square" in shown and "40×30 PNG" in shown
    assert f">{image.sha256}<" not in shown and "Sha256" not in shown


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (image_bytes("BMP"), {"alt": "A bitmap"}, "BMP images are not accepted"),
        (b"<svg onload='alert(1)'/>", {"alt": "An SVG"}, "not a recognised image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            {"alt": "An SVG"},
            "photo.png: unsafe SVG: an event attribute",
        ),
        (image_bytes(), {"alt": " "}, "alt text is required"),
    ],
)
def test_a_refused_image_is_named_and_leaves_nothing(
    client, author, media_root, data, fields, message
):
    response = client.post(ADD, {"upload": upload(data), **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Image.objects.exists()
    assert files_under(media_root) == []


def test_an_image_too_large_to_upload_is_refused_before_reading(
    client, author, media_root, settings, monkeypatch
):
    from news.media import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 100)
    response = client.post(ADD, {"upload": upload(image_bytes(size=(200, 200)))})
    assert "The image is too large" in response.content.decode()
    assert files_under(media_root) == []
