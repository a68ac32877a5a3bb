"""Webhooks: signed deliveries to a real receiver on loopback, retries, the
SSRF guard, turning a failing subscription off, and nothing unpublished sent."""

import contextlib
import io
import json
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import default_task_backend

from news.editorial import revisions, workflow
from news.integrations import signing, webhooks
from news.models import Post, WebhookDelivery, WebhookSubscription
from tests.conftest import QUEUED_ONLY

from .factories import (
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
    make_user,
)
from .loopback import Receiver, signature_ok

pytestmark = pytest.mark.django_db

S = Post.Status
D = WebhookDelivery.Status
ALL_EVENTS = [
    "post.published",
    "post.unpublished",
    "post.updated",
    "post.deleted",
]


@pytest.fixture
def loopback_allowed(settings):
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    settings.NEWSDESK_SITE_URL = "https://news.example.com"
    settings.NEWSDESK_WEBHOOK_RETRY_DELAY = 60
    settings.NEWSDESK_WEBHOOK_MAX_ATTEMPTS = 3
    settings.NEWSDESK_WEBHOOK_FAILURE_LIMIT = 3


@pytest.fixture
def receiver(loopback_allowed):
    with Receiver(secret="s3cret") as receiver:
        yield receiver


def subscribe(url, events=ALL_EVENTS, **kwargs):
    return WebhookSubscription.objects.create(
        url=url, events=list(events), secret="s3cret", **kwargs
    )


def test_a_published_post_is_delivered_signed_with_its_public_fields(
    receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url + "/hooks?source=newsdesk")
    post = make_post(title="Budget passes", status=S.DRAFT, summary="It passed.")
    post.tags.add("Politics")
    post.category = make_category("National")
    post.save()
    add_authors(post, make_author("Ann Lee"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hooks?source=newsdesk"
    assert request.signature_ok is True
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Newsdesk-Event"] == "post.published"
    data = json.loads(request.body)
    assert data["event"] == "post.published"
    assert data["delivery"] == request.headers["X-Newsdesk-Delivery"]
    sent = data["post"]
    assert sent["title"] == "Budget passes"
    assert sent["summary"] == "It passed."
    assert sent["url"] == "https://news.example.com/news/budget-passes/"
    assert sent["category"]["url"] == "https://news.example.com/categories/national/"
    assert sent["tags"] == [
        {
            "name": "Politics",
            "slug": "politics",
            "url": "https://news.example.com/tags/politics/",
        }
    ]
    assert sent["authors"][0]["url"] == "https://news.example.com/authors/ann-lee/"
    assert "<p>Body text.</p>" in sent["html"]
    assert "body" not in sent  # the Markdown source is not a public field here
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.response_code, delivery.attempts) == (
        D.DELIVERED,
        200,
        1,
    )
    assert delivery.response_ms is not None
    assert str(delivery.uuid) == request.headers["X-Newsdesk-Delivery"]


def test_the_banner_is_sent_with_its_absolute_url(receiver):
    subscribe(receiver.url)
    banner = make_image(size=(64, 48), alt="A river in flood")
    post = make_post(title="Bannered", banner=banner)
    webhooks.queue("post.published", post.pk)
    image = json.loads(receiver.requests[0].body)["post"]["image"]
    assert image == {
        "url": "https://news.example.com" + banner.file.url,
        "width": 64,
        "height": 48,
        "alt": "A river in flood",
    }
    assert banner.file.url.startswith("/")


def test_relative_image_urls_in_the_html_are_made_absolute(receiver, settings):
    subscribe(receiver.url)
    post = make_post(title="Pictured")
    Post.objects.filter(pk=post.pk).update(
        body_html='<p><img src="/media/a.jpg" srcset="/media/a-320.jpg 320w, '
        '/media/a-640.jpg 640w" alt=""><a href="https://other.example/x">x</a></p>'
    )
    webhooks.queue("post.updated", post.pk)
    html = json.loads(receiver.requests[0].body)["post"]["html"]
    assert 'src="https://news.example.com/media/a.jpg"' in html
    assert (
        'srcset="https://news.example.com/media/a-320.jpg 320w, '
        'https://news.example.com/media/a-640.jpg 640w"'
    ) in html
    assert 'href="https://other.example/x"' in html


def test_a_receiver_refuses_a_replayed_or_altered_delivery(receiver):
    subscribe(receiver.url)
    webhooks.queue("post.published", make_post(title="Once").pk)
    [request] = receiver.requests
    stamp = int(request.headers["X-Newsdesk-Timestamp"])
    # The same bytes sent again ten minutes later are refused...
    assert not signature_ok("s3cret", request.headers, request.body, now=stamp + 600)
    # ...and so is a changed body, or a timestamp moved to make it fresh.
    assert not signature_ok("s3cret", request.headers, request.body + b" ")
    moved = {**request.headers, "X-Newsdesk-Timestamp": str(stamp + 600)}
    assert not signature_ok("s3cret", moved, request.body, now=stamp + 600)
    # The project's own check agrees.
    signed = request.headers["X-Newsdesk-Signature"]
    assert signing.verify("s3cret", str(stamp), request.body, signed, now=stamp)
    assert not signing.verify(
        "s3cret", str(stamp), request.body, signed, now=stamp + 301
    )
    assert not signing.verify("other", str(stamp), request.body, signed, now=stamp)


def test_a_500_is_tried_again_with_the_same_body_and_delivery_id(receiver):
    subscribe(receiver.url)
    receiver.statuses = [500, 503]
    webhooks.queue("post.published", make_post(title="Third time").pk)
    first, second, third = receiver.requests
    assert first.body == second.body == third.body
    ids = {r.headers["X-Newsdesk-Delivery"] for r in receiver.requests}
    assert len(ids) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        D.DELIVERED,
        3,
        200,
    )


