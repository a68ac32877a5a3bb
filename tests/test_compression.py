"""Public pages and feeds are compressed; nothing with a CSRF token or a
session is (BREACH)."""

import gzip

import brotli
import pytest
from django.core.cache import cache

from .factories import make_post, make_user

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/news/harbour/", "/tags/ferries/", "/search/?q=harbour", "/feed/"]


@pytest.fixture
def site():
    cache.clear()
    post = make_post(title="Harbour", slug="harbour", body="Ferries. " * 400)
    post.tags.add("ferries")


def decoded(response):
    encoding = response.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.content)
    if encoding == "br":
        return brotli.decompress(response.content)
    assert encoding is None
    return response.content


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_public_pages_and_feeds_are_compressed(client, site, url, encoding):
    plain = client.get(url)
    response = client.get(url, headers={"accept-encoding": f"{encoding}, deflate"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(plain.content) / 2
    assert decoded(response) == plain.content


def test_nothing_is_compressed_for_a_client_that_does_not_ask(client, site):
    assert not client.get("/").has_header("Content-Encoding")


def test_a_kept_page_is_compressed_too(client, site, settings):
    settings.NEWSDESK_PAGE_CACHE = True
    client.get("/news/harbour/")
    hit = client.get("/news/harbour/", headers={"accept-encoding": "gzip"})
    assert hit["Content-Encoding"] == "gzip"
    assert b"Ferries." in decoded(hit)


def test_the_login_page_with_its_csrf_token_is_never_compressed(client, site):
    response = client.get("/admin/login/", headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")


def test_admin_pages_of_a_logged_in_editor_are_never_compressed(client, site):
    client.force_login(make_user("editor", superuser=True))
    for url in ["/admin/", "/admin/news/post/", "/admin/news/post/add/"]:
        response = client.get(url, headers={"accept-encoding": "gzip, br"})
        assert response.status_code == 200, url
        assert len(response.content) > 500
        assert not response.has_header("Content-Encoding"), url


def test_a_public_page_asked_for_with_a_session_is_still_compressed(client, site):
    # Public pages never read the session, so a logged-in reader's page is
    # the same page: compressing it leaks nothing.
    client.force_login(make_user("reader"))
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
