"""Every status change of a post goes through this module.

The transition table is data. Each transition is a keyword-only function that
checks the current state and the actor's permission, applies the change inside
a transaction with the post's row locked, and writes an audit entry. An illegal
move raises TransitionNotAllowed.

``by=None`` is the system actor: the command line, which the operator runs with
the server's own rights. Interfaces acting for a person always pass the user.

Each transition sends the domain signals (news.signals) on commit: every one
post_transitioned, and those that put a post on or take it off the public site
post_published or post_unpublished.

A live post edited by someone who may not publish keeps its live version and
gets a pending change (news.editorial.revisions). While it has one, submit, approve,
request_changes and publish move the pending change through review instead of
the post; publishing it replaces the live version.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..models import AuditEntry, Post
from ..models.relations import sync_listing_dates
from . import checks, revisions

Status = Post.Status
# The transitions that run the pre-publish checks (news.editorial.checks).
CHECKED = frozenset({"submit", "publish"})


class TransitionNotAllowed(Exception):
    """The post is not in a state this transition starts from, or the actor lacks
    the permission it needs."""


class ChecksFailed(TransitionNotAllowed):
    """A pre-publish check that is an error failed; ``findings`` are all of
    them, warnings included."""

    def __init__(self, message, findings):
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    permission: str
    # Further sources for trusted actors only: the system and superusers.
    trusted_sources: frozenset = frozenset()
    comment_required: bool = False
    # Whether an author of the post is refused (four eyes).
    not_by_author: bool = False
    # Whether it moves a live post's pending change rather than the post.
    reviews_changes: bool = False
    # Who hears about it: "editors", "authors" or nobody.
    notify: str = ""


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "Submit for review",
            frozenset({Status.DRAFT}),
            Status.IN_REVIEW,
            "news.submit_post",
            reviews_changes=True,
            notify="editors",
        ),
        Transition(
            "approve",
            "Approve",
            frozenset({Status.IN_REVIEW}),
            Status.APPROVED,
            "news.approve_post",
            not_by_author=True,
            reviews_changes=True,
            notify="authors",
        ),
        Transition(
            "request_changes",
            "Request changes",
            frozenset({Status.IN_REVIEW, Status.APPROVED}),
            Status.DRAFT,
            "news.approve_post",
            comment_required=True,
            reviews_changes=True,
            notify="authors",
        ),
        # People publish what was approved; only the operator's import and
        # superusers may publish a draft straight away.
        Transition(
            "publish",
            "Publish or schedule",
            frozenset({Status.APPROVED}),
            Status.PUBLISHED,
            "news.publish_post",
            trusted_sources=frozenset({Status.DRAFT}),
            reviews_changes=True,
            notify="authors",
        ),
        Transition(
            "unpublish",
            "Unpublish",
            frozenset({Status.PUBLISHED}),
            Status.DRAFT,
            "news.publish_post",
        ),
        Transition(
            "archive",
            "Archive",
            frozenset({Status.PUBLISHED}),
            Status.ARCHIVED,
            "news.archive_post",
        ),
    ]
}


def _trusted(user):
    return user is None or user.is_superuser


def _pending(post):
    """Return the pending change of a live post, if it has one."""
    return post.pending_change() if post.status == Status.PUBLISHED else None


def _state(post, transition, pending):
    """Return the state ``transition`` starts from: the pending change's, if it
    moves one, else the post's."""
    if transition.reviews_changes and pending is not None:
        return pending.pending_status
    return post.status


def _reviewed_at(post):
    """Return when the post's content was last approved or put live, or None."""
    entry = post.audit_entries.filter(
        transition__in=["approve", "publish"]
    ).first()  # the latest: entries come newest first
    return entry.at if entry is not None else None


def _wrote(user, post, pending):
    """Return whether ``user`` wrote any part of the version under review: they
    created the post, are one of its bylines, proposed its pending change, or
    saved a revision of it since it was last approved or published."""
    if pending is not None and pending.created_by_id == user.pk:
        return True
    if post.is_authored_by(user):
        return True
    if post.audit_entries.filter(transition="create", user=user).exists():
        return True
    first = post.revisions.order_by("created_at", "id").first()
    if first is not None and first.created_by_id == user.pk:
        return True
    since = _reviewed_at(post)
    edits = post.revisions.filter(created_by=user)
    if since is not None:
        edits = edits.filter(created_at__gt=since)
    return edits.exists()


def _changed_since_approval(post, pending):
    """Return whether a revision of ``post`` was saved after its approval, so
    that what would go live is not what was approved."""
    approval = post.audit_entries.filter(transition="approve")
    if pending is not None:
        approval = approval.filter(revision=pending)
    approval = approval.first()
    if approval is None:
        return False
    return post.revisions.filter(created_at__gt=approval.at).exists()


