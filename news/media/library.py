"""The media library: finding images, where each is used, replacing a file.

An Image is what posts, authors and categories refer to, so replacing its file
keeps the row (and every reference to it) and changes what the row holds: the
new file is validated as an upload is (news.media.uploads), stored under its
own content hash, its renditions are made again and the posts that show it are
rendered again.
"""

import contextlib
import posixpath
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from ..models import Author, Category, Image, Post, PostImage
from . import images, renditions, social, uploads

USED = "used"
UNUSED = "unused"
VECTOR = "vector"
RASTER = "raster"
# The narrowest rendition at least this wide is a grid's thumbnail.
THUMBNAIL_WIDTH = 160


def with_use(queryset):
    """Annotate ``queryset`` of images with ``in_use``: whether any post,
    author or category refers to the image."""
    return queryset.annotate(
        in_use=Exists(PostImage.objects.filter(image=OuterRef("pk")))
        | Exists(Post.objects.filter(banner=OuterRef("pk")))
        | Exists(Author.objects.filter(avatar=OuterRef("pk")))
        | Exists(Category.objects.filter(image=OuterRef("pk")))
    )


def find(queryset, *, text="", use="", kind=""):
    """Return the images of ``queryset`` whose alt text, caption, credit or
    file name hold ``text``, used or not (``use``: USED, UNUSED or empty),
    vector or raster (``kind``: VECTOR, RASTER or empty)."""
    found = with_use(queryset)
    for word in text.split():
        found = found.filter(
            Q(alt__icontains=word)
            | Q(caption__icontains=word)
            | Q(credit__icontains=word)
            | Q(original_name__icontains=word)
            | Q(file__icontains=word)
        )
    if use == USED:
        found = found.filter(in_use=True)
    elif use == UNUSED:
        found = found.filter(in_use=False)
    vector = Q(file__iendswith=".svg")
    if kind == VECTOR:
        found = found.filter(vector)
    elif kind == RASTER:
        found = found.exclude(vector)
    return found


def thumbnail_url(image):
    """Return the URL of a small picture of ``image``: its narrowest rendition
    at least THUMBNAIL_WIDTH wide (WebP first), else the widest there is; an
    SVG, or an image with no renditions yet, is shown as its own file."""
    made = sorted(image.renditions.all(), key=lambda r: (r.format != "webp", r.width))
    if not made:
        return image.file.url
    wide = [r for r in made if r.width >= THUMBNAIL_WIDTH]
    return (wide[0] if wide else made[-1]).file.url


@dataclass(frozen=True)
class Use:
    """One place an image is shown: ``what`` (a post, author or category),
    and ``how`` (banner, in the body, avatar, category image)."""

    what: object
    how: str


def uses(image):
    """Return every place ``image`` is shown, posts first, then authors and
    categories, each once per way it is used."""
    found = [
        Use(post, "banner")
        for post in Post.objects.filter(banner=image).order_by("title")
    ]
    found += [
        Use(post, "in the body")
        for post in Post.objects.filter(image_links__image=image)
        .distinct()
        .order_by("title")
    ]
    found += [
        Use(author, "avatar")
        for author in Author.objects.filter(avatar=image).order_by("name")
    ]
    found += [
        Use(category, "category image")
        for category in Category.objects.filter(image=image).order_by("name")
    ]
    return found


def check_replacement(image, data, *, name=""):
    """Return the ImageInfo of ``data`` if it may replace ``image``'s file:
    an accepted image (news.media.uploads.check) that is not already another
    image of the library. Else raise uploads.UploadRefused saying why."""
    info = uploads.check(data, name=name)
    other = (
        Image.objects.filter(sha256=images.sha256(data)).exclude(pk=image.pk).first()
    )
    if other is not None:
        raise uploads.UploadRefused(
            f"{name or 'This file'} is already in the library, "
            f"as “{other.alt or 'an image with no alt text'}”."
        )
    return info


def replace(image, data, *, name=""):
    """Make ``image`` hold ``data`` in place of its file, keeping the row and
    so every reference to it. Raise uploads.UploadRefused for a file that is
    not an accepted image or is already another library image, and
    uploads.StorageError when the storage fails. Return ``image``."""
    info = check_replacement(image, data, name=name)
    digest = images.sha256(data)
    if digest == image.sha256:
        return image
    old_file = image.file.name
    old_renditions = list(image.renditions.all())
    # Its link-preview crop at the current focal point goes with the file.
    old_crop = social.crop_name(image)
    stored = images.write(images.storage_name(digest, info.format), data, digest)
    with transaction.atomic():
        image.renditions.all().delete()
        image.sha256 = digest
        image.width, image.height = info.width, info.height
        image.plain = info.plain
        image.file.name = stored
        image.original_name = posixpath.basename(name.replace("\\", "/"))[:255]
        image.save(
            update_fields=[
                "sha256",
                "width",
                "height",
                "plain",
                "file",
                "original_name",
            ]
        )

        def forget():
            for gone in [old_file, old_crop, *(r.file.name for r in old_renditions)]:
                with contextlib.suppress(images.STORAGE_ERRORS):
                    default_storage.delete(gone)

        transaction.on_commit(forget)
    # New renditions, and the posts that show the image rendered with them.
    renditions.make([image.pk])
    return image
