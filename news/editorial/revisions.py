"""Revisions: every saved state of a post, as its front-matter Markdown document.

``record()`` stores the post as it is; the admin, the importer and the workflow
call it after every save. ``save_edit()`` is how people edit: on a live post
that the editor may not publish, the edit becomes a pending change that goes
through review (news.editorial.workflow) while the live version stays as it is.
Every saved edit ends in ``changed()``, which keeps old URLs redirecting, the
listing dates in step, and sends news.signals.post_changed on commit.
"""

import difflib
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from .. import signals
from ..documents.values import document, load, snapshot
from ..media import renditions
from ..models import Author, Category, Image, Post, PostAuthor, Revision
from ..models.relations import (
    set_authors,
    set_image_links,
    set_tags,
    sync_listing_dates,
)
from ..slugs import unique_slug

Status = Post.Status


def apply(post, values):
    """Write ``values`` (a snapshot, news.documents.values) to ``post`` and its
    relations, rendering its body.

    Categories, authors and images deleted since are left out.
    """
    old_slug = post.slug
    load(post, values)
    if post.category_id and not Category.objects.filter(pk=post.category_id).exists():
        post.category_id = None
    if post.banner_id and not Image.objects.filter(pk=post.banner_id).exists():
        post.banner_id = None
    images = Image.objects.in_bulk([image for _, image, _ in values["images"]])
    links = [
        (reference, images[image], path)
        for reference, image, path in values["images"]
        if image in images
    ]
    renditions.render(post, {reference: image for reference, image, _ in links})
    post.save()
    set_tags(post, values["tags"])
    authors = Author.objects.in_bulk(values["authors"])
    set_authors(post, [authors[pk] for pk in values["authors"] if pk in authors])
    set_image_links(post, links)
    changed(post, old_slug)
    return post


def changed(post, old_slug):
    """Follow up a saved edit: keep the old URL redirecting, copy the post's
    date onto its tag and byline rows, and tell the rest of the system once the
    edit commits."""
    post.redirect_from(old_slug)
    sync_listing_dates([post.pk])
    signals.send_on_commit(signals.post_changed, post=post)


def change_slug(post, slug):
    """Give the post a new slug, keeping the old one to redirect from.

    Returns the post. The old URL answers 301 to the new one; changing back
    to an old slug drops it from the history.
    """
    with transaction.atomic():
        old = Post.objects.select_for_update().get(pk=post.pk).slug
        if old == slug:
            return post
        post.slug = slug
        post.save(update_fields=["slug", "updated_at"])
        changed(post, old)
    return post


def record(post, *, by, reason="", text=None, values=None):
    """Store ``post`` as the database holds it now as a new revision; return it.

    A caller that has just written the post may pass its document ``text`` and
    its ``values`` (from ``snapshot()``): the importer passes the file it just
    read, which is what export gives back.
    """
    if text is None or values is None:
        post = (
            Post.objects.select_related("category", "banner")
            .prefetch_related("tags", "aliases", "bylines__author", "image_links")
            .get(pk=post.pk)
        )
    return Revision.objects.create(
        post=post,
        created_by=by,
        reason=Truncator(reason).chars(Revision._meta.get_field("reason").max_length),
        document=document(post) if text is None else text,
        values=snapshot(post) if values is None else values,
    )


def viewable(posts, user):
    """Return the ``posts`` that staff ``user`` may see unpublished (see
    ``can_view``)."""
    if user.is_superuser or user.has_perm("news.change_any_post"):
        return posts
    return posts.filter(bylines__author__user=user).distinct()


