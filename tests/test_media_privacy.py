"""Readers get images without their metadata: an imported JPEG's EXIF (GPS
included), XMP and comment stay in the stored original, for export, and in no
file that a page links."""

import io
import json
import re
from html import unescape

import pytest
from PIL import ExifTags
from PIL import Image as PILImage

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer

from .factories import read_tree, write_tree

pytestmark = pytest.mark.django_db

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 22.0, 7.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 53.0, 41.0),
}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">where-i-live</x:xmpmeta>'


def jpeg_with_metadata(size=(800, 500), orientation=6):
    """A landscape JPEG stored sideways: shown, it is portrait."""
    img = PILImage.new("RGB", size, (200, 40, 40))
    img.paste((40, 40, 200), (0, 0, size[0] // 4, size[1]))  # the left edge blue
    exif = img.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif, xmp=XMP, comment=b"home address", quality=90)
    data = buffer.getvalue()
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def linked_urls(page):
    found = set(re.findall(r'(?:src|content|href)="([^"]+)"', page))
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        found.update(c.strip().split(" ")[0] for c in srcset.split(","))
    for block in re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', page
    ):
        found.update(json.loads(block).get("image", []))
    return {unescape(u) for u in found if "/media/" in u}


def test_served_images_carry_no_metadata_and_export_keeps_the_original(
    client, tmp_path, settings
):
    settings.DEBUG = False
    original = jpeg_with_metadata()
    tree = write_tree(
        tmp_path / "site",
        {
            "trip.md": "---\ntitle: Trip\ndate: 2024-05-01\nbanner: img/home.jpg\n"
            "---\n\n![the view](img/home.jpg)\n",
            "img/home.jpg": original,
        },
    )
    assert Importer().run([tree]).created == 1

    page = client.get("/news/trip/").content.decode()
    urls = linked_urls(page)
    assert any("og:image" in line and "/media/" in line for line in page.splitlines())
    assert len(urls) > 4, urls
    for url in urls:
        assert "/media/images/" not in url, f"the original is linked: {url}"
        path = url[url.index("/media/") :]
        response = client.get(path)
        assert response.status_code == 200, url
        data = b"".join(response.streaming_content)
        for marker in (
            b"Exif\x00\x00",
            b"where-i-live",
            b"home address",
            b"PhoneMaker",
        ):
            assert marker not in data, (url, marker)
        img = PILImage.open(io.BytesIO(data))
        assert not img.getexif(), url
        assert not {"exif", "xmp", "comment"} & set(img.info), url
        # The orientation is applied: portrait, with the blue edge on top.
        assert img.height > img.width, url
        r, g, b = img.convert("RGB").getpixel((img.width // 2, 2))
        assert b > r, url

    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out")["img/home.jpg"] == original
