"""The images a document references: where each is in the imported tree, and
storing them.

A reference is looked for relative to the file, then relative to the URL the
post was published under (as its readers' browsers did), then under the site
root; site-absolute paths and Liquid expressions around one
(``{{ site.baseurl }}/x.png``) only under the site root. Nothing is looked for
outside the import root and the site root. Every place looked at is kept
with what was found there (``image_digests()``), so a re-import notices an
image that changed, appeared or went away.
"""

import posixpath
import re
from dataclasses import dataclass, replace

from ...media import images, renditions
from ...slugs import INDEX_STEMS, normalise
from .. import markdown
from .report import ImportFailure, Problem

MAX_IMAGE_BYTES = 50 * 1024 * 1024
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]+:")


@dataclass
class Reference:
    src: str
    line: int | None
    key: str
    candidates: list  # where it may be, relative to the root, in lookup order
    path: str | None = None  # where it was found
    digest: str | None = None
    escapes: bool = False  # relative to the file, it leaves the import root
    note: str = ""  # how a fallback found it
    code: str = ""
    in_body: bool = True  # not only the banner


def resolve(source, relpath, doc, banner, site_root, warnings, published=None):
    """Return ``{key: Reference}`` for every image the document ``doc`` at
    ``relpath`` references in its body or as its ``banner``, each with where
    it is in ``source``; add a warning for each one not found, and an info
    line for each one found by a fallback.

    ``published`` gives the URL path the document was published under (a
    function of ``relpath``); body images not beside the file are also
    looked for relative to it, under ``site_root``.
    """
    body_offset = doc.front.count("\n")
    found = [
        (ref.src, ref.line + body_offset, "image")
        for ref in markdown.image_references(doc.body)
    ]
    if banner:
        found.append((banner, key_line(doc.front, banner), "banner"))
    for url in markdown.file_urls(doc.body):
        line = url.line + body_offset
        if any(url.src in src and line == at for src, at, _ in found):
            continue  # an image: warned about below
        warnings.append(
            Problem(
                relpath,
                f"a file: URL, which readers cannot open: {url.src}",
                line,
                "warning",
                "file-url",
            )
        )
    references = {}
    for src, line, what in found:
        key = markdown.image_key(src)
        if key is None:
            if message := _not_looked_up(src, what):
                warnings.append(Problem(relpath, message, line, "warning", "remote"))
            continue
        if key in references:
            continue
        page = published(relpath) if published and what == "image" else None
        ref = references[key] = _look_up(
            source, relpath, src, line, key, site_root, page
        )
        ref.in_body = what == "image"
        if ref.path is None:
            if ref.escapes:
                message, code = f"{what} outside the import root: {src}", "outside"
            else:
                message, code = f"{what} not found: {src}", "missing"
            warnings.append(Problem(relpath, message, line, "warning", code))
        elif ref.note:
            warnings.append(Problem(relpath, ref.note, line, "info", ref.code))
    return references


def _look_up(source, relpath, src, line, key, site_root, url):
    """Return the Reference for ``key``, with every place it may be, in order,
    and the first that holds a file."""
    if key[1:2] == ":":  # a Windows drive: a path on the author's machine
        return Reference(src, line, key, [], escapes=True)
    site_path = key.lstrip("/")
    # (path, how it was found there, its code): "" for the plain rules
    places = []
    if key.startswith("/"):
        places.append((within(posixpath.join(site_root, site_path), site_root), "", ""))
    else:
        beside = within(posixpath.join(posixpath.dirname(relpath), key), site_root)
        places.append((beside, "", ""))
        # Hexo's post asset folder: source/_posts/x.md keeps its images in
        # source/_posts/x/, and writes them as if beside it.
        stem = posixpath.splitext(relpath)[0]
        if posixpath.basename(stem).lower() not in INDEX_STEMS:
            folder = within(posixpath.join(stem, key), site_root)
            places.append(
                (folder, f"{src} found in the post's asset folder", "asset-folder")
            )
        if url:
            # As the reader's browser did: relative to the page's URL, where
            # ".." stops at the site's root.
            seen = posixpath.normpath(posixpath.join(posixpath.dirname(url), key))
            places.append(
                (
                    within(posixpath.join(site_root, seen.lstrip("/")), site_root),
                    f"{src} resolved relative to the published URL {url} as {seen}",
                    "published-url",
                )
            )
        if site_root != posixpath.dirname(relpath):
            places.append(
                (
                    within(posixpath.join(site_root, key), site_root),
                    f"{src} resolved under the site root as /{key}",
                    "site-root",
                )
            )
    ref = Reference(src, line, key, [], escapes=places[0][0] is None)
    notes = {}
    for path, note, code in places:
        if path is not None and path not in notes:
            ref.candidates.append(path)
            notes[path] = (note, code)
    ref.path = next((c for c in ref.candidates if source.exists(c)), None)
    if ref.path is not None:
        ref.note, ref.code = notes[ref.path]
    return ref