@pytest.fixture
def deferring(settings):
    """A backend that keeps what is queued (with its run_after) instead of
    running it."""
    settings.TASKS = QUEUED_ONLY
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def deliveries_queued(backend):
    return [r for r in backend.results if r.task.func == webhooks.deliver_task.func]


def test_each_retry_waits_twice_as_long_as_the_last(receiver, deferring):
    subscribe(receiver.url)
    post = make_post(title="Flaky")
    receiver.statuses = [500, 500, 500]
    [delivery] = webhooks.queue("post.published", post.pk)
    waits = []
    for attempt in (1, 2, 3):
        [queued] = deferring.results
        assert queued.args == [delivery.pk, attempt]
        deferring.clear()
        before = timezone.now()
        webhooks.deliver(delivery.pk, attempt)
        delivery.refresh_from_db()
        if attempt < 3:
            [queued] = deferring.results
            waits.append(queued.task.run_after - before)
            assert delivery.status == D.RETRYING
            assert delivery.next_attempt_at == queued.task.run_after
            # Put it back for the loop to find.
            deferring.results[:] = [queued]
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 2]
    assert delivery.status == D.FAILED
    assert delivery.error == "HTTP 500"
    assert len(receiver.requests) == 3


def test_an_attempt_already_made_is_not_made_again(receiver):
    subscribe(receiver.url)
    [delivery] = webhooks.queue("post.published", make_post(title="Once only").pk)
    webhooks.deliver(delivery.pk, 1)  # a worker running the task a second time
    assert len(receiver.requests) == 1


