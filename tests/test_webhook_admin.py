"""The webhook admin: subscriptions with their refusals and a test delivery,
and the read-only delivery log; in Chromium, each page passes axe-core."""

import pytest

from news.integrations import webhooks
from news.models import WebhookDelivery, WebhookSubscription

from .browser import browser  # noqa: F401 (the fixture)
from .factories import make_post, make_user
from .loopback import Receiver

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # skipped with the browser fixture when Playwright is missing
    Axe = None

ADD = "/admin/news/webhooksubscription/add/"
CHANGELIST = "/admin/news/webhooksubscription/"
LOG = "/admin/news/webhookdelivery/"


@pytest.fixture
def boss(db):
    return make_user("boss", superuser=True)


@pytest.fixture
def receiver(settings):
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with Receiver() as receiver:
        yield receiver


def form(url, *events):
    return {"url": url, "events": list(events), "secret": "abc", "active": "on"}


def test_a_subscription_is_added_with_its_events_and_its_owner(client, boss):
    client.force_login(boss)
    response = client.post(
        ADD, form("https://hooks.example.com/in", "post.published", "post.deleted")
    )
    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["post.published", "post.deleted"]
    assert subscription.owner == boss
    page = client.get(CHANGELIST)
    assert b"https://hooks.example.com/in" in page.content
    assert b"post.deleted, post.published" in page.content
    log = f"/admin/news/webhookdelivery/?subscription__id__exact={subscription.pk}"
    assert f'href="{log}"' in page.content.decode()
    assert client.get(log).status_code == 200


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://hooks.example.com/in", "Only http and https URLs may be called."),
        ("http://169.254.169.254/latest/", "169.254.169.254 is a link-local address."),
        ("http://10.0.0.5/in", "10.0.0.5 is a private address."),
    ],
)
def test_the_form_refuses_urls_no_delivery_may_go_to(client, boss, url, message):
    client.force_login(boss)
    response = client.post(ADD, form(url, "post.published"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_needs_an_event(client, boss):
    client.force_login(boss)
    response = client.post(ADD, form("https://hooks.example.com/in"))
    assert "This field is required." in response.content.decode()


def test_send_a_test_delivery_and_read_it_in_the_log(client, boss, receiver):
    client.force_login(boss)
    subscription = WebhookSubscription.objects.create(
        url=receiver.url + "/ping", events=["post.published"]
    )
    response = client.post(
        CHANGELIST,
        {"action": "send_test", "_selected_action": [subscription.pk]},
        follow=True,
    )
    assert "Queued 1 test deliveries" in response.content.decode()
    [request] = receiver.requests
    assert request.headers["X-Newsdesk-Event"] == "ping"
    log = client.get(LOG).content.decode()
    assert "Delivered" in log
    assert "response time (ms)" in log.lower()
    delivery = WebhookDelivery.objects.get()
    assert f'<td class="field-response_ms">{delivery.response_ms}</td>' in log


def test_turning_a_subscription_on_again_forgets_its_failures(client, boss):
    client.force_login(boss)
    subscription = WebhookSubscription.objects.create(
        url="https://hooks.example.com/in",
        events=["post.published"],
        active=False,
        consecutive_failures=5,
        owner=boss,
    )
    data = form(subscription.url, "post.published") | {"owner": boss.pk}
    client.post(f"{CHANGELIST}{subscription.pk}/change/", data)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 0)


def test_the_delivery_log_is_read_only(client, boss, settings):
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = []
    client.force_login(boss)
    subscription = WebhookSubscription.objects.create(
        url="http://127.0.0.1:9/", events=["post.published"]
    )
    [delivery] = webhooks.queue("post.published", make_post(title="Logged").pk)
    assert client.get(LOG + "add/").status_code == 403
    page = client.get(f"{LOG}{delivery.pk}/change/")
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    assert client.post(f"{LOG}{delivery.pk}/delete/").status_code == 403
    assert WebhookDelivery.objects.filter(subscription=subscription).exists()


def test_editors_cannot_see_webhooks(client, db):
    editor = make_user("edna", "Editors", "Publishers")
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(LOG).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_webhook_pages_pass_axe(live_server, browser, settings):  # noqa: F811
    settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = []
    make_user("boss", superuser=True)
    subscription = WebhookSubscription.objects.create(
        url="http://127.0.0.1:9/", events=["post.published", "post.updated"]
    )
    WebhookSubscription.objects.create(
        url="https://hooks.example.com/in", events=["post.deleted"], active=False
    )
    webhooks.queue("post.published", make_post(title="Logged").pk)
    delivery = WebhookDelivery.objects.get()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    problems = []
    for path in [
        CHANGELIST,
        ADD,
        f"{CHANGELIST}{subscription.pk}/change/",
        LOG,
        f"{LOG}{delivery.pk}/change/",
    ]:
        page.goto(live_server.url + path)
        problems += [
            f"{path}: axe {violation['id']} ({violation['impact']}): "
            f"{violation['help']} at {node['target']}"
            for violation in Axe().run(page).response["violations"]
            for node in violation["nodes"]
        ]
    assert problems == [], "\n".join(problems)


def test_who_may_only_look_cannot_send_a_test(client, db):
    from django.contrib.auth.models import Permission

    viewer = make_user("vera")
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_webhooksubscription")
    )
    subscription = WebhookSubscription.objects.create(
        url="https://hooks.example.com/in", events=["post.published"]
    )
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert b"send_test" not in page.content
    client.post(
        CHANGELIST, {"action": "send_test", "_selected_action": [subscription.pk]}
    )
    assert not WebhookDelivery.objects.exists()