def within(path, site_root):
    """Return ``path`` (relative to the import root) normalised if it stays
    inside the import root, or inside a site root outside it ("../static");
    else None."""
    path = posixpath.normpath(path)
    outside = site_root == ".." or site_root.startswith("../")
    if outside and path.startswith(site_root + "/"):
        return path
    return normalise(path)


_DATED_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")


def published_url(relpath):
    """Return the URL path a generator published the file at ``relpath`` under.

    A Jekyll post named ``YYYY-MM-DD-slug`` is at ``/YYYY/MM/DD/slug.html``
    (Jekyll's default permalink, without categories); any other file at its
    path without the suffix, as a folder (``posts/x.md`` and
    ``posts/x/index.md`` -> ``/posts/x/``: Hugo's and most generators' pretty
    URLs).
    """
    stem = posixpath.splitext(posixpath.basename(relpath))[0]
    if dated := _DATED_NAME.fullmatch(stem):
        year, month, day, slug = dated.groups()
        return f"/{year}/{month}/{day}/{slug}.html"
    path = posixpath.splitext(relpath)[0]
    if posixpath.basename(path).lower() in INDEX_STEMS:
        path = posixpath.dirname(path)  # a folder's index.md is the folder's page
    return f"/{path}/" if path else "/"


def _not_looked_up(src, what):
    """Say why a reference with a scheme was not looked for, if it needs saying."""
    value = src.strip().replace("\\", "/").lower()
    if value.startswith(("http:", "https:", "//")):
        return f"remote {what} not fetched: {src}"
    if value.startswith("file:"):
        return f"{what} is a file: URL, which readers cannot open: {src}"
    if _SCHEME.match(value) and not value.startswith("data:"):
        return f"{what} is not a path or a web address: {src}"
    return None


# A file's small images are handed over with their check, up to this many
# bytes a file, so that the importer need not read them again.
HANDED_OVER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """An image checked before it is stored (``check()``)."""

    digest: str
    info: images.ImageInfo | None
    refused: str = ""  # why images.inspect() refused it
    data: bytes | None = None  # the bytes checked, when handed over


def check(source, references, checked):
    """Read and check (images.inspect()) each image of ``references`` that
    was found, ahead of storing it; return path -> Checked. ``checked``
    holds the answers already given in the run, by content hash: a banner
    that every file shows is checked once. The bytes of images not checked
    before are handed over with their answer, up to HANDED_OVER_BYTES."""
    found = {}
    handed_over = 0
    for ref in references.values():
        if ref.path is None or ref.path in found:
            continue
        try:
            data = source.read(ref.path, MAX_IMAGE_BYTES)
        except ImportFailure:
            continue  # storing it says so
        digest = images.sha256(data)
        if digest in checked:
            found[ref.path] = checked[digest]
            continue
        try:
            checked[digest] = Checked(digest, images.inspect(data))
        except images.InvalidImage as exc:
            checked[digest] = Checked(digest, None, str(exc))
        found[ref.path] = checked[digest]
        if handed_over + len(data) <= HANDED_OVER_BYTES:
            handed_over += len(data)
            found[ref.path] = replace(checked[digest], data=data)
    return found


