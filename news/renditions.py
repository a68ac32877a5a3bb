"""Resized copies of images for responsive pages: several widths, WebP and a
fallback format, kept in the default storage.

``ensure(image)`` makes whatever renditions an image lacks and is cheap when it
lacks none; call it at upload or import time. Pages call ``picture(image)``,
which makes missing renditions on first use. Each (image, width, format) is made
once: a unique constraint settles races, and the loser deletes its file.
"""

import io
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image as PILImage

from .models import Rendition

logger = logging.getLogger(__name__)
WIDTHS = (320, 640, 960, 1280, 1920)
Format = Rendition.Format
EXTENSIONS = {Format.WEBP: "webp", Format.JPEG: "jpg", Format.PNG: "png"}
MIME_TYPES = {
    Format.WEBP: "image/webp",
    Format.JPEG: "image/jpeg",
    Format.PNG: "image/png",
}
# WebP for browsers that take it; the fallback keeps the original's kind, so
# transparent PNG and GIF stay transparent. PNG is not optimize=True: on the
# openEuler corpus that took 4x as long (42 s against 11 s) to save 1%.
SAVE_OPTIONS = {
    Format.WEBP: {"format": "WEBP", "quality": 80, "method": 4},
    Format.JPEG: {
        "format": "JPEG",
        "quality": 82,
        "optimize": True,
        "progressive": True,
    },
    Format.PNG: {"format": "PNG", "compress_level": 6},
}


@dataclass(frozen=True)
class Picture:
    """What a template needs to show an image responsively."""

    src: str
    width: int
    height: int
    alt: str
    webp_srcset: str
    srcset: str
    type: str


def fallback_format(image):
    return (
        Format.JPEG
        if image.file.name.lower().endswith((".jpg", ".jpeg"))
        else Format.PNG
    )


def widths(image):
    """Return the widths to make for ``image``: never wider than the original,
    which is included itself when it is narrower than the widest."""
    sizes = [width for width in WIDTHS if width < image.width]
    if image.width <= WIDTHS[-1]:
        sizes.append(image.width)
    return sizes


def wanted(image):
    return [
        (width, fmt)
        for fmt in (Format.WEBP, fallback_format(image))
        for width in widths(image)
    ]


def ensure(image):
    """Make the renditions ``image`` lacks; return all of them, narrowest first.

    Uses ``image.renditions`` as prefetched, so a page that prefetched them runs
    no query here once they exist.
    """
    have = {(r.width, r.format): r for r in image.renditions.all()}
    missing = [spec for spec in wanted(image) if spec not in have]
    if missing:
        with default_storage.open(image.file.name, "rb") as handle:
            source = PILImage.open(handle)
            source.load()
        for width, fmt in missing:
            have[width, fmt] = _make(image, source, width, fmt)
    return sorted(have.values(), key=lambda r: (r.format, r.width))


def storage_name(image, width, fmt):
    digest = image.sha256
    return f"renditions/{digest[:2]}/{digest}-{width}.{EXTENSIONS[fmt]}"


def _encode(source, width, height, fmt):
    img = source
    if fmt == Format.JPEG and img.mode != "RGB":
        img = img.convert("RGB")
    elif img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA")
    if (width, height) != img.size:
        img = img.resize((width, height), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    img.save(buffer, **SAVE_OPTIONS[fmt])
    return buffer.getvalue()


def _make(image, source, width, fmt):
    height = max(1, round(image.height * width / image.width))
    name = storage_name(image, width, fmt)
    # The name is derived from the content hash and the size, so a file already
    # there holds this rendition (left by a run that lost a race or rolled back).
    if default_storage.exists(name):
        saved = name
    else:
        data = _encode(source, width, height, fmt)
        saved = default_storage.save(name, ContentFile(data))
    try:
        with transaction.atomic():
            rendition = Rendition(image=image, width=width, height=height, format=fmt)
            rendition.file.name = saved
            rendition.save()
    except IntegrityError:
        # Another process made it first: keep theirs, drop our copy.
        rendition = Rendition.objects.get(image=image, width=width, format=fmt)
        if rendition.file.name != saved:
            default_storage.delete(saved)
    return rendition


def _srcset(renditions):
    return ", ".join(f"{r.file.url} {r.width}w" for r in renditions)


def picture(image):
    """Return a Picture for ``image``, making its renditions on first use.

    An image whose file cannot be read is shown as it is, without a srcset,
    rather than failing the page.
    """
    try:
        renditions = ensure(image)
    except OSError as exc:
        logger.warning("No renditions for image %s: %s", image.pk, exc)
        return Picture(
            src=image.file.url,
            width=image.width,
            height=image.height,
            alt=image.alt,
            webp_srcset="",
            srcset="",
            type="",
        )
    webp = [r for r in renditions if r.format == Format.WEBP]
    fallback = [r for r in renditions if r.format != Format.WEBP]
    largest = fallback[-1]
    return Picture(
        src=largest.file.url,
        width=image.width,
        height=image.height,
        alt=image.alt,
        webp_srcset=_srcset(webp),
        srcset=_srcset(fallback),
        type=MIME_TYPES[largest.format],
    )
