"""Resized copies of images for responsive pages: several widths, WebP and a
fallback format, kept in the default storage.

Renditions are made on the task workers: ``make_renditions_task`` makes what
the images it is given lack, renders again the bodies of the posts that show
them, and sends ``renditions_made``, whose receiver moves the site's version
so that cached pages and fragments pick up the new ``srcset``. An import
stores originals and queues that task (``queue()``); pages never make
renditions (``picture()`` queues the missing ones, once), and show an image
without them as its original, at its width and height, when the original is
``plain`` (no metadata to leak). The editor's own save and preview
(``render(post)``) still make the few renditions one post needs, so that what
an editor sees is what readers get.

Each (image, width, format) is made once: a unique constraint settles races,
and the loser deletes its file. Files are written under a temporary name and
moved into place (news.media.storage), and a task run again after its worker
was killed first removes what that worker left half written.
"""

import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from PIL import Image as PILImage
from PIL import ImageOps

from .. import signals
from ..documents import markdown
from ..models import Image, Post, Rendition
from .images import S3_ERRORS, STORAGE_ERRORS, StorageError, is_vector

logger = logging.getLogger(__name__)
# Images per task: small enough that two workers share an import's images.
CHUNK_SIZE = 25
# Posts rendered again at a time once their images' renditions exist.
RERENDER_CHUNK = 100
# A page that meets an image without renditions queues them once in this long.
QUEUED_SECONDS = 10 * 60
WIDTHS = (320, 640, 960, 1280, 1920)
# An image's renditions are resized and encoded this many at a time.
ENCODING_THREADS = min(4, os.cpu_count() or 1)
Format = Rendition.Format
EXTENSIONS = {Format.WEBP: "webp", Format.JPEG: "jpg", Format.PNG: "png"}
MIME_TYPES = {
    Format.WEBP: "image/webp",
    Format.JPEG: "image/jpeg",
    Format.PNG: "image/png",
}
# Body images sit in the article column, 46rem wide from a 48rem viewport up
# (--max in static/css/site.css; the banner's sizes in post_detail.html), and
# are never shown wider than they are (img { max-width: 100% }).
BODY_SIZES = "(min-width: 48rem) min(46rem, {width}px), min(100vw, {width}px)"
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
    """What a template needs to show an image responsively.

    Every URL of a raster image is a rendition's: readers never get the
    original, which keeps its metadata (EXIF, GPS, XMP, comments) for export.
    ``src`` is empty when the image has no rendition yet and none could be
    made. An SVG (``vector``) has no renditions: it scales itself, so ``src``
    is the file, checked when it was stored (news.media.svg).
    """

    src: str
    src_width: int
    src_height: int
    width: int
    height: int
    alt: str
    webp_srcset: str
    srcset: str
    type: str
    vector: bool = False


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
    if is_vector(image):
        return []
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
        # A prefetched list can be older than renditions made since, e.g. for
        # another post sharing this Image instance: ask before making any.
        have = {(r.width, r.format): r for r in Rendition.objects.filter(image=image)}
        missing = [spec for spec in wanted(image) if spec not in have]
    if missing:
        remove_abandoned = getattr(default_storage, "remove_abandoned", None)
        if remove_abandoned is not None:
            for width, fmt in missing:
                remove_abandoned(storage_name(image, width, fmt))
        try:
            with default_storage.open(image.file.name, "rb") as handle:
                source = PILImage.open(handle)
                source.load()
            # Renditions carry no EXIF, so its orientation is applied here.
            source = ImageOps.exif_transpose(source)
            try:
                have.update(_made(image, source, missing))
            except OSError as exc:
                # Writing failed (a full disk): like a failing bucket.
                raise StorageError(
                    f"the media storage could not make renditions of "
                    f"{image.file.name}: {exc}"
                ) from exc
        except S3_ERRORS as exc:
            # An unreadable original (OSError) costs only the srcset, in
            # picture(); a failing storage fails the import of this file, to be
            # run again.
            raise StorageError(
                f"the media storage could not make renditions of "
                f"{image.file.name}: {exc}"
            ) from exc
    return sorted(have.values(), key=lambda r: (r.format, r.width))


def discard(images):
    """Delete the rendition files made for images whose rows were rolled back
    (news.media.images.discard deletes the images' own files)."""
    for image in images:
        if Image.objects.filter(sha256=image.sha256).exists():
            continue
        for width, fmt in wanted(image):
            name = storage_name(image, width, fmt)
            try:
                default_storage.delete(name)
            except STORAGE_ERRORS:
                logger.warning("could not delete %s", name, exc_info=True)


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
    if img is source:
        img = img.copy()
    # Pillow writes some of im.info back (a JPEG's comment): keep none of it
    # but the colour profile, so no EXIF, GPS, XMP or comment reaches readers.
    icc_profile = source.info.get("icc_profile")
    img.info = {}
    options = dict(SAVE_OPTIONS[fmt])
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    img.save(buffer, **options)
    return buffer.getvalue()


