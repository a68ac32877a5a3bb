"""The media storage failing during an admin upload, or while a page makes a
rendition, gives a message or a page without it, never a 500."""

import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from news.models import Image

from .factories import image_bytes, make_image, make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_storage(settings, tmp_path):
    """A local storage whose root is a file: every write fails (OSError)."""
    (tmp_path / "not-a-folder").write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"location": tmp_path / "not-a-folder"},
        },
    }


@pytest.fixture
def author(client):
    user = make_user("ann", "Authors")
    client.force_login(user)
    return user


def test_adding_an_image_in_the_admin_with_the_storage_down_says_so(
    client, author, broken_storage
):
    response = client.post(
        "/admin/news/image/add/",
        {"upload": SimpleUploadedFile("a.png", image_bytes()), "alt": "A box"},
    )
    assert response.status_code == 200
    assert "The media storage is not available" in response.content.decode()
    assert not Image.objects.exists()


def test_uploading_from_the_post_form_with_the_storage_down_says_so(
    client, author, broken_storage
):
    response = client.post(
        reverse("admin:news_post_upload_image"),
        {"image": SimpleUploadedFile("a.png", image_bytes()), "alt": "A box"},
    )
    assert response.status_code == 503
    assert response.json() == {
        "error": "The media storage is not available, so the image was not "
        "saved. Try again in a few minutes."
    }
    assert not Image.objects.exists()


def test_a_page_whose_renditions_cannot_be_written_still_renders(
    client, media_root, caplog
):
    post = make_post(title="With banner", banner=make_image(size=(700, 350)))
    # Renditions cannot be written: their folder's name is taken by a file.
    (media_root / "renditions").write_text("")
    with caplog.at_level(logging.WARNING):
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    # Until its renditions exist, the banner is its original, which holds no
    # metadata, at its size; the task that could not write them failed.
    banner = re.search(r'<figure class="banner"><picture><img [^>]*>', page)[0]
    assert f'src="{post.banner.file.url}"' in banner
    assert 'width="700" height="350" alt="An image"' in banner
    assert "make_renditions_task state=FAILED" in caplog.text