def can_view(user, post):
    """Return whether staff ``user`` may see ``post`` unpublished: editors and
    publishers see every post, authors their own."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.has_perm("news.change_any_post"):
        return True
    return user.has_perm("news.view_post") and post.is_authored_by(user)


def can_edit(user, post):
    """Return whether ``user`` may edit ``post``.

    Authors edit their own drafts, and propose changes to their own live posts
    while no proposal of theirs is in review. Editors edit any post.
    """
    if user is None or user.is_superuser:
        return True
    if not user.has_perm("news.change_post"):
        return False
    if user.has_perm("news.change_any_post"):
        return True
    if post.pk is None:
        return user.has_perm("news.add_post")
    if not post.is_authored_by(user):
        return False
    if post.status == Status.DRAFT:
        return True
    if post.status == Status.PUBLISHED:
        pending = post.pending_change()
        return pending is None or pending.pending_status == Status.DRAFT
    return False


def edit_is_pending(post, user):
    """Return whether an edit of ``post`` by ``user`` waits for review."""
    return (
        post.pk is not None
        and post.status == Status.PUBLISHED
        and user is not None
        and not user.has_perm("news.publish_post")
    )


def save_edit(post, *, by, save, reason=""):
    """Save an edit of ``post`` by ``by``, made by calling ``save()``; return the
    revision it becomes.

    For a live post that ``by`` may not publish, the edit is written, recorded
    and rolled back, so the live version stays as it is: the revision becomes
    the post's pending change, replacing an earlier one.
    """
    if not can_edit(by, post):
        raise PermissionDenied(f"You may not edit “{post}”.")
    creating = post.pk is None
    with transaction.atomic():
        if not edit_is_pending(post, by):
            old_slug = (
                Post.objects.filter(pk=post.pk).values_list("slug", flat=True).first()
            )
            save()
            changed(post, old_slug)
            if creating and by is not None and not by.has_perm("news.change_any_post"):
                _add_author(post, by)
            return record(post, by=by, reason=reason or "saved")
        locked = Post.objects.select_for_update().get(pk=post.pk)
        savepoint = transaction.savepoint()
        save()
        proposed = Post.objects.get(pk=post.pk)
        text, values = document(proposed), snapshot(proposed)
        transaction.savepoint_rollback(savepoint)
        previous = locked.pending_change()
        status = Status.DRAFT
        if previous is not None:
            # Changed content needs a fresh approval.
            status = (
                Status.IN_REVIEW
                if previous.pending_status == Status.APPROVED
                else previous.pending_status
            )
            previous.pending_status = ""
            previous.save(update_fields=["pending_status"])
        return Revision.objects.create(
            post=locked,
            created_by=by,
            reason=reason or "proposed a change to the live post",
            document=text,
            values=values,
            pending_status=status,
        )


def _add_author(post, user):
    """Make ``user`` an author of the post they created, so it stays theirs."""
    author = getattr(user, "author", None)
    if author is None:
        # Never link an existing byline by name: that would hand its posts over.
        name = user.get_full_name() or user.get_username()
        if Author.objects.filter(name=name).exists():
            name = f"{name} ({user.get_username()})"
        slug = unique_slug(Author.objects.all(), name, "author")
        author = Author.objects.create(name=name, slug=slug, user=user)
    if not post.bylines.filter(author=author).exists():
        PostAuthor.objects.create(post=post, author=author, position=0)


def restore(revision, *, by, name=""):
    """Put ``revision`` back, as a new revision (a pending change where editing
    the post would make one); return the new revision. ``name`` is how the
    history names it ("revision 3 by ann"), its time when not given."""
    post = Post.objects.get(pk=revision.post_id)
    when = timezone.localtime(revision.created_at)
    return save_edit(
        post,
        by=by,
        save=partial(apply, post, revision.values),
        reason=f"restored {name or f'the revision of {when:%Y-%m-%d %H:%M:%S}'}",
    )


def publish_pending(post, pending, *, by):
    """Put the pending change live (news.editorial.workflow calls this with the post
    locked); return the revision of the new live version."""
    apply(post, pending.values)
    pending.pending_status = ""
    pending.save(update_fields=["pending_status"])
    return record(post, by=by, reason="published the pending change")


def withdraw_pending(post):
    """Drop the pending change of a post that is no longer live; it stays in the
    history, where it can be restored."""
    post.revisions.exclude(pending_status="").update(pending_status="")


def version(post):
    """Return a token that changes whenever ``post`` or its pending change does,
    for refusing stale forms."""
    latest = post.revisions.first()
    stamp = post.updated_at.isoformat() if post.updated_at else ""
    return f"{stamp}|{latest.pk if latest else ''}"


@dataclass(frozen=True)
class Meanwhile:
    """What changed in a post since a form was loaded."""

    diff: list
    entries: list
    revisions: list


def changed_since(post, token):
    """Return what changed in ``post`` since ``version()`` gave ``token``, or None
    if nothing did."""
    if token == version(post):
        return None
    stamp, _, base_pk = token.partition("|")
    base = post.revisions.filter(pk=base_pk).first() if base_pk else None
    newer = post.revisions.all()
    entries = post.audit_entries.select_related("user")
    if base is not None:
        newer = newer.filter(pk__gt=base.pk)
    since = parse_datetime(stamp) if stamp else None
    if since is not None:
        entries = entries.filter(at__gt=since)
    latest = post.revisions.first()
    lines = []
    if base is not None and latest is not None:
        lines = diff(
            base.document,
            latest.document,
            old_label="when you opened the form",
            new_label="saved meanwhile",
        )
    return Meanwhile(lines, list(entries), list(newer.select_related("created_by")))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "hunk", "file" or "same"
    text: str


def diff(old, new, *, old_label="before", new_label="after"):
    """Return the line diff of two documents, front matter included."""
    kinds = {"+": "add", "-": "remove", "@": "hunk", " ": "same"}
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_label, new_label, lineterm=""
    )
    return [
        DiffLine(
            "file" if line.startswith(("+++", "---")) else kinds.get(line[:1], "same"),
            line,
        )
        for line in lines
    ]
