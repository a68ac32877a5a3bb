"""The editorial record: transitions, revisions, review comments and preview links."""

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .content import Post


def actor_field(**options):
    """Return a foreign key to the user who did something; empty for the command
    line and other system actors, and kept when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the command line and other system actors.",
        **options,
    )


class AuditEntry(models.Model):
    """One workflow transition: who moved which post from what to what, and why."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="audit_entries"
    )
    user = actor_field()
    transition = models.CharField(max_length=40)
    from_status = models.CharField(
        max_length=20,
        choices=Post.Status.choices,
        blank=True,
        help_text="Empty on creation.",
    )
    to_status = models.CharField(max_length=20, choices=Post.Status.choices)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(
        "Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="Set when the transition moved a pending change of a live post.",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.post}: {self.from_status} -> {self.to_status}"


class Revision(models.Model):
    """The post as it was saved once, as its front-matter Markdown document.

    ``values`` holds what is needed to put the revision back (restore, or publish
    a pending change); ``document`` is what people read and diff. A revision with
    a ``pending_status`` is a change to a live post still in review.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    document = models.TextField()
    values = models.JSONField(default=dict)
    pending_status = models.CharField(
        max_length=20,
        choices=Post.Status.choices,
        blank=True,
        help_text="Where a pending change of a live post is in review.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=~Q(pending_status=""),
                name="one_pending_change_per_post",
            )
        ]

    def __str__(self):
        return f"{self.post} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self):
        return reverse("news:revision_preview", kwargs={"pk": self.pk})


class ReviewComment(models.Model):
    """A reviewer's remark on a post, in general or on one line of its Markdown."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="review_comments"
    )
    line = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The line of the Markdown body it is about; empty for the post.",
    )
    text = models.TextField()
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "line", "created_at"]

    def __str__(self):
        where = f"line {self.line}" if self.line else "the post"
        return f"On {where} of {self.post}"


class PreviewLink(models.Model):
    """A shareable, expiring, revocable preview of an unpublished post.

    Pinned to ``revision`` when set; otherwise it follows the latest draft.
    """

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="preview_links"
    )
    revision = models.ForeignKey(
        Revision,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="preview_links",
        help_text="Empty to follow the latest draft.",
    )
    SIGNING_SALT = "news.previews"

    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = actor_field()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of {self.post}"

    def get_absolute_url(self):
        return reverse("news:shared_preview", kwargs={"signed": self.signed_token()})

    def signed_token(self):
        """Return the link's token signed, as its URL carries it: a tampered URL
        is refused (news.editorial.previews.link_for) before the database is
        asked."""
        return signing.Signer(salt=self.SIGNING_SALT).sign(self.token)

    @property
    def is_active(self):
        return not self.revoked and self.expires_at > timezone.now()


class Autosave(models.Model):
    """One person's unsaved work on one post, kept every few seconds by the
    editor so that a closed or crashed tab loses nothing: one slot per person
    and post (``post`` empty for a post not saved yet), written over each time.
    It is no revision: saving the form discards it."""

    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="autosaves",
        help_text="Empty for a new post.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post"],
                condition=Q(post__isnull=False),
                name="one_autosave_per_user_and_post",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(post__isnull=True),
                name="one_autosave_per_user_for_a_new_post",
            ),
        ]

    def __str__(self):
        return f"{self.user}'s unsaved work on {self.post or 'a new post'}"


class Presence(models.Model):
    """Who has a post's form open: the editor's heartbeat renews ``seen_at``."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"], name="one_presence_per_post_and_user"
            )
        ]

    def __str__(self):
        return f"{self.user} on {self.post}"
