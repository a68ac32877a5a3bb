"""CDN purges: the pages a change touches, purged through each purger, against
a server on loopback standing in for the cache or the CDN's API."""

import json

import pytest
from django.urls import clear_url_caches, get_resolver

from news import signals
from news.editorial import revisions, workflow
from news.integrations import purge
from news.integrations.payloads import Pages, affected, page_keys, site_pages
from news.models import Author, Category, Post
from news.public import cache, context_processors
from news.public.views import PAGE_SIZE

from .factories import add_authors, make_post
from .loopback import Receiver

pytestmark = pytest.mark.django_db

S = Post.Status
SITE = "https://news.example.com"


@pytest.fixture
def cdn(settings):
    settings.NEWSDESK_SITE_URL = SITE
    with Receiver() as server:
        yield server


def story(**kwargs):
    post = make_post(title="Flood warning", **kwargs)
    post.tags.add("Weather", "Rivers")
    post.category = Category.objects.get_or_create(name="Local news", slug="local")[0]
    post.save()
    author = Author.objects.get_or_create(name="Ann Lee", slug="ann-lee")[0]
    return add_authors(post, author)


ARTICLE_PAGES = {
    "/news/flood-warning/",
    "/",
    "/tags/weather/",
    "/tags/weather/feed/",
    "/tags/weather/feed/atom/",
    "/tags/rivers/",
    "/categories/local/",
    "/categories/local/feed/",
    "/authors/ann-lee/",
    "/authors/ann-lee/feed/atom/",
    "/feed/",
    "/feed/atom/",
    "/feed/json/",
    "/tags/rivers/feed/json/",
    "/sitemap.xml",
    "/sitemap-posts.xml",
    "/tags/",
    "/categories/",
    "/authors/",
    "/archive/",
    "/api/posts/",
    "/api/posts/en/flood-warning/",
    "/api/tags/",
    "/api/categories/",
    "/api/authors/",
}


