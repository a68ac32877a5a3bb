"""Webhooks: who hears about published posts, and the log of what was sent.

A subscription is a receiver's URL, the events it wants and the secret its
deliveries are signed with (news.integrations.webhooks). Each delivery keeps the
exact body it sends, so a retry sends the same bytes under the same delivery id.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models


def new_secret():
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    class Event(models.TextChoices):
        PUBLISHED = "post.published", "Post published"
        UNPUBLISHED = "post.unpublished", "Post unpublished"
        UPDATED = "post.updated", "Post updated"
        DELETED = "post.deleted", "Post deleted"
        # What the admin's "send a test" delivers; no subscription asks for it.
        PING = "ping", "Test"

    url = models.URLField(
        "URL",
        max_length=500,
        help_text="Where deliveries are POSTed: http or https, on a public address.",
    )
    events = models.JSONField(
        default=list, help_text="The events this receiver hears of."
    )
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="Signs each delivery (HMAC-SHA256); the receiver checks it.",
    )
    active = models.BooleanField(
        default=True,
        help_text="Turned off by itself after too many failed deliveries in a row.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        help_text="Emailed when the subscription is turned off.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "id"]
        verbose_name = "webhook subscription"

    def __str__(self):
        return self.url

    def wants(self, event):
        """Return whether this subscription hears of ``event``."""
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused (address not allowed)"
        SKIPPED = "skipped", "Skipped"

    uuid = models.UUIDField("delivery id", default=uuid.uuid4, unique=True)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookSubscription.Event)
    # Not a foreign key: the log outlives a deleted post.
    post_id = models.BigIntegerField(null=True, blank=True)
    # The JSON sent, fixed at the first attempt (at the event for a deletion).
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(
        "response time (ms)", null=True, blank=True
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} to {self.subscription} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in {
            self.Status.DELIVERED,
            self.Status.FAILED,
            self.Status.REFUSED,
            self.Status.SKIPPED,
        }
