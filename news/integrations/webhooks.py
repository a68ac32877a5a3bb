"""Webhook deliveries: telling subscribers that a post was published,
unpublished, updated or deleted.

The receivers of the domain signals (connected by news.apps) write one
WebhookDelivery per subscription that wants the event and queue a task for it;
a worker sends it. A delivery is a POST of a JSON body, signed as
news.integrations.signing says, to the subscription's URL through the guard of
news.integrations.http. A failed attempt is tried again later, each wait twice
the last; a delivery that has failed every attempt counts against its
subscription, and after NEWSDESK_WEBHOOK_FAILURE_LIMIT of them in a row the
subscription is turned off and its owner emailed.

Nothing unpublished is ever sent: a published or updated post's fields are read
when the delivery is first attempted, and only if the post is public then; a
scheduled post's delivery waits for its time. A post that leaves the site (is
unpublished or deleted) is named by its id, slug and URL only, and only if
readers could see it.

Deletions send no domain signal (the admin deletes through the ORM), so the
deleted event is heard from Post's pre_delete, as the page cache hears of them:
while the post and its relations still exist.
"""

import json
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.db.models.signals import pre_delete
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .. import signals, workers
from ..models import Post, WebhookDelivery, WebhookSubscription
from . import http, payloads, signing

Event = WebhookSubscription.Event
Status = WebhookDelivery.Status


def body(delivery, post):
    """Return the JSON text sent for ``delivery`` about ``post`` (its fields, or
    a dict of them)."""
    return json.dumps(
        {
            "event": delivery.event,
            "delivery": str(delivery.uuid),
            "created_at": delivery.created_at.isoformat(),
            "post": post,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def headers(delivery, timestamp):
    """Return the headers of an attempt of ``delivery`` made at ``timestamp``."""
    data = delivery.body.encode()
    return {
        "Content-Type": "application/json",
        "User-Agent": "Newsdesk-Webhooks/1",
        "X-Newsdesk-Event": delivery.event,
        "X-Newsdesk-Delivery": str(delivery.uuid),
        "X-Newsdesk-Timestamp": str(timestamp),
        "X-Newsdesk-Signature": signing.signature(
            delivery.subscription.secret, timestamp, data
        ),
    }


def queue(event, post_id, *, identity=None, run_after=None):
    """Write a delivery of ``event`` about the post ``post_id`` for every active
    subscription that wants it, and queue each; return them.

    ``identity`` fixes the body's post at once (a post leaving the site);
    without it the post's fields are read when the delivery is sent."""
    deliveries = []
    for subscription in WebhookSubscription.objects.filter(active=True):
        if not subscription.wants(event):
            continue
        if event == Event.PUBLISHED and _known_live(subscription, post_id):
            continue
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event=event, post_id=post_id
        )
        if identity is not None:
            delivery.body = body(delivery, identity)
            delivery.save(update_fields=["body"])
        deliveries.append(delivery)
    for delivery in deliveries:
        _enqueue(delivery, 1, run_after)
    return deliveries


def _known_live(subscription, post_id):
    """Return whether ``subscription`` was last told the post is live: a
    pending change put live is published again, but it is an update (which
    post_changed sends) to a receiver that knows the post."""
    last = (
        subscription.deliveries.filter(post_id=post_id)
        .exclude(status=Status.SKIPPED)
        .order_by("-created_at", "-id")
        .values_list("event", flat=True)
        .first()
    )
    return last in {Event.PUBLISHED, Event.UPDATED}


def send_test(subscription):
    """Queue a ping to ``subscription``, delivered as any event is, once; a
    failed ping counts against nothing. Return the delivery."""
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event=Event.PING
    )
    delivery.body = body(delivery, None)
    delivery.save(update_fields=["body"])
    _enqueue(delivery, 1, None)
    return delivery


def _can_defer():
    return deliver_task.get_backend().supports_defer


def _enqueue(delivery, attempt, run_after):
    workers.enqueue_after(deliver_task, run_after, delivery.pk, attempt)


def retry_delay(attempt):
    """Return how long to wait after failed attempt number ``attempt``."""
    return http.retry_delay(attempt, settings.NEWSDESK_WEBHOOK_RETRY_DELAY)


def deliver(delivery_pk, attempt):
    """Make attempt number ``attempt`` of the delivery ``delivery_pk``.

    Safe to run again: an attempt already recorded is not made twice, and a
    finished delivery is left alone. A worker killed after the receiver
    answered but before the attempt was recorded sends it once more, under the
    same delivery id, so receivers should ignore an id they have seen."""
    delivery = (
        WebhookDelivery.objects.select_related("subscription")
        .filter(pk=delivery_pk)
        .first()
    )
    if delivery is None or delivery.finished or delivery.attempts >= attempt:
        return
    subscription = delivery.subscription
    if not subscription.active:
        _finish(delivery, Status.SKIPPED, "The subscription is turned off.")
        return
    if not delivery.body and not _read_post(delivery, attempt):
        return
    delivery.attempts = attempt
    delivery.attempted_at = timezone.now()
    delivery.next_attempt_at = None
    try:
        error = _send(delivery)
    except http.Refused as refusal:
        _finish(delivery, Status.REFUSED, f"Refused: {refusal}")
        _count_failure(delivery)
        return
    if error:
        delivery.error = error
        _failed_attempt(delivery, attempt)
        return
    _finish(delivery, Status.DELIVERED, "")
    WebhookSubscription.objects.filter(
        pk=subscription.pk, consecutive_failures__gt=0
    ).update(consecutive_failures=0)


