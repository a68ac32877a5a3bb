"""/media/ on a single machine: the app serves the local media files, with
DEBUG off, safely (news/public/media.py, news/media/serving.py)."""

import os

import pytest

from news.media import images

from .factories import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings):
    settings.DEBUG = False
    data = image_bytes(size=(64, 48))
    image, _ = images.store(data, alt="A picture")
    return image, data


def body(response):
    return b"".join(response.streaming_content)


def test_an_image_is_served_with_immutable_caching_and_nosniff(client, stored):
    image, data = stored
    response = client.get(f"/media/{image.file.name}")
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(data))
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"].startswith("inline")


def test_a_known_file_is_not_modified(client, stored):
    image, _ = stored
    first = client.get(f"/media/{image.file.name}")
    again = client.get(
        f"/media/{image.file.name}", headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("header", "part"),
    [
        ("bytes=0-9", slice(0, 10)),
        ("bytes=10-", slice(10, None)),
        ("bytes=-5", slice(-5, None)),
    ],
)
def test_a_range_is_answered_with_206_and_those_bytes(client, stored, header, part):
    image, data = stored
    response = client.get(f"/media/{image.file.name}", headers={"Range": header})
    assert response.status_code == 206
    assert body(response) == data[part]
    start = range(len(data))[part]
    assert response["Content-Range"] == f"bytes {start[0]}-{start[-1]}/{len(data)}"
    assert response["Content-Length"] == str(len(data[part]))


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{end}", "bytes=-0"])
def test_a_range_past_the_end_is_416(client, stored, header):
    image, data = stored
    header = header.format(size=len(data), end=len(data) + 10)
    response = client.get(f"/media/{image.file.name}", headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"


def test_several_ranges_or_a_garbled_one_get_the_whole_file(client, stored):
    image, data = stored
    for header in ["bytes=0-1,4-5", "pages=1-2", "bytes=5-2"]:
        response = client.get(f"/media/{image.file.name}", headers={"Range": header})
        assert response.status_code == 200
        assert body(response) == data


@pytest.mark.parametrize(
    "path",
    [
        "/media/../cms/settings.py",
        "/media/images/../../../etc/passwd",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/..%2f..%2fetc%2fpasswd",
        "/media//etc/passwd",
        "/media/images\\..\\..\\etc\\passwd",
        "/media/outside.txt",
        "/media/images/.tmp-0123-photo.png",
        "/media/images/",
        "/media/images",
        "/media/nothing.png",
    ],
)
def test_nothing_outside_the_media_files_is_served(client, stored, media_root, path):
    # A symlink from inside the root to a file outside it.
    secret = media_root.parent / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, media_root / "outside.txt")
    (media_root / "images" / ".tmp-0123-photo.png").write_bytes(b"partial")
    response = client.get(path)
    assert response.status_code == 404
    assert b"secret" not in response.content


@pytest.mark.parametrize(
    "name", ["page.html", "drawing.svgz", "notes.txt", "script.js", "page.htm"]
)
def test_files_that_a_browser_would_run_are_downloads_in_a_sandbox(
    client, settings, media_root, name
):
    settings.DEBUG = False
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / name).write_text("<script>alert(document.cookie)</script>")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=300"


def test_an_article_shows_images_the_server_serves(client, stored, settings):
    from .factories import make_post

    image, _ = stored
    make_post(title="With picture", banner=image)
    page = client.get("/news/with-picture/").content.decode()
    import re

    urls = set(re.findall(r'(/media/[^" ,]+)', page))
    assert urls
    for url in urls:
        assert client.get(url).status_code == 200, url
