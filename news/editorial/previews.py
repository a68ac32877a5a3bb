"""Previews of unpublished posts and revisions through the public templates.

Staff preview any revision they may see. A PreviewLink lets people without an
account see a post before publication: its URL carries the link's random token,
signed, so a tampered URL is refused before the database is asked; the link
expires (after seven days by default), can be revoked, and is pinned to a
revision or follows the latest one.
"""

import secrets
from datetime import timedelta
from types import SimpleNamespace

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from ..documents.values import load, snapshot
from ..media import renditions, uploads
from ..models import Author, Image, Post, PreviewLink

LIFETIME = timedelta(days=7)


def create(post, *, by, revision=None, lifetime=LIFETIME):
    """Return a new preview link to ``post``, pinned to ``revision`` if given."""
    if revision is not None and revision.post_id != post.pk:
        raise ValueError("the revision belongs to another post")
    return PreviewLink.objects.create(
        post=post,
        revision=revision,
        token=secrets.token_urlsafe(24),
        created_by=by,
        expires_at=timezone.now() + lifetime,
    )


def link_for(signed):
    """Return the active link that ``signed`` names.

    Raise Http404 for a tampered or unknown token and PermissionDenied for a
    revoked or expired link.
    """
    try:
        token = signing.Signer(salt=PreviewLink.SIGNING_SALT).unsign(signed)
    except signing.BadSignature as exc:
        raise Http404("No such preview.") from exc
    link = PreviewLink.objects.select_related("post", "revision").filter(token=token)
    link = link.first()
    if link is None:
        raise Http404("No such preview.")
    if link.revoked:
        raise PermissionDenied("This preview link was revoked.")
    if link.expires_at <= timezone.now():
        raise PermissionDenied("This preview link has expired.")
    return link


class ChangeRefused(Exception):
    """An edit of a preview link would make it work again or for longer."""


def revoke(link):
    """Make ``link`` stop working for good."""
    PreviewLink.objects.filter(pk=link.pk).update(revoked=True)
    link.revoked = True


def refusal(link, *, expires_at, revoked):
    """Return why ``link`` (as stored) may not be given ``expires_at`` and
    ``revoked``, or None: a revoked link stays revoked, and a link's expiry can
    only be brought forward, never past the policy's lifetime."""
    if link.revoked and not revoked:
        return "A revoked preview link stays revoked: share a new one instead."
    latest = min(link.expires_at, link.created_at + LIFETIME)
    if expires_at is None or expires_at > latest:
        when = timezone.localtime(latest)
        return (
            "A preview link's expiry can only be brought forward: this one "
            f"expires at {when:%Y-%m-%d %H:%M %Z} at the latest."
        )
    return None


def change(link, *, expires_at, revoked):
    """Revoke ``link`` or bring its expiry forward, as the admin asks; raise
    ChangeRefused for anything that would make it work again or for longer."""
    with transaction.atomic():
        stored = PreviewLink.objects.select_for_update().get(pk=link.pk)
        problem = refusal(stored, expires_at=expires_at, revoked=revoked)
        if problem:
            raise ChangeRefused(problem)
        PreviewLink.objects.filter(pk=link.pk).update(
            expires_at=expires_at, revoked=revoked
        )
    link.expires_at, link.revoked = expires_at, revoked
    return link


def values_for(link):
    """Return the post values ``link`` shows: its revision's, or the latest."""
    if link.revision is not None:
        return link.revision.values
    latest = link.post.revisions.first()
    return latest.values if latest else snapshot(link.post)


class _Items(tuple):
    """A list that templates can read like a related manager (``.all``)."""

    def all(self):
        return self


class Page:
    """A post as revision ``values`` describe it, for the public templates."""

    def __init__(self, values):
        post = load(Post(), values)
        images = Image.objects.in_bulk([image for _, image, _ in values["images"]])
        renditions.render(
            post,
            {
                reference: images[image]
                for reference, image, _ in values["images"]
                if image in images
            },
        )
        authors = Author.objects.in_bulk(values["authors"])
        self._post = post
        self.authors = _Items(authors[pk] for pk in values["authors"] if pk in authors)
        # The tags as the public page links them; one the revision adds, which
        # has no row yet, is shown unlinked.
        tags = Tag.objects.in_bulk(values["tags"], field_name="name")
        self.tags = _Items(
            tags.get(name) or SimpleNamespace(name=name, slug="")
            for name in values["tags"]
        )

    def __getattr__(self, name):
        return getattr(self._post, name)


def draft(post, *, title, summary, body):
    """Return ``post`` (None for a new one) with the editor's unsaved ``title``,
    ``summary`` and ``body``, as a Page for the public article template: the
    live preview beside the Markdown. Images are the post's own and any uploads
    the body refers to; rendering errors (news.documents.markdown.MarkdownError)
    are the caller's to report."""
    if post is None:
        values = snapshot(Post(), tags=[], authors=[], links=[])
    else:
        values = snapshot(post)
    values.update(title=title, summary=summary, body=body)
    # The article's breadcrumbs link to the post's URL, which needs a slug.
    values["slug"] = values["slug"] or slugify(title) or "preview"
    known = {reference for reference, _, _ in values["images"]}
    found = uploads.uploaded(uploads.references(body) - known)
    values["images"] += [[key, image.pk, ""] for key, image in found.items()]
    return Page(values)
