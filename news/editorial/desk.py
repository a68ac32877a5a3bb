"""The editor's desk: what each person has to do next, for the admin's home.

One query per list, whatever the number of posts, so the home page costs the
same with ten posts or ten thousand.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ..models import AuditEntry, Post
from . import autosave, revisions, workflow

Status = Post.Status
# How many posts each list shows, and how far ahead "scheduled" looks.
LIMIT = 10
SCHEDULE_DAYS = 14


@dataclass(frozen=True)
class Desk:
    drafts: list
    changes_requested: list
    awaiting: list
    awaiting_label: str
    scheduled: list
    published: list
    open_now: list


def desk(user, *, now=None, language=None):
    """Return ``user``'s desk: their drafts, the changes requested of them (each
    post with ``request_comment`` and ``requested_by``), the posts waiting for
    what they may do (review, publication), and the posts scheduled for the next
    SCHEDULE_DAYS days and recently published that they may see, and those
    someone else has open now (each with ``editors``, their names); only the
    posts in ``language``, if given."""
    now = now or timezone.now()
    posts = Post.objects.all()
    if language:
        posts = posts.in_language(language)
    mine = posts.filter(bylines__author__user=user)
    latest = AuditEntry.objects.filter(post=OuterRef("pk")).order_by("-at", "-id")
    my_drafts = list(
        mine.filter(status=Status.DRAFT)
        .annotate(
            last_transition=Subquery(latest.values("transition")[:1]),
            request_comment=Subquery(latest.values("comment")[:1]),
            requested_by=Subquery(latest.values("user__username")[:1]),
        )
        .order_by("-updated_at")[: LIMIT * 2]
    )
    requested = [p for p in my_drafts if p.last_transition == "request_changes"]
    drafts = [p for p in my_drafts if p.last_transition != "request_changes"]
    awaiting, label = _awaiting(user, mine, posts)
    visible = revisions.viewable(posts, user)
    scheduled = visible.filter(
        status=Status.PUBLISHED,
        published_at__gt=now,
        published_at__lte=now + timedelta(days=SCHEDULE_DAYS),
    ).order_by("published_at")
    published = visible.published().order_by("-published_at")
    return Desk(
        drafts=drafts[:LIMIT],
        changes_requested=requested[:LIMIT],
        awaiting=awaiting,
        awaiting_label=label,
        scheduled=list(scheduled[:LIMIT]),
        published=list(published[:LIMIT]),
        open_now=autosave.open_now(visible, exclude=user, now=now)[:LIMIT],
    )


def _awaiting(user, mine, posts):
    """Return the posts waiting for this user's review or publication, and what
    the list is called for them."""
    reviews = workflow.can(user, "approve")
    publishes = workflow.can(user, "publish")
    wanted = Q()
    if reviews:
        # Four eyes: nobody reviews their own post.
        in_review = Q(status=Status.IN_REVIEW) | Q(
            status=Status.PUBLISHED, revisions__pending_status=Status.IN_REVIEW
        )
        wanted |= in_review & ~Q(pk__in=mine.values("pk"))
    if publishes:
        wanted |= Q(status=Status.APPROVED) | Q(
            status=Status.PUBLISHED, revisions__pending_status=Status.APPROVED
        )
    if not (reviews or publishes):
        return [], ""
    label = {
        (True, True): "Awaiting your review or publication",
        (True, False): "Awaiting your review",
        (False, True): "Awaiting publication",
    }[(reviews, publishes)]
    waiting = posts.filter(wanted).distinct().order_by("updated_at")
    return list(waiting[:LIMIT]), label
