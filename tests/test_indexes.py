"""The index pages: /tags/, /categories/, /authors/ and /archive/."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from news.editorial import workflow
from news.media import renditions
from news.models import Post

from .factories import (
    HIDDEN_STATES,
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
)

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def listed(response):
    """Return the index's lines as [(name, "N posts"), ...]."""
    return re.findall(
        r'<a href="[^"]+">([^<]+)</a> <span class="meta count">([^<]+)</span>',
        html(response),
    )


def hidden(state, **kwargs):
    values = {"published_at": timezone.now() - timedelta(hours=1)}
    return make_post(**(values | HIDDEN_STATES[state] | kwargs))


# Tags


def test_tags_index_lists_each_tag_with_its_published_posts(client):
    for n in range(3):
        make_post(title=f"Harbour {n}").tags.add("Harbour")
    make_post(title="Ferry").tags.add("Ferry", "Harbour")
    response = client.get("/tags/")
    assert listed(response) == [("Ferry", "1 post"), ("Harbour", "4 posts")]
    assert '<a href="/tags/harbour/">Harbour</a>' in html(response)
    assert "<h1>Tags</h1>" in html(response)


def test_a_tag_with_no_slug_is_listed_unlinked(client):
    make_post(title="Shout").tags.add("!!!", "Calm")
    page = html(client.get("/tags/"))
    assert '<li><div>!!! <span class="meta count">1 post</span>' in page
    assert '<a href="/tags/calm/">Calm</a>' in page


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_tags_index_counts_only_what_readers_can_see(client, state):
    make_post(title="Seen").tags.add("Shared")
    hidden(state, title="Unseen").tags.add("Shared", "Secret")
    assert listed(client.get("/tags/")) == [("Shared", "1 post")]


def test_empty_tags_index_says_so(client):
    make_post(title="Untagged")
    assert "No tags with published posts yet." in html(client.get("/tags/"))


# Categories


def test_categories_index_lists_names_counts_and_descriptions(client):
    sport = make_category("Sport")
    sport.description = "Games & matches."
    sport.save()
    city = make_category("City")
    make_post(title="Match", category=sport)
    make_post(title="Derby", category=sport)
    make_post(title="Council", category=city)
    make_category("Empty")
    hidden("draft", title="Draft", category=make_category("Drafts only"))
    response = client.get("/categories/")
    assert listed(response) == [("City", "1 post"), ("Sport", "2 posts")]
    assert "Games &amp; matches." in html(response)
    assert 'href="/categories/sport/"' in html(response)


# Authors


def test_authors_index_lists_authors_with_bio_avatar_and_count(client):
    ana = make_author("Ana Lima")
    ana.bio = "Covers the harbour."
    ana.avatar = make_image(size=(400, 400), alt="Ana's portrait")
    ana.save()
    li = make_author("Li Wei")
    make_author("Nobody Yet")
    add_authors(make_post(title="One"), ana, li)
    add_authors(make_post(title="Two"), ana)
    add_authors(hidden("scheduled", title="Later"), li)
    response = client.get("/authors/")
    assert listed(response) == [("Ana Lima", "2 posts"), ("Li Wei", "1 post")]
    content = html(response)
    assert "Covers the harbour." in content
    assert 'href="/authors/ana-lima/"' in content
    # The avatar is shown from its renditions, never the original.
    [avatar] = re.findall(r"<img[^>]*>", content)
    assert 'alt="Ana&#x27;s portrait"' in avatar
    assert "/renditions/" in avatar or "srcset" in avatar
    assert "Nobody Yet" not in content


# Archive


def test_archive_index_lists_years_and_months_with_counts(client, settings):
    zone = ZoneInfo(settings.TIME_ZONE)
    for title, when in [
        ("March one", datetime(2024, 3, 2, 12, tzinfo=zone)),
        ("March two", datetime(2024, 3, 20, 12, tzinfo=zone)),
        ("May", datetime(2024, 5, 1, 12, tzinfo=zone)),
        ("Old", datetime(2022, 11, 30, 12, tzinfo=zone)),
    ]:
        make_post(title=title, published_at=when)
    hidden("draft", title="Draft", published_at=datetime(2023, 1, 5, tzinfo=zone))
    response = client.get("/archive/")
    assert listed(response) == [
        ("2024", "3 posts"),
        ("May", "1 post"),
        ("March", "2 posts"),
        ("2022", "1 post"),
        ("November", "1 post"),
    ]
    content = html(response)
    assert 'href="/archive/2024/"' in content
    assert 'href="/archive/2024/03/"' in content
    assert "2023" not in content


def test_archive_index_counts_months_in_the_sites_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    # 23:30 UTC on 31 January is 1 February in Tokyo.
    make_post(
        title="Late", published_at=datetime(2024, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    response = client.get("/archive/")
    assert ("February", "1 post") in listed(response)
    assert 'href="/archive/2024/02/"' in html(response)


# Caching and queries


@pytest.mark.parametrize("url", ["/tags/", "/categories/", "/authors/", "/archive/"])
def test_index_pages_run_the_same_queries_for_one_post_or_many(
    client, django_assert_num_queries, url
):
    def add_post(n):
        post = make_post(
            title=f"Post {n}",
            category=make_category(f"Category {n}"),
            published_at=timezone.now() - timedelta(days=40 * n + 1),
        )
        post.tags.add(f"tag-{n}", "shared")
        author = make_author(f"Author {n}")
        author.avatar = make_image(size=(64, 64))
        author.save()
        # Made on first use otherwise, which a later request would not repeat.
        renditions.ensure(author.avatar)
        add_authors(post, author)

    # Every page reads the site's freshness. Making the list adds its counts,
    # for tags and authors their rows, and the renditions of the avatars; the
    # first page of a site version also makes the menus (2).
    made = {"/tags/": 5, "/categories/": 4, "/authors/": 6, "/archive/": 4}[url]
    for posts in (range(1), range(1, 12)):
        for n in posts:
            add_post(n)
        with django_assert_num_queries(made):
            first = client.get(url)
        with django_assert_num_queries(1):
            again = client.get(url)
        assert first.content == again.content
        assert len(listed(first)) >= len(posts)


@pytest.mark.parametrize("url", ["/tags/", "/categories/", "/authors/", "/archive/"])
def test_index_pages_are_cached_and_follow_publication(
    client, settings, django_capture_on_commit_callbacks, django_assert_num_queries, url
):
    settings.NEWSDESK_PAGE_CACHE = True
    # The shared cache alone: a page kept in a process's memory costs the
    # freshness query (tests/test_cache.py).
    settings.NEWSDESK_PAGE_CACHE_LOCAL = False
    make_post(title="First", category=make_category("Old news")).tags.add("old")
    draft = make_post(
        title="Fresh",
        status=Post.Status.DRAFT,
        category=make_category("Fresh news"),
        published_at=timezone.now() - timedelta(days=400),
    )
    draft.tags.add("fresh")
    add_authors(draft, make_author("Fresh Writer"))
    before = html(client.get(url))
    with django_assert_num_queries(0):
        assert html(client.get(url)) == before
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=None)
    after = html(client.get(url))
    assert after != before
    new = {
        "/tags/": "fresh",
        "/categories/": "Fresh news",
        "/authors/": "Fresh Writer",
        "/archive/": str(draft.published_at.year if draft.published_at else ""),
    }[url]
    assert new in after