def _refusal(user, transition, post, pending):
    """Return why ``user`` may not run ``transition`` on ``post`` now, or None."""
    if user is not None and not user.has_perm(transition.permission):
        return f"You may not {transition.label.lower()} posts."
    state = _state(post, transition, pending)
    sources = transition.sources
    if _trusted(user):
        sources = sources | transition.trusted_sources
    if state not in sources:
        what = "its pending change is" if state != post.status else "it is"
        return (
            f"Cannot {transition.label.lower()} “{post}”: "
            f"{what} {Status(state).label.lower()}."
        )
    if transition.not_by_author and not _trusted(user) and _wrote(user, post, pending):
        return (
            f"You may not {transition.label.lower()} “{post}”: you wrote it, "
            "so another editor must. Whoever created it, is one of its authors or "
            "saved a revision of it since it was last approved may not approve it."
        )
    if (
        transition.name == "publish"
        and state == Status.APPROVED
        and not _trusted(user)
        and _changed_since_approval(post, pending)
    ):
        return (
            f"You may not publish “{post}”: it was changed after it was approved, "
            "so it needs a fresh approval."
        )
    if (
        transition.name == "submit"
        and not _trusted(user)
        and not user.has_perm("news.change_any_post")
        and not post.is_authored_by(user)
    ):
        return f"You may not submit “{post}”: you are not one of its authors."
    return None


def can(user, name, post=None):
    """Return whether ``user`` may run transition ``name`` (on ``post``, if given)."""
    transition = TRANSITIONS[name]
    if post is None:
        return user is None or user.has_perm(transition.permission)
    return _refusal(user, transition, post, _pending(post)) is None


def allowed(user, post):
    """Return the transitions ``user`` may run on ``post`` now, in table order."""
    pending = _pending(post)
    return [t for t in TRANSITIONS.values() if _refusal(user, t, post, pending) is None]


def findings(post):
    """Return the pre-publish checks' findings on the version of ``post`` that
    submit or publish would move: its pending change, where it has one."""
    return _findings(post, _pending(post))


def _findings(post, pending):
    return checks.run(checks.version_of(post, pending.values if pending else None))


def _check(post, transition, pending):
    found = _findings(post, pending)
    errors = [f.message for f in found if f.blocking]
    if errors:
        raise ChecksFailed(
            f"Cannot {transition.label.lower()} “{post}” yet: " + " ".join(errors),
            found,
        )


def _apply(post, name, *, by, comment="", check=True, **changes):
    transition = TRANSITIONS[name]
    if by is not None and not by.has_perm(transition.permission):
        raise TransitionNotAllowed(f"You may not {transition.label.lower()} posts.")
    comment = comment.strip()
    if transition.comment_required and not comment:
        raise TransitionNotAllowed(
            f"Say what should change: {transition.label.lower()} needs a comment."
        )
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        pending = _pending(locked) if transition.reviews_changes else None
        refusal = _refusal(by, transition, locked, pending)
        if refusal:
            raise TransitionNotAllowed(refusal)
        # The system actor (the command line) runs unchecked, as the operator.
        if check and by is not None and name in CHECKED:
            _check(locked, transition, pending)
        from_status = _state(locked, transition, pending)
        if pending is not None:
            _move_pending(locked, pending, transition, by=by, **changes)
        else:
            changes["status"] = transition.target
            Post.objects.filter(pk=post.pk).update(**changes, updated_at=timezone.now())
            if "published_at" in changes:
                sync_listing_dates([post.pk])
            if from_status == Status.PUBLISHED:
                revisions.withdraw_pending(locked)
        entry = AuditEntry.objects.create(
            post=locked,
            user=by,
            transition=name,
            from_status=from_status,
            to_status=transition.target,
            comment=comment,
            revision=pending,
        )
        # The receivers run on commit and read ``post`` as it is then.
        post.refresh_from_db()
        signals.send_on_commit(
            signals.post_transitioned, entry=entry, notify=transition.notify
        )
        if transition.target == Status.PUBLISHED:
            signals.send_on_commit(signals.post_published, post=post)
        elif from_status == Status.PUBLISHED:
            signals.send_on_commit(signals.post_unpublished, post=post)
    return post


def record_expiry(post, *, by):
    """Audit that ``by`` set, moved or cleared the expiry of the published
    ``post`` (saved already): a "set_expiry" entry whose comment says when the
    post leaves the public site. A post that is not live has nothing to take
    down, so nothing is recorded for it."""
    if post.status != Status.PUBLISHED:
        return None
    when = post.expires_at
    return AuditEntry.objects.create(
        post=post,
        user=by,
        transition="set_expiry",
        from_status=post.status,
        to_status=post.status,
        comment=(
            f"Expires on {timezone.localtime(when):%Y-%m-%d %H:%M:%S %Z}."
            if when
            else "No longer expires."
        ),
    )