def store(
    source,
    relpath,
    references,
    *,
    dry_run,
    stored,
    warnings,
    checked=None,
    verified=(),
    writes=None,
):
    """Store the referenced images; return the mapping key -> Image (empty on a
    dry run, which only checks them). Images stored anew are added to
    ``stored``, for the caller to discard if the file fails.

    ``checked``: ``check()``'s answers for these references, used where the
    file still holds the bytes that were checked. ``verified`` and
    ``writes``: see images.store(). The stored images are looked up in one
    query, by the digests ``check()`` found, else by reading each file; one
    whose stored file was verified is not read again.
    """
    checked = checked or {}
    paths = {ref.path for ref in references.values() if ref.path is not None}
    digests = {
        path: checked[path].digest if path in checked else _digest(source, path)
        for path in paths
    }
    found = {} if dry_run else images.find(set(digests.values()) - {None})
    mapping = {}
    done = {}  # path -> (digest, image or None)
    verified_here = set()  # stored, or found whole, for this file
    for ref in references.values():
        if ref.path is None:
            continue
        if ref.path not in done:
            image = found.get(digests[ref.path])
            if image is not None and (
                image.file.name in verified or image.file.name in verified_here
            ):
                done[ref.path] = (image.sha256, image)
            else:
                ahead = checked.get(ref.path)
                done[ref.path] = _store(
                    source,
                    relpath,
                    ref,
                    dry_run,
                    stored,
                    warnings,
                    ahead,
                    found=found,
                    looked_up=digests[ref.path],
                    writes=writes,
                )
                # The same bytes at another path of this file are this image.
                if (stored_here := done[ref.path][1]) is not None:
                    found[stored_here.sha256] = stored_here
                    verified_here.add(stored_here.file.name)
        ref.digest, image = done[ref.path]
        if image is not None:
            mapping[ref.key] = image
    return mapping


def _digest(source, path):
    try:
        return images.sha256(source.read(path, MAX_IMAGE_BYTES))
    except ImportFailure:
        return None  # _store() says why


def _store(
    source, relpath, ref, dry_run, stored, warnings, ahead, *, found, looked_up, writes
):
    """Return the digest of the image ``ref`` found and its stored Image
    (None on a dry run, or for an image refused with a warning). A refused
    image's digest is kept all the same, so that a re-import knows it is
    the same refused file, and leaves the post alone."""
    digest = None
    try:
        if ahead is not None and ahead.data is not None:
            data, digest = ahead.data, ahead.digest
        else:
            data = source.read(ref.path, MAX_IMAGE_BYTES)
            digest = images.sha256(data)
        info = None
        if ahead is not None and ahead.digest == digest:
            if ahead.refused:
                raise images.InvalidImage(ahead.refused)
            info = ahead.info
        if dry_run:
            if info is None:
                images.inspect(data)
            return digest, None
        image, created = images.store(
            data,
            digest=digest,
            info=info,
            # Looked up by the file's bytes of a moment ago: if they
            # changed since, store() looks again.
            found=found if digest == looked_up else None,
            writes=writes,
        )
    except (ImportFailure, images.InvalidImage) as exc:
        warnings.append(
            Problem(relpath, f"{ref.src}: {exc}", ref.line, "warning", "invalid")
        )
        return digest, None
    if created:
        stored.append(image)
        renditions.none_made_yet(image)
    return digest, image


def unchanged(source, digests):
    """Return whether every place in ``digests`` (from ``image_digests()``)
    still holds what it held."""
    for path, digest in digests.items():
        if not source.exists(path):
            if digest is not None:
                return False
        elif digest is None or digest != images.sha256(
            source.read(path, MAX_IMAGE_BYTES)
        ):
            return False
    return True


def image_digests(references):
    """Map each place an image was looked for to what was there (None: nothing)."""
    digests = {}
    for ref in references:
        for path in ref.candidates:
            digests[path] = ref.digest if path == ref.path else None
            if path == ref.path:
                break
    return digests


def key_line(front, value):
    """Return the file line on which ``value`` appears in the front matter."""
    for number, line in enumerate(front.splitlines(), start=1):
        if value in line:
            return number
    return None
