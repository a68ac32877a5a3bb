"""Autosave and presence: what the editor keeps while someone types.

The editor sends the form's title, summary and body every few seconds to
``keep()``, which writes them to the one Autosave slot of that person and post;
a tab that closes or crashes leaves the slot behind, and the next time the form
opens, ``offered()`` offers it back. Saving the form ``discard()``s it. Slots are
not revisions: only saves and transitions are history.

While the form is open the editor also beats (``beat()``): a Presence row per
person and post, renewed every HEARTBEAT_SECONDS, tells others who has the
post open now.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ..models import Autosave, Post, Presence
from . import revisions

# How often the editor saves and beats, and how long a beat counts.
AUTOSAVE_SECONDS = 5
HEARTBEAT_SECONDS = 15
PRESENT_SECONDS = 45
FIELDS = ("title", "summary", "body")


def keep(user, post, *, title, summary, body, now=None):
    """Keep ``user``'s unsaved ``title``, ``summary`` and ``body`` of ``post``
    (None for a new post) in their slot; return the slot."""
    if not revisions.can_edit(user, post or Post()):
        raise PermissionDenied(f"You may not edit “{post}”.")
    title = title[: Autosave._meta.get_field("title").max_length]
    slot, _ = Autosave.objects.update_or_create(
        user=user,
        post=post,
        defaults={
            "title": title,
            "summary": summary,
            "body": body,
            "saved_at": now or timezone.now(),
        },
    )
    return slot


def offered(user, post):
    """Return ``user``'s slot for ``post`` (None for a new post) if it holds
    anything the form would not show, else None. ``post`` is as the form shows
    it (with its pending change, where the user edits that)."""
    slot = Autosave.objects.filter(user=user, post=post).first()
    if slot is None:
        return None
    shown = post or Post()
    if all(getattr(slot, name) == (getattr(shown, name) or "") for name in FIELDS):
        return None
    return slot


def discard(user, post):
    """Drop ``user``'s slot for ``post`` (None for a new post): it was saved, or
    they chose not to restore it."""
    Autosave.objects.filter(user=user, post=post).delete()


def beat(user, post, *, now=None):
    """Record that ``user`` has ``post`` open now; return the others who have."""
    now = now or timezone.now()
    Presence.objects.update_or_create(user=user, post=post, defaults={"seen_at": now})
    return others(user, post, now=now)


def others(user, post, *, now=None):
    """Return the names of the people other than ``user`` who have ``post`` open,
    by their last beat."""
    now = now or timezone.now()
    present = (
        Presence.objects.filter(
            post=post, seen_at__gt=now - timedelta(seconds=PRESENT_SECONDS)
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )
    return [p.user.get_full_name() or p.user.get_username() for p in present]


def leave(user, post):
    """Record that ``user`` closed ``post``'s form (saved it, or went away)."""
    Presence.objects.filter(user=user, post=post).delete()


def open_now(posts, *, exclude=None, now=None):
    """Return ``posts`` that someone other than ``exclude`` has open now, each
    with ``editors``: their names. One query."""
    now = now or timezone.now()
    present = (
        Presence.objects.filter(
            post__in=posts, seen_at__gt=now - timedelta(seconds=PRESENT_SECONDS)
        )
        .exclude(user=exclude)
        .select_related("post", "user")
        .order_by("-seen_at")
    )
    found: dict[int, Post] = {}
    for presence in present:
        post = found.setdefault(presence.post_id, presence.post)
        names = post.__dict__.setdefault("editors", [])
        names.append(presence.user.get_full_name() or presence.user.get_username())
    return list(found.values())
