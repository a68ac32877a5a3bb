"""The images a document references: where each is in the imported tree, and
storing them.

A reference is looked for relative to the file, then under the site root;
site-absolute paths only under the site root. Every place looked at is kept
with what was found there (``image_digests()``), so a re-import notices an
image that changed, appeared or went away.
"""

import posixpath
import re
from dataclasses import dataclass

from ...media import images
from ...slugs import normalise
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


def resolve(source, relpath, doc, banner, site_root, warnings):
    """Return ``{key: Reference}`` for every image the document ``doc`` at
    ``relpath`` references in its body or as its ``banner``, each with where
    it is in ``source``; add a warning for each one not found."""
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
    folder = posixpath.dirname(relpath)
    for src, line, what in found:
        key = markdown.image_key(src)
        if key is None:
            if message := _not_looked_up(src, what):
                warnings.append(Problem(relpath, message, line, "warning", "remote"))
            continue
        if key in references:
            continue
        if key.startswith("/"):
            bases = [site_root]
        else:
            bases = [folder, site_root] if folder != site_root else [folder]
        candidates = [
            normalise(posixpath.join(base, key.lstrip("/"))) for base in bases
        ]
        if key[1:2] == ":":  # a Windows drive: a path on the author's machine
            candidates = []
        ref = Reference(src, line, key, [c for c in candidates if c])
        references[key] = ref
        ref.path = next((c for c in ref.candidates if source.exists(c)), None)
        if ref.path is None:
            if not ref.candidates:
                message, code = f"{what} outside the import root: {src}", "outside"
            else:
                message, code = f"{what} not found: {src}", "missing"
            warnings.append(Problem(relpath, message, line, "warning", code))
    return references


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


def store(source, relpath, references, *, dry_run, stored, warnings):
    """Store the referenced images; return the mapping key -> Image (empty on a
    dry run, which only checks them). Images stored anew are added to
    ``stored``, for the caller to discard if the file fails."""
    mapping = {}
    found = {}  # path -> (digest, image or None)
    for ref in references.values():
        if ref.path is None:
            continue
        if ref.path not in found:
            found[ref.path] = _store(source, relpath, ref, dry_run, stored, warnings)
        ref.digest, image = found[ref.path]
        if image is not None:
            mapping[ref.key] = image
    return mapping


def _store(source, relpath, ref, dry_run, stored, warnings):
    try:
        data = source.read(ref.path, MAX_IMAGE_BYTES)
        digest = images.sha256(data)
        if dry_run:
            images.inspect(data)
            return digest, None
        image, created = images.store(data)
    except (ImportFailure, images.InvalidImage) as exc:
        warnings.append(
            Problem(relpath, f"{ref.src}: {exc}", ref.line, "warning", "invalid")
        )
        return None, None
    if created:
        stored.append(image)
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