def _made(image, source, specs):
    """Return the renditions ``specs`` (``(width, format)`` pairs) of
    ``image``, made from ``source``, by spec.

    The resizing and encoding run on threads, side by side: Pillow lets go
    of the GIL for both, and they are nearly all of a rendition's cost. The
    storage and the database are used from this thread only.
    """
    plans = []
    with ThreadPoolExecutor(ENCODING_THREADS) as pool:
        try:
            for width, fmt in specs:
                height = max(1, round(image.height * width / image.width))
                name = storage_name(image, width, fmt)
                encoding = None
                # A file already there (left by a run that lost a race or
                # rolled back) is this rendition only if it decodes whole at
                # this size.
                if not _complete(name, (width, height)):
                    if default_storage.exists(name):
                        logger.warning(
                            "%s is not a whole rendition: making it again", name
                        )
                        default_storage.delete(name)
                    encoding = pool.submit(_encode, source, width, height, fmt)
                plans.append((width, height, fmt, name, encoding))
            made = {}
            for width, height, fmt, name, encoding in plans:
                if encoding is not None:
                    name = default_storage.save(name, ContentFile(encoding.result()))
                made[width, fmt] = _record(image, width, height, fmt, name)
            return made
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _record(image, width, height, fmt, saved):
    """Return the row of the rendition whose file is ``saved``."""
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


def _complete(name, size):
    if not default_storage.exists(name):
        return False
    try:
        with default_storage.open(name, "rb") as handle, PILImage.open(handle) as img:
            img.load()
            return img.size == size
    except (OSError, SyntaxError, ValueError):
        # Damaged or short; if the storage itself fails, rewriting it says so.
        return False


def _srcset(renditions):
    return ", ".join(f"{r.file.url} {r.width}w" for r in renditions)


def lacking(images):
    """Return the ids of ``images`` that lack some of their renditions, from
    their prefetched ``renditions``."""
    return [
        image.pk
        for image in images
        if len({(r.width, r.format) for r in image.renditions.all()})
        < len(wanted(image))
    ]


def none_made_yet(image):
    """Say that ``image``, just stored, has no renditions, as if
    ``prefetch_related("renditions")`` had found none (which is how Django
    keeps what it prefetched), so that showing it asks the database nothing.
    Only for an instance that is done with before anything can make them: an
    import's, until its file commits."""
    none = image.renditions.none()
    none._result_cache = []
    image._prefetched_objects_cache = {"renditions": none}


def picture(image, *, strict=False, make=True, queue_missing=True):
    """Return a Picture for ``image``.

    With ``make``, its missing renditions are made first; when they cannot be
    (an unreadable file, a failing storage), the picture has the renditions
    there are, or none, rather than failing, and the failure is logged;
    ``strict`` raises StorageError instead, for the services that must not
    store HTML missing its renditions.

    Without ``make`` (pages), nothing is made here: the missing renditions are
    queued for a worker (once, unless ``queue_missing`` is false) and, until
    they exist, the picture is the original at its size if it is ``plain``.
    """
    if is_vector(image):
        return _as_is(image, "image/svg+xml", vector=True)
    if make:
        try:
            renditions = ensure(image)
        except (OSError, StorageError) as exc:
            if strict and isinstance(exc, StorageError):
                raise
            logger.warning("No renditions for image %s: %s", image.pk, exc)
            renditions = _sorted(image.renditions.all())
    else:
        renditions = _sorted(image.renditions.all())
        if len(renditions) < len(wanted(image)) and queue_missing:
            _queue_once(image)
            if _runs_in_place():
                # No worker: the task has run (or failed) in this process.
                renditions = _sorted(Rendition.objects.filter(image=image))
    webp = [r for r in renditions if r.format == Format.WEBP]
    fallback = [r for r in renditions if r.format != Format.WEBP]
    if not fallback and not make and image.plain and image.file:
        return _original(image)
    largest = fallback[-1] if fallback else None
    return Picture(
        src=largest.file.url if largest else "",
        src_width=largest.width if largest else 0,
        src_height=largest.height if largest else 0,
        width=image.width,
        height=image.height,
        alt=image.alt,
        webp_srcset=_srcset(webp),
        srcset=_srcset(fallback),
        type=MIME_TYPES[largest.format] if largest else "",
    )


def _sorted(renditions):
    return sorted(renditions, key=lambda r: (r.format, r.width))


def _original(image):
    """The picture of an image whose renditions are not made yet: the file
    itself, which holds nothing but pixels (``plain``), at its size."""
    name = image.file.name.lower()
    kind = next(
        (MIME_TYPES[f] for f, ext in EXTENSIONS.items() if name.endswith(ext)),
        "image/jpeg" if name.endswith(".jpeg") else "",
    )
    return _as_is(image, kind)


def _as_is(image, kind, *, vector=False):
    """The picture of the stored file itself, at its size, with no srcset."""
    return Picture(
        src=image.file.url,
        src_width=image.width,
        src_height=image.height,
        width=image.width,
        height=image.height,
        alt=image.alt,
        webp_srcset="",
        srcset="",
        type=kind,
        vector=vector,
    )


