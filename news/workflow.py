"""Every status change of a post goes through this module.

The transition table is data. Each transition is a keyword-only function that
checks the current state and the actor's permission, applies the change inside
a transaction with the post's row locked, and writes an audit entry. An illegal
move raises TransitionNotAllowed.

``by=None`` is the system actor: the command line, which the operator runs with
the server's own rights. Interfaces acting for a person always pass the user.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import cache
from .models import AuditEntry, Post

Status = Post.Status


class TransitionNotAllowed(Exception):
    """The post is not in a state this transition starts from, or the actor lacks
    the permission it needs."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    permission: str


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "publish",
            frozenset({Status.DRAFT, Status.APPROVED}),
            Status.PUBLISHED,
            "news.publish_post",
        ),
        Transition(
            "unpublish",
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            "news.publish_post",
        ),
    ]
}


def can(user, name, post=None):
    """Return whether ``user`` may run transition ``name`` (on ``post``, if given)."""
    transition = TRANSITIONS[name]
    if post is not None and post.status not in transition.sources:
        return False
    return user is None or user.has_perm(transition.permission)


def _apply(post, name, *, by, comment="", **changes):
    transition = TRANSITIONS[name]
    if by is not None and not by.has_perm(transition.permission):
        raise TransitionNotAllowed(f"You may not {name} posts.")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status not in transition.sources:
            state = locked.get_status_display().lower()
            raise TransitionNotAllowed(f"Cannot {name} “{locked}”: it is {state}.")
        changes["status"] = transition.target
        Post.objects.filter(pk=post.pk).update(**changes, updated_at=timezone.now())
        AuditEntry.objects.create(
            post=locked,
            user=by,
            transition=name,
            from_status=locked.status,
            to_status=transition.target,
            comment=comment,
        )
        transaction.on_commit(cache.invalidate)
    for field, value in changes.items():
        setattr(post, field, value)
    return post


def publish(post, *, by, at=None, comment=""):
    """Publish ``post`` at ``at`` (a future time schedules it), keeping an existing
    publication time when ``at`` is not given."""
    at = at or post.published_at or timezone.now()
    return _apply(post, "publish", by=by, comment=comment, published_at=at)


def unpublish(post, *, by, comment=""):
    """Take ``post`` off the public site, back to draft."""
    return _apply(post, "unpublish", by=by, comment=comment)
