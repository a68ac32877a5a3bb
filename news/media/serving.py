"""Serving local media files safely: which file a URL names, how long it may be
cached, and which bytes a Range header asks for.

Only regular files under the media root are served: no dot names (temporary
files), nothing under ``imports/`` (archives waiting for an import job), no
``..``, no symlink that leads out of the root, no directories.
Images and renditions are named by their content, so they never change and
are cached for a year.
"""

import mimetypes
import os
import re
import stat
from dataclasses import dataclass

from .storage import is_temporary

# images/ab/<sha256>.<ext>, renditions/ab/<sha256>-<width>.<ext> and
# social/ab/<sha256>.png (named by a hash of all they show)
CONTENT_ADDRESSED = re.compile(
    r"(?:images|renditions|social)/[0-9a-f]{2}/[0-9a-f]{64}(?:-\d+)?\.[a-z0-9]+"
)
IMMUTABLE = "public, max-age=31536000, immutable"
# Archives uploaded for an import job wait here for their worker: they hold
# unpublished posts, so they are never served.
PRIVATE_FOLDER = "imports"
# Anything else (a file put there by hand) may change.
MUTABLE = "public, max-age=300"
SVG = "image/svg+xml"
# Types a browser may show inline in the site's origin. Everything else, HTML
# above all, is sent as a download in a sandbox.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", SVG}
# Every file is sandboxed: no scripts, no forms, an origin of its own.
POLICY = "sandbox"
# An SVG is a document that could run scripts when opened on its own, so it
# gets nothing but itself: its inline styles and embedded bitmaps. Uploads are
# checked (news.media.svg); this holds for a file put there by other means.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@dataclass(frozen=True)
class MediaFile:
    path: str
    size: int
    mtime: float
    content_type: str
    cache_control: str

    @property
    def inline(self):
        return self.content_type in INLINE_TYPES

    @property
    def content_security_policy(self):
        return SVG_POLICY if self.content_type == SVG else POLICY

    @property
    def etag(self):
        return f'"{int(self.mtime):x}-{self.size:x}"'


def locate(root, name):
    """Return the MediaFile that ``name`` (from a URL) names under ``root``, or
    None if it names nothing that may be served."""
    parts = name.split("/")
    if any(
        not part or part.startswith(".") or "\\" in part or "\0" in part
        for part in parts
    ):
        return None
    if is_temporary(name) or parts[0] == PRIVATE_FOLDER:
        return None
    base = os.path.realpath(root)
    path = os.path.realpath(os.path.join(base, *parts))
    if not path.startswith(base + os.sep):
        return None  # a symlink that leads out of the root
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    content_type, encoding = mimetypes.guess_type(path)
    if encoding is not None:
        # Compressed (drawing.svgz, photo.png.gz): sent as it is, a download.
        content_type = None
    elif path.lower().endswith(".svg"):
        # Whatever the system's MIME table says, an SVG gets SVG_POLICY.
        content_type = SVG
    return MediaFile(
        path=path,
        size=info.st_size,
        mtime=info.st_mtime,
        content_type=content_type or "application/octet-stream",
        cache_control=IMMUTABLE if CONTENT_ADDRESSED.fullmatch(name) else MUTABLE,
    )


class Unsatisfiable(ValueError):
    """The Range header asks for no byte of the file."""


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header, size):
    """Return ``(first, last)`` (inclusive) for a Range ``header`` on a file of
    ``size`` bytes; None to send the whole file (no header, one that cannot be
    read, or several ranges); raise Unsatisfiable when no byte is in range."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None or match[1] == match[2] == "":
        return None
    first, last = match[1], match[2]
    if first == "":
        length = int(last)  # the last `length` bytes
        if length == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(0, size - length), size - 1
    first = int(first)
    last = size - 1 if last == "" else min(int(last), size - 1)
    if first >= size:
        raise Unsatisfiable(header)
    if last < first:
        return None
    return first, last


def read(path, first, last, chunk_size=64 * 1024):
    """Yield the bytes ``first`` to ``last`` of the file at ``path``."""
    with open(path, "rb") as handle:
        handle.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = handle.read(min(chunk_size, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