def _send(delivery):
    """Make one attempt and note its answer on ``delivery``; return what went
    wrong, or "" for a 2xx. Raises http.Refused for an address not allowed."""
    delivery.response_code = delivery.response_ms = None
    try:
        answer = http.send(
            "POST",
            delivery.subscription.url,
            body=delivery.body.encode(),
            headers=headers(delivery, int(time.time())),
        )
    except http.RequestFailed as failure:
        return str(failure)
    delivery.response_code = answer.status
    delivery.response_ms = answer.milliseconds
    if 200 <= answer.status < 300:
        return ""
    if 300 <= answer.status < 400:
        return f"HTTP {answer.status}: redirects are not followed"
    return f"HTTP {answer.status}"


def _read_post(delivery, attempt):
    """Fix the body of a delivery about a public post; return False (having
    finished or deferred the delivery) if the post is not public now."""
    posts = Post.objects.published().select_related("category", "banner")
    post = posts.filter(pk=delivery.post_id).first()
    if post is not None:
        # Saved with the attempt's outcome, before any retry is queued.
        delivery.body = body(delivery, payloads.post_fields(post))
        return True
    scheduled = Post.objects.scheduled().filter(pk=delivery.post_id).first()
    if scheduled is not None and _can_defer():
        delivery.next_attempt_at = scheduled.published_at
        delivery.save(update_fields=["next_attempt_at"])
        _enqueue(delivery, attempt, scheduled.published_at)
        return False
    _finish(delivery, Status.SKIPPED, "The post is not public.")
    return False


def _finish(delivery, status, error):
    delivery.status = status
    delivery.error = error
    delivery.save()


def _failed_attempt(delivery, attempt):
    if (
        attempt < settings.NEWSDESK_WEBHOOK_MAX_ATTEMPTS
        and delivery.event != Event.PING
    ):
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = timezone.now() + retry_delay(attempt)
        delivery.save()
        _enqueue(delivery, attempt + 1, delivery.next_attempt_at)
        return
    _finish(delivery, Status.FAILED, delivery.error)
    _count_failure(delivery)


def _count_failure(delivery):
    """Count a failed delivery against its subscription; turn it off, and
    email its owner, at the limit."""
    if delivery.event == Event.PING:
        return
    subscriptions = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
    subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.NEWSDESK_WEBHOOK_FAILURE_LIMIT
    turned_off = subscriptions.filter(
        active=True, consecutive_failures__gte=limit
    ).update(active=False)
    if turned_off:
        _tell_owner(
            WebhookSubscription.objects.select_related("owner").get(
                pk=delivery.subscription_id
            ),
            delivery,
        )


def _tell_owner(subscription, delivery):
    owner = subscription.owner
    if owner is None or not owner.email:
        return
    change = reverse("admin:news_webhooksubscription_change", args=[subscription.pk])
    text = "\n".join(
        [
            f"The webhook to {subscription.url} failed "
            f"{subscription.consecutive_failures} deliveries in a row and has "
            "been turned off; nothing more is sent to it.",
            "",
            f"The last error: {delivery.error}",
            "",
            f"Turn it on again once the receiver works: {payloads.absolute(change)}",
        ]
    )
    send_mail(
        f"Webhook turned off: {subscription.url}",
        text,
        settings.DEFAULT_FROM_EMAIL,
        [owner.email],
    )


def prune(older_than, *, dry_run=False):
    """Delete the finished deliveries made more than ``older_than`` (a
    timedelta) ago; return how many (would have) gone. Deliveries still
    pending or retrying stay, however old."""
    old = WebhookDelivery.objects.filter(
        created_at__lt=timezone.now() - older_than,
        status__in=[Status.DELIVERED, Status.FAILED, Status.REFUSED, Status.SKIPPED],
    )
    return old.count() if dry_run else old.delete()[0]


@task()
def deliver_task(delivery_pk, attempt):
    """Make one attempt of a webhook delivery, on a worker (see deliver())."""
    deliver(delivery_pk, attempt)


# Receivers of the domain signals; they run on commit.


def _scheduled(post):
    return (
        post.status == Post.Status.PUBLISHED
        and post.published_at is not None
        and post.published_at > timezone.now()
    )


def _published(sender, post, **kwargs):
    if post.is_published:
        queue(Event.PUBLISHED, post.pk)
    elif _scheduled(post):
        queue(Event.PUBLISHED, post.pk, run_after=post.published_at)


def _was_public(post):
    return post.published_at is not None and post.published_at <= timezone.now()


def _unpublished(sender, post, **kwargs):
    if _was_public(post):
        queue(Event.UNPUBLISHED, post.pk, identity=payloads.identity(post))


def _changed(sender, post, **kwargs):
    if post.is_published:
        queue(Event.UPDATED, post.pk)


def _deleting(sender, instance, **kwargs):
    if instance.is_published:
        # After the delete the instance has no pk and its relations are gone.
        post_id, identity = instance.pk, payloads.identity(instance)
        transaction.on_commit(lambda: queue(Event.DELETED, post_id, identity=identity))


def register_signal_handlers():
    """Queue webhook deliveries for the domain events (news.apps calls this)."""
    signals.post_published.connect(_published, dispatch_uid="webhooks-published")
    signals.post_unpublished.connect(_unpublished, dispatch_uid="webhooks-unpublished")
    signals.post_changed.connect(_changed, dispatch_uid="webhooks-changed")
    pre_delete.connect(_deleting, sender=Post, dispatch_uid="webhooks-deleted")
