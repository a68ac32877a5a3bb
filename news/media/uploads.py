"""Images uploaded from the post form, referenced from the Markdown body.

An upload is stored through news.media.images (validated, content-addressed) and
referenced as ``uploads/<sha256>.<ext>``. When the post is saved, ``link()``
records those references as the post's image links, so the renderer resolves
them and the exporter writes the files beside the post.
"""

import posixpath

from django.db.models import Q

from ..documents import markdown
from ..models import Image, Post
from ..models.relations import add_image_links
from . import images, renditions
from .images import StorageError  # noqa: F401 (what store() raises)

PREFIX = "uploads/"
# Uploads larger than this are refused before Pillow reads them.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# What an editor is told when the storage fails (the reason goes to the log).
STORAGE_DOWN = (
    "The media storage is not available, so the image was not saved. "
    "Try again in a few minutes."
)


class UploadRefused(ValueError):
    """The upload is not an accepted image, or it has no alt text."""


def store(data, *, alt, name=""):
    """Store uploaded ``data`` described by ``alt``; return ``(image, reference)``
    where reference is the Markdown to insert. ``name``, the uploaded file's,
    is named in the reason an image is refused."""
    alt = " ".join(alt.split())
    if not alt:
        raise UploadRefused("Describe the image: alt text is required.")
    try:
        image, created = images.store(data, alt=alt)
    except images.InvalidImage as exc:
        raise UploadRefused(f"{name}: {exc}" if name else str(exc)) from exc
    name = posixpath.basename(name.replace("\\", "/"))[:255]
    changed = []
    if not created and not image.alt:
        image.alt = alt
        changed.append("alt")
    if name and not image.original_name:
        image.original_name = name
        changed.append("original_name")
    if changed:
        image.save(update_fields=changed)
    label = alt.replace("[", "(").replace("]", ")")
    return image, f"![{label}]({key(image)})"


def check(data, *, name=""):
    """Return the ImageInfo of uploaded ``data`` if it is an accepted image
    (the checks store() makes), else raise UploadRefused naming ``name``."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"{name or 'The image'}: the image is too large.")
    try:
        return images.inspect(data)
    except images.InvalidImage as exc:
        raise UploadRefused(f"{name}: {exc}" if name else str(exc)) from exc


def key(image):
    """Return the reference an uploaded image goes by in Markdown."""
    return PREFIX + posixpath.basename(image.file.name)


def uploaded(keys):
    """Return the stored images that ``keys`` (upload references) name."""
    digests = {posixpath.splitext(k.removeprefix(PREFIX))[0]: k for k in keys}
    found = Image.objects.filter(sha256__in=digests)
    return {digests[image.sha256]: image for image in found}


def references(body):
    """Return the upload references in Markdown ``body``."""
    keys = (markdown.image_key(ref.src) for ref in markdown.image_references(body))
    return {k for k in keys if k and k.startswith(PREFIX)}


def link(post):
    """Record the uploads ``post``'s body refers to as its image links."""
    wanted = references(post.body)
    known = set(
        post.image_links.filter(Q(reference__in=wanted)).values_list(
            "reference", flat=True
        )
    )
    new = uploaded(wanted - known)
    add_image_links(post, [(key, image, "") for key, image in new.items()])


def render(body, post=None):
    """Render ``body`` as the public site would, resolving the post's images
    and any uploads it refers to."""
    found = post.image_map() if post is not None else {}
    found.update(uploaded(references(body) - set(found)))
    return renditions.render(Post(body=body), found).body_html