def create(post, *, by, publish=False, comment=""):
    """Save a new ``post`` as a draft, or published when ``publish`` is asked
    (scheduled if its ``published_at`` is in the future), and audit it."""
    if publish and not can(by, "publish"):
        raise TransitionNotAllowed("You may not publish posts.")
    post.status = Status.PUBLISHED if publish else Status.DRAFT
    if publish and post.published_at is None:
        post.published_at = timezone.now()
    # Inside a caller's transaction (an import's, per file), no savepoint: an
    # error here fails the caller's whole unit, which is what each caller
    # wants of a post that could not be created.
    with transaction.atomic(savepoint=False):
        post.save()
        AuditEntry.objects.create(
            post=post,
            user=by,
            transition="create",
            from_status="",
            to_status=post.status,
            comment=comment,
        )
        if publish:
            signals.send_on_commit(signals.post_published, post=post)
    return post


def _move_pending(post, pending, transition, *, by, **changes):
    if transition.target == Status.PUBLISHED:
        revisions.publish_pending(post, pending, by=by)
        if changes:
            Post.objects.filter(pk=post.pk).update(**changes)
    else:
        pending.pending_status = transition.target
        pending.save(update_fields=["pending_status"])
        # The stale-form check compares updated_at: a reviewed change is news.
        Post.objects.filter(pk=post.pk).update(updated_at=timezone.now())


def submit(post, *, by, comment="", check=True):
    """Send a draft (or a live post's pending change) to the editors for review,
    if it passes the pre-publish checks (unless ``check`` is off)."""
    return _apply(post, "submit", by=by, comment=comment, check=check)


def approve(post, *, by, comment=""):
    """Approve a post in review for publication; its authors may not."""
    return _apply(post, "approve", by=by, comment=comment)


def request_changes(post, *, by, comment):
    """Send a post in review back to its authors with ``comment`` saying why."""
    return _apply(post, "request_changes", by=by, comment=comment)


def publish(post, *, by, at=None, comment="", check=True):
    """Publish ``post`` at ``at`` (a future time schedules it), keeping an existing
    publication time when ``at`` is not given, if it passes the pre-publish
    checks (unless ``check`` is off: an import publishes what was published).

    For a live post with an approved pending change, put the change live.
    """
    changes = {"published_at": at} if at else {}
    if not at and not post.published_at:
        changes["published_at"] = timezone.now()
    return _apply(post, "publish", by=by, comment=comment, check=check, **changes)


def unpublish(post, *, by, comment=""):
    """Take ``post`` off the public site, back to draft."""
    return _apply(post, "unpublish", by=by, comment=comment)


def archive(post, *, by, comment=""):
    """Take ``post`` off the public site for good, keeping it for the record."""
    return _apply(post, "archive", by=by, comment=comment)


def reschedule(post, *, by, day):
    """Move ``post`` to ``day`` on the calendar, for whoever may schedule: a
    scheduled post is published on that day at the same time, a post not yet
    published is planned for it. Audited as "reschedule"."""
    if by is not None and not by.has_perm("news.publish_post"):
        raise TransitionNotAllowed("You may not schedule posts.")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        now = timezone.now()
        scheduled = locked.status == Status.PUBLISHED and (
            locked.published_at is not None and locked.published_at > now
        )
        if scheduled:
            old = timezone.localtime(locked.published_at)
            moved = old.replace(year=day.year, month=day.month, day=day.day)
            if moved <= now:
                raise TransitionNotAllowed(
                    f"Cannot move “{locked}” to {day:%Y-%m-%d}: it would be "
                    "published at once. Publish it now instead, or pick a later day."
                )
            changes = {"published_at": moved}
            comment = f"moved from {old:%Y-%m-%d} to {day:%Y-%m-%d}"
        elif locked.status in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED):
            changes = {"planned_for": day}
            before = (
                f"{locked.planned_for:%Y-%m-%d}" if locked.planned_for else "no day"
            )
            comment = f"planned for {day:%Y-%m-%d} (was {before})"
        else:
            raise TransitionNotAllowed(
                f"Cannot move “{locked}”: it is {locked.state_label().lower()}."
            )
        Post.objects.filter(pk=post.pk).update(**changes, updated_at=now)
        if scheduled:
            sync_listing_dates([post.pk])
        entry = AuditEntry.objects.create(
            post=locked,
            user=by,
            transition="reschedule",
            from_status=locked.status,
            to_status=locked.status,
            comment=comment,
        )
        post.refresh_from_db()
        signals.send_on_commit(signals.post_transitioned, entry=entry, notify="")
        if scheduled:
            signals.send_on_commit(signals.post_published, post=post)
    return post


def run(name, post, *, by, **kwargs):
    """Run the transition called ``name``: for interfaces that let people pick."""
    transitions: dict[str, Callable[..., Any]] = {
        "submit": submit,
        "approve": approve,
        "request_changes": request_changes,
        "publish": publish,
        "unpublish": unpublish,
        "archive": archive,
    }
    return transitions[name](post, by=by, **kwargs)
