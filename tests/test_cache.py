from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache as django_cache
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from news.documents.importer import Importer
from news.editorial import revisions, workflow
from news.media import images, renditions
from news.models import Author, Category, Post, PostAuthor, SiteChange
from news.public import cache

from .factories import image_bytes, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.NEWSDESK_PAGE_CACHE = True
    return settings


@pytest.fixture
def post():
    post = make_post(title="Cached post", slug="cached")
    post.tags.add("news")
    return post


PAGES = ["/", "/news/cached/", "/tags/news/", "/feed/", "/feed/atom/", "/sitemap.xml"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_etag_last_modified_and_cdn_cache_control(client, post, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"] == http_date(post.updated_at.timestamp())
    assert set(response["Cache-Control"].split(", ")) == {
        "public",
        "max-age=60",
        "s-maxage=120",
    }


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("enabled", [False, True])
def test_conditional_get_answers_304(client, settings, post, url, enabled):
    settings.NEWSDESK_PAGE_CACHE = enabled
    first = client.get(url)
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_changed_page_no_longer_matches_its_old_etag(client, post):
    etag = client.get("/")["ETag"]
    make_post(title="Another one")
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("url", ["/", "/news/cached/", "/tags/news/", "/feed/"])
def test_cached_page_is_served_without_queries(
    client, page_cache, post, url, django_assert_num_queries, settings
):
    settings.NEWSDESK_PAGE_CACHE_LOCAL = False
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", ["/", "/news/cached/", "/tags/news/", "/feed/"])
def test_a_page_kept_in_memory_costs_the_freshness_query_and_no_cache_trip(
    client, page_cache, post, url, django_assert_num_queries, settings
):
    settings.NEWSDESK_PAGE_CACHE_LOCAL = True
    first = client.get(url)
    with (
        mock.patch.object(django_cache, "get_many", side_effect=AssertionError),
        django_assert_num_queries(1),
    ):
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_a_page_kept_in_memory_never_outlives_a_change(
    client, page_cache, post, settings
):
    # Nothing invalidates the cache here: the change moves the site's
    # freshness, and the page kept in memory is filed under the old one. The
    # shared cache still serves its copy until an invalidation (as without the
    # memory layer), but that copy is never taken into memory.
    settings.NEWSDESK_PAGE_CACHE_LOCAL = True
    client.get("/")
    Post.objects.filter(pk=post.pk).update(
        title="Quietly renamed", updated_at=timezone.now()
    )
    assert "Cached post" in client.get("/").content.decode()
    cache.invalidate()
    assert "Quietly renamed" in client.get("/").content.decode()
    assert "Quietly renamed" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "url,enabled",
    [("/", False), ("/search/?q=cached", True)],
    ids=["page cache off unless configured", "search results never cached"],
)
def test_uncached_pages_query_the_database_every_time(
    client, settings, post, django_assert_max_num_queries, url, enabled
):
    settings.NEWSDESK_PAGE_CACHE = enabled
    client.get(url)
    with django_assert_max_num_queries(10) as captured:
        client.get(url)
    assert len(captured) > 0


def test_unpublished_post_disappears_at_once(
    client, page_cache, post, django_capture_on_commit_callbacks
):
    assert "Cached post" in client.get("/").content.decode()
    assert client.get("/news/cached/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    assert "Cached post" not in client.get("/").content.decode()
    assert client.get("/news/cached/").status_code == 404
    assert client.get("/tags/news/").status_code == 404
    assert b"Cached post" not in client.get("/feed/").content


def test_published_post_appears_at_once(
    client, page_cache, post, django_capture_on_commit_callbacks
):
    draft = make_post(title="Fresh news", status=Post.Status.DRAFT)
    assert "Fresh news" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=None)
    assert "Fresh news" in client.get("/").content.decode()


def test_changed_slug_is_seen_at_once(
    client, page_cache, post, django_capture_on_commit_callbacks
):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        revisions.change_slug(post, "renamed")
    assert 'href="/news/renamed/"' in client.get("/").content.decode()


def test_edits_without_invalidation_stay_cached(client, page_cache, post):
    # The control for the tests above: the cache really serves stored pages.
    client.get("/")
    Post.objects.filter(pk=post.pk).update(
        title="Quietly renamed", updated_at=timezone.now()
    )
    assert "Cached post" in client.get("/").content.decode()
    cache.invalidate()
    assert "Quietly renamed" in client.get("/").content.decode()


def test_scheduled_post_appears_at_its_time_without_invalidation(
    client, page_cache, post
):
    now = timezone.now()
    due = now + timedelta(minutes=10)
    make_post(title="Scheduled story", published_at=due)
    response = client.get("/")
    assert "Scheduled story" not in response.content.decode()
    # Neither the page cache nor a CDN may keep the list past the post's time.
    assert "max-age=60" in response["Cache-Control"]
    with mock.patch(
        "django.utils.timezone.now", return_value=due - timedelta(seconds=30)
    ):
        soon = client.get("/")
    assert "Scheduled story" not in soon.content.decode()
    assert "max-age=30" in soon["Cache-Control"]
    assert "s-maxage=30" in soon["Cache-Control"]
    with mock.patch(
        "django.utils.timezone.now", return_value=due + timedelta(seconds=1)
    ):
        assert "Scheduled story" in client.get("/").content.decode()
        assert client.get("/news/scheduled-story/").status_code == 200


def test_not_found_pages_are_not_cached(client, page_cache, post):
    assert client.get("/news/missing/").status_code == 404
    make_post(title="Missing", slug="missing")
    assert client.get("/news/missing/").status_code == 200


def test_an_edit_of_a_live_post_in_the_admin_is_seen_at_once(
    admin_client, client, page_cache, post, django_capture_on_commit_callbacks
):
    assert "Cached post" in client.get("/news/cached/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        revisions.save_edit(
            post, by=User.objects.get(username="admin"), save=lambda: rename(post)
        )
    page = client.get("/news/cached/")
    assert "Corrected headline" in page.content.decode()


def test_a_reimported_live_post_is_seen_at_once(
    client, page_cache, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: First take\ndate: 2024-01-02\n---\nText\n")
    with django_capture_on_commit_callbacks(execute=True):
        Importer().run([tmp_path])
    assert "First take" in client.get("/").content.decode()
    path.write_text(
        "---\ntitle: Second take\nslug: story-renamed\ndate: 2024-01-02\n---\nText\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        Importer().run([tmp_path])
    assert "Second take" in client.get("/").content.decode()
    assert client.get("/news/story/")["Location"] == "/news/story-renamed/"


def rename(post):
    post.title = "Corrected headline"
    post.save()


def test_cached_page_keeps_the_security_headers(client, page_cache, post):
    first = client.get("/news/cached/")
    second = client.get("/news/cached/")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert second[header] == first[header], header


@pytest.mark.parametrize("local,queries", [(False, 0), (True, 1)])
def test_cached_page_is_served_to_a_signed_in_editor_without_queries(
    client, page_cache, post, django_assert_num_queries, settings, local, queries
):
    # A hit is answered before the session and authentication middleware run:
    # even a signed-in editor's request costs no session or user query (a page
    # kept in memory costs the site's freshness).
    settings.NEWSDESK_PAGE_CACHE_LOCAL = local
    client.force_login(User.objects.create_user("editor", is_staff=True))
    anonymous = client.get("/news/cached/")
    with django_assert_num_queries(queries):
        hit = client.get("/news/cached/")
    assert hit.content == anonymous.content
    assert "Set-Cookie" not in hit


@pytest.mark.parametrize("url", ["/admin/login/", "/healthz"])
def test_only_public_pages_are_cached(client, page_cache, post, url):
    def pages():
        return [key for key in django_cache._cache if "newsdesk:page:" in key]

    assert client.get(url).status_code == 200
    assert pages() == []
    client.get("/news/cached/")
    assert len(pages()) == 1


def test_posted_requests_bypass_the_page_cache(client, page_cache, post):
    client.get("/news/cached/")
    assert client.post("/news/cached/").status_code == 405


def test_a_renamed_author_is_seen_at_once_and_moves_last_modified(
    admin_client, client, page_cache, post, django_capture_on_commit_callbacks
):
    author = Author.objects.create(name="Ada Lovelace", slug="ada")
    PostAuthor.objects.create(post=post, author=author, position=0)
    post.save()
    before = client.get("/news/cached/")
    assert "Ada Lovelace" in before.content.decode()
    later = timezone.now() + timedelta(seconds=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            f"/admin/news/author/{author.pk}/change/",
            {"name": "Ada King", "slug": "ada", "bio": ""},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = client.get("/news/cached/")
    assert "Ada King" in after.content.decode()
    assert "Ada Lovelace" not in client.get("/").content.decode()
    assert parse(after["Last-Modified"]) > parse(before["Last-Modified"])
    # A browser holding the old page is not told it is current.
    assert (
        client.get(
            "/news/cached/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]
        ).status_code
        == 200
    )


@pytest.mark.parametrize("edit", ["category", "tag", "banner alt"])
def test_edits_shown_on_post_pages_are_seen_at_once(
    client, page_cache, post, edit, django_capture_on_commit_callbacks
):
    category = Category.objects.create(name="Releases", slug="releases")
    banner, _ = images.store(image_bytes(), alt="Old banner text")
    Post.objects.filter(pk=post.pk).update(category=category, banner=banner)
    page = client.get("/news/cached/").content.decode()
    assert "Releases" in page and "Old banner text" in page and "news" in page
    with django_capture_on_commit_callbacks(execute=True):
        if edit == "category":
            category.name = "Announcements"
            category.save()
        elif edit == "tag":
            tag = post.tags.get()
            tag.name = "headlines"
            tag.save()
        else:
            banner.alt = "New banner text"
            banner.save()
    page = client.get("/news/cached/").content.decode()
    expected = {"category": "Announcements", "tag": "headlines"}
    assert expected.get(edit, "New banner text") in page


def test_a_deleted_post_leaves_cached_lists_at_once(
    admin_client, client, page_cache, post, django_capture_on_commit_callbacks
):
    assert "Cached post" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/news/post/{post.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert "Cached post" not in client.get("/").content.decode()
    assert client.get("/news/cached/").status_code == 404


def test_reimporting_an_unchanged_tree_keeps_last_modified(client, tmp_path):
    (tmp_path / "story.md").write_text(
        "---\ntitle: Steady\ndate: 2024-01-02\n---\nText\n"
    )
    Importer().run([tmp_path])
    before = client.get("/")["Last-Modified"]
    Importer().run([tmp_path])
    assert client.get("/")["Last-Modified"] == before
    assert not SiteChange.objects.exists()


def parse(value):
    return parse_http_date(value)


def test_bodies_rendered_again_are_seen_at_once(
    client, page_cache, post, django_capture_on_commit_callbacks
):
    Post.objects.filter(pk=post.pk).update(body_html="<p>Old rendering</p>")
    assert "Old rendering" in client.get("/news/cached/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert renditions.rerender(Post.objects.all()) == 1
    page = client.get("/news/cached/").content.decode()
    assert "Old rendering" not in page and "Body text." in page