def test_a_private_address_is_refused(loopback_allowed):
    subscription = subscribe("http://10.1.2.3:8080/hook")
    webhooks.queue("post.published", make_post(title="Private").pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == D.REFUSED
    assert (
        delivery.error == "Refused: 10.1.2.3 resolves to 10.1.2.3, a private address."
    )
    assert delivery.response_code is None
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 1


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:9/", "loopback"),
        ("http://[::ffff:192.168.0.1]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "non-global"),
    ],
)
def test_other_addresses_that_are_not_public_are_refused(settings, url, kind):
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = []
    subscribe(url)
    webhooks.queue("post.published", make_post(title="Inside").pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == D.REFUSED
    assert f"a {kind} address" in delivery.error


def test_a_name_that_resolves_to_loopback_is_refused_unless_allowed(settings):
    with Receiver() as receiver:
        settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = []
        subscribe(f"http://localhost:{receiver.port}/hook")
        webhooks.queue("post.published", make_post(title="Rebound").pk)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == D.REFUSED
        assert delivery.error.startswith("Refused: localhost resolves to ")
        assert "loopback address" in delivery.error
        assert receiver.requests == []
        # Allowed by the setting, the same name is delivered to.
        settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
        webhooks.queue("post.updated", Post.objects.get().pk)
        assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(receiver):
    subscribe(receiver.url)
    receiver.statuses = [302, 302, 302]
    receiver.headers_out = {"Location": "http://10.0.0.1/internal"}
    webhooks.queue("post.published", make_post(title="Moved").pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == D.FAILED
    assert delivery.error == "HTTP 302: redirects are not followed"
    assert all(r.path == "/" for r in receiver.requests)


def test_the_subscription_is_turned_off_after_n_failed_deliveries_and_its_owner_told(
    receiver, settings
):
    settings.NEWSDESK_WEBHOOK_MAX_ATTEMPTS = 1
    owner = make_user("olga", superuser=True)
    subscription = subscribe(receiver.url, owner=owner)
    receiver.statuses = [500] * 10
    for n in range(3):
        webhooks.queue("post.published", make_post(title=f"Story {n}").pk)
        assert mail.outbox == [] or n == 2
    subscription.refresh_from_db()
    assert subscription.active is False
    assert subscription.consecutive_failures == 3
    [message] = mail.outbox
    assert message.to == ["olga@example.com"]
    assert message.subject == f"Webhook turned off: {receiver.url}"
    assert "failed 3 deliveries in a row" in message.body
    assert "The last error: HTTP 500" in message.body
    assert (
        f"https://news.example.com/admin/news/webhooksubscription/{subscription.pk}/"
        "change/" in message.body
    )
    # Nothing more is sent to it.
    webhooks.queue("post.published", make_post(title="Story 4").pk)
    assert len(receiver.requests) == 3
    assert len(mail.outbox) == 1


def test_a_delivery_resets_the_count_of_failures(receiver, settings):
    settings.NEWSDESK_WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe(receiver.url)
    receiver.statuses = [500, 500, 200, 500, 500]
    for n in range(5):
        webhooks.queue("post.published", make_post(title=f"Story {n}").pk)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 2)


def test_draft_and_scheduled_content_is_never_sent(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_post(title="Secret draft", status=S.DRAFT)
        # An edit of a draft, a scheduled publication, deleting a draft.
        revisions.save_edit(draft, by=None, save=draft.save)
        scheduled = make_post(title="Embargoed", status=S.DRAFT)
        workflow.publish(scheduled, by=None, at=timezone.now() + timedelta(hours=2))
        make_post(title="Doomed draft", status=S.DRAFT).delete()
    assert receiver.requests == []
    # The scheduled post's delivery found it not public yet: the immediate
    # backend cannot wait for its time, so it was skipped.
    [skipped] = WebhookDelivery.objects.all()
    assert (skipped.status, skipped.error) == (D.SKIPPED, "The post is not public.")
    assert "Embargoed" not in skipped.body


def test_a_post_unpublished_before_its_delivery_is_not_sent(receiver, deferring):
    subscribe(receiver.url)
    post = make_post(title="Pulled")
    [delivery] = webhooks.queue("post.published", post.pk)
    Post.objects.filter(pk=post.pk).update(status=S.DRAFT)
    webhooks.deliver(delivery.pk, 1)
    delivery.refresh_from_db()
    assert delivery.status == D.SKIPPED
    assert receiver.requests == []


def test_a_scheduled_post_is_delivered_at_its_time(
    receiver, deferring, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    post = make_post(title="Later", status=S.DRAFT)
    at = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None, at=at)
    [queued] = deliveries_queued(deferring)
    assert queued.task.run_after == at
    assert receiver.requests == []
    # Its time has come: the task runs, finds the post public, and sends it.
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now())
    webhooks.deliver(*queued.args)
    assert json.loads(receiver.requests[0].body)["post"]["title"] == "Later"


def test_unpublished_and_deleted_posts_are_named_not_sent(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    post = make_post(title="Withdrawn", body="All the details.")
    gone = make_post(title="Gone", body="More details.")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        gone_pk = gone.pk
        gone.delete()
    events = [r.headers["X-Newsdesk-Event"] for r in receiver.requests]
    assert events == ["post.unpublished", "post.deleted"]
    withdrawn, deleted = (json.loads(r.body)["post"] for r in receiver.requests)
    assert withdrawn == {
        "id": post.pk,
        "slug": "withdrawn",
        "language": post.language,
        "url": "https://news.example.com/news/withdrawn/",
    }
    assert deleted["id"] == gone_pk
    assert deleted["url"] == "https://news.example.com/news/gone/"
    assert all(b"details" not in r.body for r in receiver.requests)


def test_a_subscription_hears_only_its_events(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, events=["post.unpublished"])
    post = make_post(title="Quiet", status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    assert [r.headers["X-Newsdesk-Event"] for r in receiver.requests] == [
        "post.unpublished"
    ]


def test_nothing_is_queued_before_the_transaction_commits(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    post = make_post(title="Pending", status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.publish(post, by=None)
    assert WebhookDelivery.objects.count() == 0
    assert callbacks


def receiver_code():
    """Return the namespace of the receiver's check in docs/integrations.md."""
    text = (Path(__file__).resolve().parent.parent / "docs/integrations.md").read_text()
    section = text.split("### Receiving a delivery", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (the project's own documentation)
    return namespace


def test_the_documented_receiver_check_accepts_a_delivery_and_refuses_a_replay(
    receiver,
):
    subscribe(receiver.url)
    webhooks.queue("post.published", make_post(title="Documented").pk)
    [request] = receiver.requests
    docs = receiver_code()
    assert docs["accept"]("s3cret", request.headers, request.body) is True
    assert request.headers["X-Newsdesk-Delivery"] in docs["seen"]
    assert docs["accept"]("wrong", request.headers, request.body) is False
    assert docs["accept"]("s3cret", request.headers, request.body + b"x") is False
    stale = {**request.headers, "X-Newsdesk-Timestamp": str(int(time.time()) - 301)}
    assert docs["accept"]("s3cret", stale, request.body) is False


def test_a_pending_change_put_live_is_an_update_not_a_second_publication(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url)
    post = make_post(title="Live", status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    author = make_user("ann", "Authors")
    add_authors(post, author)
    post.refresh_from_db()
    post.title = "Live, corrected"
    with django_capture_on_commit_callbacks(execute=True):
        revisions.save_edit(post, by=author, save=post.save)
    # A change waiting for review is not public: nothing is sent of it.
    assert len(receiver.requests) == 1
    assert b"corrected" not in receiver.requests[0].body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    events = [r.headers["X-Newsdesk-Event"] for r in receiver.requests]
    assert events == [
        "post.published",
        "post.updated",
        "post.unpublished",
        "post.published",
    ]
    assert json.loads(receiver.requests[1].body)["post"]["title"] == "Live, corrected"


def test_the_name_is_resolved_once_and_the_checked_address_is_connected_to(
    receiver, monkeypatch
):
    """A name that answers a checked address first and a private one after
    (DNS rebinding) is still delivered to the address that was checked."""
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            host = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    subscribe(f"http://rebind.test:{receiver.port}/hook")
    webhooks.queue("post.published", make_post(title="Rebinding").pk)
    [request] = receiver.requests
    assert request.headers["Host"] == f"rebind.test:{receiver.port}"
    assert lookups == ["rebind.test"]
    assert WebhookDelivery.objects.get().status == D.DELIVERED


def test_no_answer_is_a_failed_attempt_with_the_reason(loopback_allowed):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    subscribe(f"http://127.0.0.1:{port}/")
    webhooks.queue("post.published", make_post(title="Nobody home").pk)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (D.FAILED, 3)
    assert delivery.response_code is None
    assert delivery.error.startswith("ConnectionRefusedError")


def test_posts_deleted_together_are_each_announced(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url, events=["post.deleted"])
    for title in ("One", "Two"):
        make_post(title=title)
    make_post(title="Draft three", status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.all().delete()
    urls = sorted(json.loads(r.body)["post"]["url"] for r in receiver.requests)
    assert urls == [
        "https://news.example.com/news/one/",
        "https://news.example.com/news/two/",
    ]


def test_prune_webhook_deliveries_deletes_old_finished_ones(loopback_allowed):
    subscription = subscribe("http://10.0.0.1/")  # refused: finished at once
    post = make_post(title="Old news")
    old, recent = webhooks.queue("post.published", post.pk) + webhooks.queue(
        "post.updated", post.pk
    )
    waiting = WebhookDelivery.objects.create(
        subscription=subscription, event="post.updated", status=D.RETRYING
    )
    long_ago = timezone.now() - timedelta(days=31)
    WebhookDelivery.objects.filter(pk__in=[old.pk, waiting.pk]).update(
        created_at=long_ago
    )
    out = io.StringIO()
    call_command("prune_webhook_deliveries", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "1 delivery(ies) would be deleted."
    assert WebhookDelivery.objects.count() == 3
    out = io.StringIO()
    call_command("prune_webhook_deliveries", stdout=out)
    assert out.getvalue().strip() == "1 delivery(ies) deleted."
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {
        recent.pk,
        waiting.pk,
    }
    with pytest.raises(CommandError, match="--older-than must be 0 or more days."):
        call_command("prune_webhook_deliveries", "--older-than", "-1")


def test_an_internationalised_name_is_looked_up_in_its_ascii_form(
    receiver, monkeypatch
):
    real = socket.getaddrinfo
    looked_up = []

    def resolver(host, port, *args, **kwargs):
        looked_up.append(host)
        if host == "xn--caf-dma.test":
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    subscribe(f"http://café.test:{receiver.port}/hook")
    webhooks.queue("post.published", make_post(title="Accented").pk)
    assert looked_up[0] == "xn--caf-dma.test"
    assert receiver.requests[0].headers["Host"] == f"xn--caf-dma.test:{receiver.port}"
    assert WebhookDelivery.objects.get().status == D.DELIVERED


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off(loopback_allowed, settings):
    settings.NEWSDESK_WEBHOOK_TIMEOUT = 1
    settings.NEWSDESK_WEBHOOK_MAX_ATTEMPTS = 1
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 100:
                if stop.is_set():
                    return
                with contextlib.suppress(OSError):
                    connection.sendall(bytes([byte]))
                time.sleep(0.2)  # each byte well within the socket's timeout

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    subscribe(f"http://127.0.0.1:{server.getsockname()[1]}/")
    started = time.monotonic()
    webhooks.queue("post.published", make_post(title="Slow").pk)
    took = time.monotonic() - started
    stop.set()
    server.close()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error) == (D.FAILED, "No answer within 1 s.")
    assert took < 5


def test_the_wait_doubles_up_to_a_day(settings):
    settings.NEWSDESK_WEBHOOK_RETRY_DELAY = 60
    waits = [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 12, 500)]
    assert waits == [60, 120, 240, 86400, 86400]
