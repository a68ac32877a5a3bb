"""What a browser gets from a production configuration: security headers, a
Content-Security-Policy the public pages and the admin work under, cookies, and
throttled admin logins. The test settings are the production ones (debug off)
except that HTTPS is not enforced."""

import base64
import hashlib
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib import admin

from news.models import Category

from .factories import make_post

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


JAVASCRIPT = {"text/javascript", "application/javascript", "module"}


class InlineCode(HTMLParser):
    """Collect what a Content-Security-Policy without 'unsafe-inline' governs."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.attributes, self.urls = [], [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.attributes.append(f"<{tag} {name}={value!r}>")
            if name in {"src", "href"} and (value or "").startswith("javascript:"):
                self.attributes.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            if "src" in attrs:
                self.urls.append(attrs["src"])
            elif (attrs.get("type") or "text/javascript") in JAVASCRIPT:
                self._in = self.scripts  # other types (JSON, JSON-LD) are data
        elif tag == "style":
            self._in = self.styles
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])

    def handle_data(self, data):
        if self._in is not None:
            self._in.append(data)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._in = None


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


def assert_works_under_csp(response):
    """Assert that nothing on the page is something the page's CSP blocks."""
    assert response.status_code == 200
    policy = directives(response)
    page = InlineCode()
    page.feed(response.content.decode())
    assert policy["script-src"] == ["'self'"]
    assert page.scripts == [], "inline scripts are blocked"
    assert page.attributes == [], "inline styles and handlers are blocked"
    for style in page.styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["style-src"], style
    for url in page.urls:
        assert url.startswith("/"), f"{url} is not from this site"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(
        "editor", "editor@news.example", PASSWORD
    )


def test_public_pages_send_the_security_headers(client):
    post = make_post(title="Headline")
    for url in ["/", post.get_absolute_url()]:
        response = client.get(url, secure=True)
        assert_works_under_csp(response)
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert directives(response)["frame-ancestors"] == ["'none'"]
        assert directives(response)["object-src"] == ["'none'"]


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/news/anything/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/news/anything/"


def test_the_admin_works_under_the_content_security_policy(client, editor):
    post = make_post(title="Headline")
    assert_works_under_csp(client.get("/admin/login/"))
    client.force_login(editor)
    for url in [
        "/admin/",
        "/admin/news/post/",
        "/admin/news/post/add/",
        f"/admin/news/post/{post.pk}/change/",
        f"/admin/news/post/{post.pk}/delete/",
        "/admin/news/image/add/",
        "/admin/news/post/import/",
        "/admin/auth/user/add/",
        "/admin/axes/accessattempt/",
        "/admin/jsi18n/",
    ]:
        response = client.get(url)
        if url.endswith("jsi18n/"):
            assert response.status_code == 200
            continue
        assert_works_under_csp(response)


def test_the_change_list_style_without_an_action_bar_is_allowed(
    client, editor, monkeypatch
):
    model_admin = admin.site._registry[Category]
    monkeypatch.setattr(model_admin, "actions_on_top", False)
    monkeypatch.setattr(model_admin, "actions_on_bottom", False)
    client.force_login(editor)
    response = client.get("/admin/news/category/")
    assert "<style>" in response.content.decode()
    assert_works_under_csp(response)


def test_session_and_csrf_cookies_are_secure_and_http_only(client, editor):
    page = client.get("/admin/login/")
    csrf = page.cookies["csrftoken"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "editor",
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf.value,
        },
    )
    assert response.status_code == 302
    for cookie in [csrf, response.cookies["sessionid"]]:
        assert cookie["secure"] is True
        assert cookie["httponly"] is True


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def log_in(client, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": password}
    )


def test_admin_login_is_refused_after_repeated_failures(client, editor, throttled):
    for _ in range(3):
        response = log_in(client, "wrong")
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed sign-in attempts for “editor”" in content
    assert "blocked for 15 minutes, even with the right password" in content
    assert "'self'" in response["Content-Security-Policy"]
    assert client.get("/admin/").status_code == 302  # not signed in


def test_admin_login_works_below_the_limit(client, editor, throttled):
    for _ in range(2):
        assert (
            "Please enter the correct username" in log_in(client, "x").content.decode()
        )
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/admin/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "",
    ],
)
def test_a_refused_next_after_login_lands_on_the_admin(client, editor, next_url):
    login = f"/admin/login/?{urlencode({'next': next_url})}"
    response = client.post(
        login, {"username": "editor", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_a_safe_next_after_login_is_followed(client, editor):
    response = client.post(
        "/admin/login/?next=/admin/news/post/",
        {"username": "editor", "password": PASSWORD, "next": "/admin/news/post/"},
    )
    assert response["Location"] == "/admin/news/post/"