def _runs_in_place():
    return isinstance(make_renditions_task.get_backend(), ImmediateBackend)


def _queue_once(image):
    """Queue the renditions of ``image`` unless a page did in the last
    QUEUED_SECONDS; return whether this call queued them."""
    if not cache.add(f"newsdesk:renditions-queued:{image.pk}", 1, QUEUED_SECONDS):
        return False
    queue([image.pk])
    return True


def resolver(images, *, make=True):
    """Return a ``resolve_image`` for ``news.documents.markdown.render`` that shows
    ``images`` (normalised reference -> Image) with the srcsets of their
    renditions, making the missing ones (without ``make``: the original,
    when it is plain, where they are missing; the caller queues them).

    Runs one query for the renditions of all of them, none if the caller
    prefetched ``renditions``.
    """
    prefetch_related_objects(list(images.values()), "renditions")
    pictures = {}  # an image used twice is looked at once

    def resolve(src):
        image = images.get(markdown.image_key(src))
        if image is None:
            return None
        if image.pk not in pictures:
            pictures[image.pk] = picture(
                image, strict=True, make=make, queue_missing=False
            )
        shown = pictures[image.pk]
        if not shown.src:
            # No rendition yet, and an original with metadata: never shown.
            return None
        return markdown.ResolvedImage(
            url=shown.src,
            width=image.width,
            height=image.height,
            alt=image.alt,
            srcset=shown.srcset,
            webp_srcset=shown.webp_srcset,
            sizes=BODY_SIZES.format(width=image.width) if shown.srcset else "",
        )

    return resolve


def render(post, images=None, *, make=True, converted=None):
    """Render ``post.body`` to ``body_html`` in memory, showing its images
    (``images``: normalised reference -> Image; the post's own links when not
    given) with the srcsets of their renditions, made where missing (without
    ``make``: shown as they are until a worker makes them; see ``queue()``).
    ``converted``: its body already converted (Post.refresh_html()). The
    caller saves."""
    if images is None:
        images = post.image_map() if post.pk else {}
    post.refresh_html(resolver(images, make=make), converted=converted)
    return post


def rerender(posts, *, make=True, complete_only=False):
    """Render the bodies of ``posts`` again (after a renderer or storage
    change), making missing renditions unless not ``make``; return how many
    posts' HTML changed.

    With ``complete_only``, a post one of whose images still lacks some
    renditions is left alone: the task that makes the last of them renders it
    (``make()``), so that a post is rendered once, not once per image."""
    changed = 0
    posts = posts.prefetch_related("image_links__image__renditions")
    for post in posts.iterator(chunk_size=500):
        links = {link.reference: link.image for link in post.image_links.all()}
        if complete_only and lacking(set(links.values())):
            continue
        before = post.body_html
        render(post, links, make=make)
        if post.body_html != before:
            Post.objects.filter(pk=post.pk).update(body_html=post.body_html)
            changed += 1
    if changed:
        signals.site_changed.send(sender=Post)
    return changed


def queue(pks):
    """Queue the making of the renditions of images ``pks``, CHUNK_SIZE
    images a task."""
    pks = sorted(set(pks))
    for start in range(0, len(pks), CHUNK_SIZE):
        make_renditions_task.enqueue(pks[start : start + CHUNK_SIZE])


def make(pks):
    """Make the renditions that images ``pks`` lack, render again the bodies
    of the posts that show them and now have every rendition of every image
    they show, and tell the site; return how many renditions were made.

    A post is rendered again once, by the task that completes its images,
    however many tasks share them: a banner every post links, or a post
    whose images fall in two chunks. Each task commits its renditions before
    it looks at the posts, so of two tasks completing one post's images side
    by side, the one that looks last sees both (both may render it; neither
    can miss it). A post whose image cannot be made keeps the originals, as
    it would if that task had failed.

    Safe to run again: what exists is not made again, and posts whose HTML
    already shows the renditions are not written, so a run after one killed
    half way ends where one whole run would have.
    """
    made = 0
    found = Image.objects.filter(pk__in=pks).prefetch_related("renditions")
    for image in found:
        before = len(image.renditions.all())
        made += max(0, len(ensure(image)) - before)
    # The body shows only its own links; a banner is not in the body.
    shown_in = sorted(
        set(
            Post.objects.filter(image_links__image__in=pks).values_list("pk", flat=True)
        )
    )
    changed = 0
    # In chunks: an image shared by every post (a site's banner) must not
    # make one query of them all.
    for start in range(0, len(shown_in), RERENDER_CHUNK):
        chunk = shown_in[start : start + RERENDER_CHUNK]
        changed += rerender(
            Post.objects.filter(pk__in=chunk), make=False, complete_only=True
        )
    if made or changed:
        signals.renditions_made.send(sender=Post, images=list(pks))
    return made


@task()
def make_renditions_task(pks):
    """Make the renditions of images ``pks``, on a worker (see ``make()``)."""
    return make(pks)