def test_publishing_purges_the_article_home_sections_feeds_and_sitemap(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    post = story(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    assert {r.method for r in cdn.requests} == {"PURGE"}
    assert {r.headers["Host"] for r in cdn.requests} == {"news.example.com"}
    paths = {r.path for r in cdn.requests}
    assert paths >= ARTICLE_PAGES
    when = Post.objects.get().published_at
    assert f"/archive/{when.year}/{when.month}/" in paths
    assert len(paths) == len(cdn.requests)  # each page once
    # A new post moves every page of its lists down: the next pages of each
    # go too, up to NEWSDESK_CDN_PURGE_LIST_PAGES in all.
    for path in ["/", "/tags/weather/", "/categories/local/", "/authors/ann-lee/"]:
        assert {f"{path}?page={n}" for n in range(2, 6)} <= paths, path
    assert "/?page=6" not in paths and "/news/flood-warning/?page=2" not in paths
    assert f"/archive/{when.year}/?page=5" in paths


def test_purges_by_url_reach_as_many_list_pages_as_set(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    settings.NEWSDESK_CDN_PURGE_LIST_PAGES = 1
    post = story(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    assert not [r.path for r in cdn.requests if "?page=" in r.path]


def test_a_failed_purge_is_tried_again_until_it_succeeds(
    cdn, settings, django_capture_on_commit_callbacks, caplog
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    # Two attempts refused whole, then the CDN answers.
    cdn.statuses = [503] * len(site_pages().urls) * 2
    with django_capture_on_commit_callbacks(execute=True):
        signals.site_changed.send(sender=Post)
    home = [r for r in cdn.requests if r.path == "/"]
    # The first two attempts were refused; the third went through.
    assert len(home) == 3
    assert "CDN purge failed, tried again" in caplog.text
    assert "given up" not in caplog.text


def test_a_purge_that_keeps_failing_is_given_up_and_logged(
    cdn, settings, django_capture_on_commit_callbacks, caplog
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    settings.NEWSDESK_CDN_PURGE_MAX_ATTEMPTS = 3
    cdn.statuses = [500] * len(site_pages().urls) * 5
    with django_capture_on_commit_callbacks(execute=True):
        signals.site_changed.send(sender=Post)
    assert len([r for r in cdn.requests if r.path == "/"]) == 3
    assert "CDN purge failed 3 times, given up" in caplog.text


def test_purge_retries_wait_longer_each_time(settings):
    from news.integrations import http

    waits = [http.retry_delay(n, 30).total_seconds() for n in (1, 2, 3, 30)]
    assert waits == [30, 60, 120, 24 * 60 * 60]


def test_unpublishing_editing_and_deleting_a_live_post_purge_it(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    post = story()
    with django_capture_on_commit_callbacks(execute=True):
        revisions.save_edit(post, by=None, save=post.save)
    assert "/news/flood-warning/" in {r.path for r in cdn.requests}
    cdn.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    assert {r.path for r in cdn.requests} >= ARTICLE_PAGES
    cdn.requests.clear()
    live = story(slug="flood-warning-2")
    with django_capture_on_commit_callbacks(execute=True):
        live.delete()
    assert "/news/flood-warning-2/" in {r.path for r in cdn.requests}
    assert "/tags/weather/" in {r.path for r in cdn.requests}


def test_drafts_and_scheduled_posts_purge_nothing(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    draft = make_post(title="Draft", status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        revisions.save_edit(draft, by=None, save=draft.save)
        draft.delete()
    assert cdn.requests == []


def test_purging_is_off_by_default(cdn, settings, django_capture_on_commit_callbacks):
    assert settings.NEWSDESK_CDN_PURGER == ""
    post = story(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    assert cdn.requests == []


def test_cloudflare_is_asked_to_purge_the_urls(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.CloudflarePurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {
        "API_URL": cdn.url + "/client/v4",
        "ZONE": "zone123",
        "TOKEN": "cf-token",
    }
    post = story(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    assert {(r.method, r.path) for r in cdn.requests} == {
        ("POST", "/client/v4/zones/zone123/purge_cache")
    }
    assert {r.headers["Authorization"] for r in cdn.requests} == {"Bearer cf-token"}
    files = [url for r in cdn.requests for url in json.loads(r.body)["files"]]
    assert all(len(json.loads(r.body)["files"]) <= 30 for r in cdn.requests)
    assert {SITE + path for path in ARTICLE_PAGES} <= set(files)


def test_fastly_purges_the_surrogate_keys_the_pages_send(
    cdn, settings, client, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.FastlyPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {
        "API_URL": cdn.url,
        "SERVICE": "svc1",
        "TOKEN": "fastly-token",
        "SOFT": "1",
    }
    for n in range(PAGE_SIZE):
        make_post(title=f"Older {n}")
    post = story(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(post, by=None)
    [request] = cdn.requests
    assert (request.method, request.path) == ("POST", "/service/svc1/purge")
    assert request.headers["Fastly-Key"] == "fastly-token"
    assert request.headers["Fastly-Soft-Purge"] == "1"
    purged = set(request.headers["Surrogate-Key"].split())
    # Each page the change shows on names a key that was purged, page 2 of a
    # list too.
    for path in ["/news/flood-warning/", "/", "/?page=2", "/tags/weather/"] + [
        "/categories/local/feed/",
        "/authors/ann-lee/",
        "/feed/atom/",
        "/feed/json/",
        "/authors/ann-lee/feed/json/",
        "/sitemap.xml",
        "/sitemap-posts.xml",
        "/archive/",
        "/api/posts/?tag=weather",
        "/api/posts/en/flood-warning/",
        "/api/tags/",
    ]:
        response = client.get(path)
        keys = set(response["Surrogate-Key"].split())
        assert "newsdesk" in keys
        assert keys & purged, path


def test_pages_readers_may_not_keep_send_no_surrogate_key(client, admin_client):
    draft = make_post(title="Hidden", status=S.DRAFT)
    assert not admin_client.get("/admin/").has_header("Surrogate-Key")
    assert not client.get(draft.get_absolute_url()).has_header("Surrogate-Key")
    assert not client.get("/no-such-page/").has_header("Surrogate-Key")


def test_a_unicode_slug_becomes_an_ascii_key(client):
    make_post(title="Café", slug="café")
    response = client.get("/news/café/")
    assert response["Surrogate-Key"] == "newsdesk post-caf%C3%A9"
    assert "post-caf%C3%A9" in affected(Post.objects.get()).keys


def test_a_refused_purge_is_a_failure_after_the_others_are_made(cdn):
    cdn.statuses = [500]
    purger = purge.HTTPPurger(LOCATION=cdn.url)
    pages = Pages(urls=[SITE + "/a/", SITE + "/b/"], keys=[])
    with pytest.raises(
        purge.PurgeFailed, match=r"https://news.example.com/a/: HTTP 500"
    ):
        purger.purge(pages)
    assert [r.path for r in cdn.requests] == ["/a/", "/b/"]
    # A page the cache does not hold is no failure.
    cdn.statuses = [404]
    purger.purge(Pages(urls=[SITE + "/c/"], keys=[]))


def test_a_page_served_from_the_page_cache_is_named_too(client, settings):
    settings.NEWSDESK_PAGE_CACHE = True
    make_post(title="Cached")
    first = client.get("/news/cached/")
    Post.objects.filter(pk=Post.objects.get().pk).update(title="Changed behind")
    second = client.get("/news/cached/")
    assert b"Changed behind" not in second.content  # served from the cache
    assert first["Surrogate-Key"] == second["Surrogate-Key"] == "newsdesk post-cached"


@pytest.fixture
def two_languages(settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"
    settings.NEWSDESK_SITE_URL = SITE
    _forget_urls()
    yield settings
    _forget_urls()


def _forget_urls():
    clear_url_caches()
    cache._cacheable_path.cache_clear()
    context_processors._links.cache_clear()


def test_a_post_in_another_language_purges_that_languages_pages(two_languages, client):
    zh = make_post(title="发布说明", slug="release", language="zh-hans")
    zh.tags.add("news")
    pages = affected(zh)
    for path in [
        "/zh/news/release/",
        "/zh/",
        "/zh/tags/news/",
        "/zh/feed/",
        "/api/posts/zh-hans/release/",
    ]:
        assert SITE + path in pages.urls, path
    assert "/news/release/" not in {url.removeprefix(SITE) for url in pages.urls}
    response = client.get("/zh/news/release/")
    assert response.status_code == 200
    assert response["Surrogate-Key"] == "newsdesk post-release"
    assert "post-release" in pages.keys


def test_every_page_a_change_can_touch_has_a_key_of_its_own():
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "news" and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns, None)
    # Pages no post change alters (the theme's stylesheet is addressed by a
    # hash of its colours), and previews, which no CDN keeps.
    unkeyed = {"search", "robots", "theme_css", "revision_preview", "shared_preview"}
    assert "feed_json" in names
    for name in names - unkeyed:
        assert len(page_keys(name, {"slug": "x"})) == 2, name


def test_an_edited_author_purges_the_site_pages_and_fastly_the_whole_site(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.FastlyPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {
        "API_URL": cdn.url,
        "SERVICE": "svc1",
        "TOKEN": "t",
    }
    with django_capture_on_commit_callbacks(execute=True):
        author = Author.objects.create(name="New Writer", slug="new-writer")
    assert cdn.requests == []  # a new author shows nowhere yet
    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Renamed Writer"
        author.save()
    [request] = cdn.requests
    assert request.headers["Surrogate-Key"] == "newsdesk"


def test_a_site_change_purges_home_indexes_feeds_and_sitemap_by_url(
    cdn, settings, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_CDN_PURGER = "news.integrations.purge.HTTPPurger"
    settings.NEWSDESK_CDN_PURGE_OPTIONS = {"LOCATION": cdn.url}
    category = Category.objects.create(name="Sport", slug="sport")
    with django_capture_on_commit_callbacks(execute=True):
        signals.site_changed.send(sender=Post)
    assert {r.path for r in cdn.requests} == {
        "/",
        "/?page=2",
        "/?page=3",
        "/?page=4",
        "/?page=5",
        "/feed/",
        "/feed/atom/",
        "/feed/json/",
        "/tags/",
        "/categories/",
        "/authors/",
        "/archive/",
        "/sitemap.xml",
    }
    cdn.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        category.delete()
    assert "/categories/" in {r.path for r in cdn.requests}
