"""The post list's cursors: where a page ends, as an opaque string.

A cursor holds the last post's ``(published_at, id)``, the list's order, so
that the next page starts after it however many posts are published or
unpublished meanwhile: no post is shown twice or skipped because the list
moved, as an offset would. Clients pass it back as it came and never read it.
"""

import base64
import binascii
from datetime import datetime


class CursorError(ValueError):
    """A cursor the API did not give."""


def encode(published_at, pk):
    """Return the cursor of the page after the post at ``(published_at, pk)``."""
    raw = f"{published_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor):
    """Return the ``(published_at, pk)`` a cursor holds; raise CursorError for
    anything that is not a cursor encode() made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        published_at, pk = datetime.fromisoformat(moment), int(pk)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise CursorError("This is not a cursor of this list.") from exc
    if published_at.tzinfo is None or not 0 < pk < 2**63:
        raise CursorError("This is not a cursor of this list.")
    return published_at, pk
