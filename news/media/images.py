"""Image validation and content-addressed storage.

Every image, from an import or an upload, enters through ``store()``: Pillow
checks the bytes against a format allowlist and a pixel cap (an SVG is checked
by news.media.svg instead), and identical bytes are stored once, named by their
SHA-256.
"""

import hashlib
import io
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import ExifTags, UnidentifiedImageError
from PIL import Image as PILImage

from ..models import Image
from . import svg

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "SVG": "svg"}
# How the media storage fails: the file system's errors, and S3's (botocore's
# connection and timeout errors, and the error responses of the server).
S3_ERRORS = (BotoCoreError, ClientError)
STORAGE_ERRORS = (OSError, *S3_ERRORS)

# EXIF orientations that turn the picture a quarter: width and height swap.
ROTATED = {5, 6, 7, 8}
# What Pillow may read from a file that says nothing about who made it, where
# or when: a file with anything else (EXIF, XMP, comments, text chunks) is not
# shown to readers as it is.
PLAIN_INFO = frozenset(
    [
        "dpi",
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "progressive",
        "progression",
        "adobe",
        "adobe_transform",
        "icc_profile",
        "transparency",
        "gamma",
        "srgb",
        "chromaticity",
        "duration",
        "loop",
        "background",
        "version",
        "interlace",
        "aspect",
        "lossless",
    ]
)

logger = logging.getLogger(__name__)


class InvalidImage(ValueError):
    """The bytes are not an image Newsdesk accepts."""


class StorageError(Exception):
    """The media storage could not be read or written; trying later may work."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    # No metadata: readers may be shown the file itself (see PLAIN_INFO).
    plain: bool = False


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def inspect(data):
    """Return the format and size of ``data``, or raise InvalidImage saying why."""
    if svg.looks_like_svg(data):
        return inspect_svg(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as img:
                info = ImageInfo(img.format, img.width, img.height)
                _check_allowed(info)
                img.verify()
            # verify() leaves the image unusable, and does not decode a JPEG:
            # open it again and decode it, which finds a truncated file (as
            # ImageFile.LOAD_TRUNCATED_IMAGES is off) before any rendition is
            # made from it.
            with PILImage.open(io.BytesIO(data)) as img:
                try:
                    img.load()
                except OSError as exc:
                    if "truncated" in str(exc):
                        raise InvalidImage(f"truncated image: {exc}") from exc
                    raise
                info = ImageInfo(info.format, *shown_size(img), plain=is_plain(img))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise InvalidImage(f"image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise InvalidImage("not a recognised image file") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidImage):
            raise
        raise InvalidImage(f"damaged image: {exc}") from exc
    return info


def inspect_svg(data):
    """Return the ImageInfo of the SVG ``data``, or raise InvalidImage saying
    why it is refused."""
    try:
        size = svg.inspect(data)
    except svg.SVGRefused as exc:
        raise InvalidImage(str(exc)) from exc
    _check_allowed(ImageInfo("SVG", size.width, size.height))
    return ImageInfo("SVG", size.width, size.height)


def _check_allowed(info):
    max_pixels = settings.NEWSDESK_MAX_IMAGE_PIXELS
    if info.format not in settings.NEWSDESK_IMAGE_FORMATS:
        raise InvalidImage(
            f"{info.format or 'unknown'} images are not accepted "
            f"(allowed: {', '.join(settings.NEWSDESK_IMAGE_FORMATS)})"
        )
    # An SVG has no pixels to decode, but the size it declares is the size
    # pages show it at: the same cap keeps that sane.
    if info.width * info.height > max_pixels:
        raise InvalidImage(
            f"image is {info.width}x{info.height} pixels, over the "
            f"limit of {max_pixels:,}"
        )


def is_vector(image):
    """Return whether the stored ``image`` is an SVG, shown as it is."""
    return image.file.name.lower().endswith(".svg")


def is_plain(img):
    """Return whether the loaded ``img`` carries nothing but pixels, colour
    and timing: no EXIF (so no orientation either), XMP or comment."""
    return not img.getexif() and set(img.info) <= PLAIN_INFO


def shown_size(img):
    """Return the width and height of ``img`` as shown: its EXIF orientation
    applied, as the renditions have it."""
    if img.getexif().get(ExifTags.Base.Orientation) in ROTATED:
        return img.height, img.width
    return img.width, img.height


def storage_name(digest, image_format):
    return f"images/{digest[:2]}/{digest}.{EXTENSIONS[image_format]}"


def find(digests):
    """Return the stored Images of ``digests``, by digest."""
    return {image.sha256: image for image in Image.objects.filter(sha256__in=digests)}


def store(data, *, alt="", digest=None, info=None, found=None, writes=None):
    """Return ``(image, created)`` for ``data``, storing it if it is new.

    ``digest`` and ``info``, when given, are ``sha256()`` and ``inspect()``
    of these very bytes, already made (by an import that read ahead).
    ``found``: ``find()``'s answer for this digest among others, looked up
    ahead. ``writes``: a Writes that writes the file of a new image while the
    caller goes on.

    The caller owns the transaction; if it rolls back, it should delete the
    stored file of every image that came back ``created``.
    """
    digest = digest or sha256(data)
    if found is None:
        found = find([digest])
    existing = found.get(digest)
    if existing is not None:
        name = write(existing.file.name, data, digest)
        if name != existing.file.name:
            existing.file.name = name
            existing.save(update_fields=["file"])
        return existing, False
    info = info or inspect(data)
    image = Image(
        sha256=digest,
        width=info.width,
        height=info.height,
        alt=alt,
        plain=info.plain,
    )
    image.file.name = storage_name(digest, info.format)
    if writes is None:
        image.file.name = write(image.file.name, data, digest)
        image.save()
    else:
        image.save()
        writes.add(image, data)
    return image, True


class Writes:
    """The files of new images, written on threads while the importer goes
    on with the rest of a file (``store(writes=...)``): most of the cost of
    storing a small image is ``os.fsync()``, which waits on the disk without
    holding the GIL.

    ``wait()`` before the transaction that holds the images' rows commits,
    so that no row is committed before its file is whole; ``drain()`` when
    it rolled back, before the files are discarded.
    """

    def __init__(self, threads=4):
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="newsdesk-store")
        self._pending = []

    def add(self, image, data):
        future = self._pool.submit(write, image.file.name, data, image.sha256)
        self._pending.append((image, future))

    def wait(self):
        """Wait for the files added since the last wait; return the images
        whose file went under another name than their row said (a name
        taken meanwhile), their rows updated. Raise StorageError once all
        have ended, if one failed."""
        pending, self._pending = self._pending, []
        moved, failed = [], None
        for image, future in pending:
            try:
                name = future.result()
            except StorageError as exc:
                failed = failed or exc
                continue
            if name != image.file.name:
                image.file.name = name
                image.save(update_fields=["file"])
                moved.append(image)
        if failed is not None:
            raise failed
        return moved

    def drain(self):
        """Wait for the files added since the last wait, whatever became of
        them."""
        pending, self._pending = self._pending, []
        for _, future in pending:
            future.exception()

    def close(self):
        self.drain()
        self._pool.shutdown()


def holds(name, data, digest):
    """Return whether the stored file ``name`` holds exactly ``data``."""
    if not default_storage.exists(name):
        return False
    if default_storage.size(name) != len(data):
        return False
    with default_storage.open(name, "rb") as handle:
        return sha256(handle.read()) == digest


def write(name, data, digest):
    """Store ``data`` (whose hash is ``digest``) as ``name``; return the name
    it is stored under.

    A file already there is kept only if it holds these very bytes: one left
    short by a full disk, or damaged since, is written again.
    """
    try:
        if holds(name, data, digest):
            return name
        if default_storage.exists(name):
            logger.warning("%s does not hold its content: writing it again", name)
            default_storage.delete(name)
        return default_storage.save(name, ContentFile(data))
    except STORAGE_ERRORS as exc:
        raise StorageError(f"the media storage could not store {name}: {exc}") from exc


def discard(images):
    """Delete the stored files of images whose rows were rolled back.

    When the storage is failing, the files stay: they are named by their
    content, so the next import that needs one reuses it.
    """
    for image in images:
        if not Image.objects.filter(sha256=image.sha256).exists():
            try:
                default_storage.delete(image.file.name)
            except STORAGE_ERRORS:
                logger.warning("could not delete %s", image.file.name, exc_info=True)
