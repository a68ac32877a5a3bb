"""The content API at /api/: what it answers, what it never shows, its
filters, cursors, caching and query counts."""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from taggit.models import Tag

from news.documents import markdown
from news.editorial import workflow
from news.media import renditions
from news.models import Author, Image, Post, PostImage

from .factories import (
    HIDDEN_STATES,
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
    make_user,
)

pytestmark = pytest.mark.django_db

# Every state readers must not see: the workflow's, scheduled, and expired.
UNSEEN = HIDDEN_STATES | {
    "expired": {"expires_at": timezone.now() - timedelta(minutes=1)},
}


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    return response


def titles(client, url):
    return [item["title"] for item in get(client, url).json()["items"]]


@pytest.fixture
def unseen():
    """One post in each state readers must not see, each with its own tag,
    category and author, and every one with the tag "shared"."""
    posts = {}
    for state, values in UNSEEN.items():
        post = make_post(
            title=f"Unseen {state}",
            slug=f"unseen-{state}",
            category=make_category(f"Category {state}"),
            **({"published_at": hours_ago(1)} | values),
        )
        post.tags.add(f"tag {state}", "shared")
        add_authors(post, make_author(f"Author {state}"))
        posts[state] = post
    return posts


# What a post looks like


def test_post_list_shows_published_posts_newest_first_with_absolute_urls(client):
    older = make_post(title="Older", published_at=hours_ago(5), summary="Before.")
    newer = make_post(
        title="Newer",
        published_at=hours_ago(1),
        category=make_category("World"),
        lastmod=hours_ago(0.5),
    )
    newer.tags.add("Harbour")
    add_authors(newer, make_author("Ann Lee"))
    data = get(client, "/api/posts/").json()
    assert [item["title"] for item in data["items"]] == ["Newer", "Older"]
    assert data["next_cursor"] is None and data["next"] is None
    first = data["items"][0]
    assert first["url"] == "http://testserver/news/newer/"
    assert first["api_url"] == "http://testserver/api/posts/en/newer/"
    assert first["category"] == {
        "name": "World",
        "slug": "world",
        "url": "http://testserver/categories/world/",
    }
    assert first["tags"] == [
        {"name": "Harbour", "slug": "harbour", "url": "http://testserver/tags/harbour/"}
    ]
    assert [a["name"] for a in first["authors"]] == ["Ann Lee"]
    assert first["updated_at"] is not None
    assert data["items"][1]["summary"] == "Before."
    assert data["items"][1]["id"] == older.pk
    assert "markdown" not in first and "html" not in first


def post_with_images(title="Harbour"):
    """A published post with a banner and two body images (one used twice)."""
    body = "Intro ![Quay](images/quay.png)\n\n![Pier](images/pier.png)\n\n![Again](images/quay.png)"
    post = make_post(
        title=title,
        body=body,
        banner=make_image(size=(960, 540), alt="Dawn"),
    )
    for name, color in [("quay", (10, 20, 30)), ("pier", (200, 100, 0))]:
        src = f"images/{name}.png"
        PostImage.objects.create(
            post=post,
            image=make_image(size=(700, 400), fmt="PNG", alt=name, color=color),
            reference=markdown.image_key(src),
        )
    renditions.render(post)
    post.save()
    return post


def test_post_detail_has_html_markdown_and_absolute_image_urls(client):
    post = post_with_images()
    data = get(client, "/api/posts/en/harbour/").json()
    assert data["markdown"] == post.body
    html = data["html"]
    assert html.count("<img ") == 3
    # Every image URL in the HTML is absolute, srcsets too.
    urls = re.findall(r' src="([^"]*)"', html) + [
        url
        for srcset in re.findall(r' srcset="([^"]*)"', html)
        for url, _ in (c.split(" ") for c in srcset.split(", "))
    ]
    assert urls and all(url.startswith("http://testserver/media/") for url in urls)
    assert [image["alt"] for image in data["images"]] == ["quay", "pier"]
    quay = data["images"][0]
    assert (quay["width"], quay["height"]) == (700, 400)
    assert quay["url"].startswith("http://testserver/media/renditions/")
    assert quay["type"] == "image/png"
    widths = [r["width"] for r in quay["renditions"] if r["type"] == "image/webp"]
    assert widths == [320, 640, 700]
    assert quay["webp_srcset"].startswith("http://testserver/media/renditions/")
    assert quay["webp_srcset"].endswith(" 700w")
    # Each rendition the API names is served.
    for rendition in quay["renditions"]:
        path = urlsplit(rendition["url"]).path
        assert get(client, path)["Content-Type"] in ("image/webp", "image/png")
    banner = data["banner"]
    assert banner["alt"] == "Dawn" and banner["type"] == "image/jpeg"
    assert [r["width"] for r in banner["renditions"]][-1] == 960


def test_body_links_in_the_html_are_absolute_and_footnotes_stay_local(client):
    make_post(
        title="Links",
        body="See [the list](/tags/) and [x](https://example.org/).[^1]\n\n[^1]: A note.",
    )
    html = get(client, "/api/posts/en/links/").json()["html"]
    assert 'href="http://testserver/tags/"' in html
    assert 'href="https://example.org/"' in html
    assert 'href="#fn:1"' in html


# What the API never shows


@pytest.mark.parametrize("state", UNSEEN)
def test_an_unseen_post_is_in_no_list(client, unseen, state):
    make_post(title="Visible", published_at=hours_ago(2)).tags.add("shared")
    assert titles(client, "/api/posts/") == ["Visible"]
    assert titles(client, "/api/posts/?tag=shared") == ["Visible"]
    for kind in ("tag", "category", "author"):
        slug = f"{kind}-{state}"
        assert titles(client, f"/api/posts/?{kind}={slug}") == []
    body = get(client, "/api/posts/?limit=100").content.decode()
    assert "Unseen" not in body


@pytest.mark.parametrize("state", UNSEEN)
def test_an_unseen_post_is_a_404(client, unseen, state):
    response = get(client, f"/api/posts/en/unseen-{state}/", status=404)
    assert response.json() == {"detail": "No published post has this address."}
    assert "ETag" not in response


@pytest.mark.parametrize("state", UNSEEN)
def test_sections_list_only_what_published_posts_use(client, unseen, state):
    make_post(title="Visible", category=make_category("Seen")).tags.add("shared")
    add_authors(
        Post.objects.get(slug="visible"),
        make_author("Seen Author"),
    )
    tags = get(client, "/api/tags/").json()["items"]
    assert [(t["name"], t["count"]) for t in tags] == [("shared", 1)]
    categories = get(client, "/api/categories/").json()["items"]
    assert [c["name"] for c in categories] == ["Seen"]
    authors = get(client, "/api/authors/").json()["items"]
    assert [a["name"] for a in authors] == ["Seen Author"]
    for url in ("/api/tags/", "/api/categories/", "/api/authors/"):
        assert state not in get(client, url).content.decode()


def test_a_post_in_another_language_or_no_language_is_a_404(client):
    make_post(title="Here")
    assert get(client, "/api/posts/en/here/").json()["title"] == "Here"
    get(client, "/api/posts/fr/here/", status=404)
    get(client, "/api/posts/xx-nope-zz/here/", status=404)
    get(client, "/api/posts/en/nowhere/", status=404)


# Filters


def test_posts_filter_by_tag_category_author_and_together(client):
    world, sport = make_category("World"), make_category("Sport")
    ann, bo = make_author("Ann"), make_author("Bo")
    a = make_post(title="A", category=world, published_at=hours_ago(1))
    b = make_post(title="B", category=sport, published_at=hours_ago(2))
    c = make_post(title="C", category=world, published_at=hours_ago(3))
    a.tags.add("harbour")
    b.tags.add("harbour", "ferry")
    add_authors(a, ann)
    add_authors(b, ann, bo)
    add_authors(c, bo)
    assert titles(client, "/api/posts/?tag=harbour") == ["A", "B"]
    assert titles(client, "/api/posts/?tag=ferry") == ["B"]
    assert titles(client, "/api/posts/?category=world") == ["A", "C"]
    assert titles(client, "/api/posts/?author=bo") == ["B", "C"]
    assert titles(client, "/api/posts/?author=ann&tag=harbour&category=sport") == ["B"]
    assert titles(client, "/api/posts/?tag=nothing") == []


def test_posts_filter_by_date_range(client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    now = timezone.now().replace(microsecond=0)
    for n in range(4):
        make_post(title=f"Day {n}", published_at=now - timedelta(days=n))
    after = (now - timedelta(days=2)).isoformat()
    before = (now - timedelta(days=1)).isoformat()
    assert titles(
        client, f"/api/posts/?published_after={after.replace('+', '%2B')}"
    ) == ["Day 0", "Day 1", "Day 2"]
    assert titles(
        client,
        f"/api/posts/?published_after={after.replace('+', '%2B')}"
        f"&published_before={before.replace('+', '%2B')}",
    ) == ["Day 2"]
    # A date alone is midnight in the site's time zone.
    paris = timezone.localtime(now - timedelta(days=1)).date()
    expected = [
        f"Day {n}"
        for n in range(4)
        if timezone.localtime(now - timedelta(days=n)).date() >= paris
    ]
    assert titles(client, f"/api/posts/?published_after={paris}") == expected


def test_bounds_beyond_what_utc_holds_leave_nothing_or_everything_out(client):
    make_post(title="Now")
    earliest = "0001-01-01T00:00:00%2B05:00"
    latest = "9999-12-31T23:59:59-05:00"
    assert titles(client, f"/api/posts/?published_after={earliest}") == ["Now"]
    assert titles(client, f"/api/posts/?published_before={latest}") == ["Now"]
    assert titles(client, f"/api/posts/?published_before={earliest}") == []
    assert titles(client, f"/api/posts/?published_after={latest}") == []


def test_posts_filter_by_language_in_any_spelling(client, settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    make_post(title="Hello", slug="hello", language="en")
    make_post(title="你好", slug="hello", language="zh-hans")
    assert titles(client, "/api/posts/?language=zh-CN") == ["你好"]
    assert titles(client, "/api/posts/?language=en-US") == ["Hello"]
    # One language at a time, as the site shows them: the default unless asked.
    assert titles(client, "/api/posts/") == ["Hello"]
    assert titles(client, "/api/posts/?limit=1&tag=") == ["Hello"]
    response = get(client, "/api/posts/?language=klingon", status=400)
    assert response.json() == {"detail": "language: not a language of this site."}
    detail = get(client, "/api/posts/zh-hans/hello/").json()
    assert detail["title"] == "你好"
    # The Chinese post is at its language's address.
    assert detail["url"] == "http://testserver/zh/news/hello/"


def test_a_posts_sections_are_linked_in_its_language(client, settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    post = make_post(title="你好", slug="hello", language="zh-hans")
    post.category = make_category("社区", slug="community")
    post.save()
    post.tags.add("harbour")
    add_authors(post, make_author("Ada", slug="ada"))
    for found in [
        get(client, "/api/posts/zh-hans/hello/").json(),
        get(client, "/api/posts/?language=zh-hans").json()["items"][0],
    ]:
        assert found["category"]["url"] == "http://testserver/zh/categories/community/"
        assert found["tags"][0]["url"] == "http://testserver/zh/tags/harbour/"
        assert found["authors"][0]["url"] == "http://testserver/zh/authors/ada/"


@pytest.mark.parametrize(
    "query, problem",
    [
        ("limit=0", "limit: Input should be greater than or equal to 1"),
        ("limit=101", "limit: Input should be less than or equal to 100"),
        ("limit=many", "limit: Input should be a valid integer"),
        ("published_after=yesterday", "published_after: Input should be a valid"),
        ("cursor=abc", "This is not a cursor of this list."),
        ("cursor=%E2%9C%93", "This is not a cursor of this list."),
        ("cursor=MjAyNi0wMS0wMXwx", "This is not a cursor of this list."),
    ],
)
def test_a_malformed_parameter_is_a_400_saying_which(client, query, problem):
    response = get(client, f"/api/posts/?{query}", status=400)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"].startswith(problem)


# Cursors


def page_through(client, url):
    pages = []
    while url:
        data = get(client, url).json()
        pages.append([item["title"] for item in data["items"]])
        url = data["next"]
    return pages


def test_cursors_walk_the_list_once_in_order(client):
    moment = hours_ago(1)
    # Ties on the publication time are broken by id, newest first.
    for n in range(7):
        make_post(title=f"P{n}", published_at=moment if n < 4 else hours_ago(n))
    pages = page_through(client, "/api/posts/?limit=3")
    assert pages == [["P3", "P2", "P1"], ["P0", "P4", "P5"], ["P6"]]


def test_a_cursor_keeps_its_place_when_posts_are_published_meanwhile(client):
    world = make_category("World")
    for n in range(4):
        make_post(title=f"P{n}", published_at=hours_ago(n + 1), category=world)
    make_post(title="Elsewhere", published_at=hours_ago(2.5))
    data = get(client, "/api/posts/?limit=2&category=world&tag=").json()
    assert [i["title"] for i in data["items"]] == ["P0", "P1"]
    make_post(title="Breaking", category=world)
    query = parse_qs(urlsplit(data["next"]).query)
    # The next page keeps the filters it came with, and its place.
    assert query["limit"] == ["2"] and query["category"] == ["world"]
    assert titles(client, data["next"]) == ["P2", "P3"]


# Caching


def test_answers_carry_the_pages_validators_and_answer_304(client):
    make_post(title="Cached")
    for url in (
        "/api/posts/",
        "/api/posts/en/cached/",
        "/api/tags/",
        "/api/schema/",
        "/api/docs/",
    ):
        first = get(client, url)
        assert first["Cache-Control"] == "public, max-age=60, s-maxage=120"
        assert first["ETag"].startswith('"') and first["Last-Modified"]
        again = get(client, url, status=304, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.content == b""
        get(client, url, status=304, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])


def test_the_etag_changes_when_a_post_is_published(client):
    make_post(title="First")
    etag = get(client, "/api/posts/")["ETag"]
    make_post(title="Second")
    response = get(client, "/api/posts/", HTTP_IF_NONE_MATCH=etag)
    assert response["ETag"] != etag
    assert titles(client, "/api/posts/") == ["Second", "First"]


def test_cache_control_ends_when_the_next_post_is_due(client):
    make_post(title="Now")
    make_post(title="Soon", published_at=timezone.now() + timedelta(seconds=30))
    response = get(client, "/api/posts/")
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])
    assert max_age <= 30


def test_the_page_cache_keeps_api_answers_until_publication(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.NEWSDESK_PAGE_CACHE = True
    settings.NEWSDESK_PAGE_CACHE_LOCAL = False  # the shared cache alone
    make_post(title="Kept")
    draft = make_post(title="Draft", status="draft")
    get(client, "/api/posts/")
    with django_assert_num_queries(0):
        assert titles(client, "/api/posts/") == ["Kept"]
    editor = make_user("pat", superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)
    assert titles(client, "/api/posts/") == ["Draft", "Kept"]


# Query counts


def many_posts(count):
    world = make_category("World")
    people = [make_author(f"Person {n}") for n in range(3)]
    people[0].avatar = make_image(size=(200, 200), color=(0, 0, 9))
    people[0].save()
    for n in range(count):
        post = make_post(
            title=f"Post {n}",
            category=world,
            banner=make_image(size=(400, 300), color=(n, 0, 0)) if n % 2 else None,
            published_at=hours_ago(n + 1),
        )
        post.tags.add(f"tag {n}", "common")
        add_authors(post, *people[: 1 + n % 3])


@pytest.mark.parametrize(
    "url, made, kept",
    [
        # freshness and the page's ids; then, for posts not kept yet, the
        # posts, their authors, tags and banners' renditions; once the answer
        # is kept, freshness alone
        ("/api/posts/?limit=5", 6, 1),
        ("/api/posts/?limit=5&tag=common&author=person-0&category=world", 6, 1),
        # freshness, the tag counts, the tags; every answer is kept whole
        # (news.api.urls), so then freshness alone
        ("/api/tags/", 3, 1),
        # freshness, the categories and counts
        ("/api/categories/", 2, 1),
        # freshness, the author counts, the authors, their avatars' renditions
        ("/api/authors/", 4, 1),
    ],
)
def test_lists_run_the_same_queries_for_few_posts_or_many(
    client, django_assert_num_queries, url, made, kept
):
    many_posts(2)
    # Renditions are made on first use, as the pages make them: not counted.
    for image in Image.objects.all():
        renditions.ensure(image)
    with django_assert_num_queries(made):
        get(client, url)
    with django_assert_num_queries(kept):
        get(client, url)
    for n in range(9):
        post = make_post(
            title=f"More {n}",
            published_at=hours_ago(0.5),
            banner=make_image(size=(300, 200), color=(0, n, 0)),
        )
        post.tags.add("common", f"more {n}")
        author = make_author(f"More {n}")
        author.avatar = post.banner
        author.save()
        add_authors(post, author, Author.objects.get(slug="person-0"))
    for image in Image.objects.all():
        renditions.ensure(image)
    with django_assert_num_queries(made):
        get(client, url)
    with django_assert_num_queries(kept):
        get(client, url)


def test_post_detail_runs_the_same_queries_for_any_post(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    small = post_with_images("Small")
    small.tags.add("a")
    add_authors(small, make_author("Z"))
    large = post_with_images("Large")
    large.tags.add(*"abcdefgh")
    add_authors(large, *(make_author(f"Author {n}") for n in range(5)))
    # Renditions are made on first use, as the pages make them: not counted.
    for image in Image.objects.all():
        renditions.ensure(image)
    for post in (small, large):
        url = f"/api/posts/en/{post.slug}/"
        # freshness and the post's id; then, the first time, the post, its
        # authors, tags, banner renditions, image links with their images,
        # and their renditions; once the answer is kept, freshness alone
        with django_assert_num_queries(8):
            get(client, url)
        with django_assert_num_queries(1):
            get(client, url)
    # With nothing to prefetch, fewer.
    make_post(title="Plain")
    with django_assert_max_num_queries(8):
        get(client, "/api/posts/en/plain/")


def test_a_kept_post_follows_an_edit_of_what_it_shows(client):
    post = make_post(title="Before")
    post.tags.add("harbour")
    assert titles(client, "/api/posts/") == ["Before"]
    get(client, "/api/posts/en/before/")
    post.title = "After"
    post.save()
    assert titles(client, "/api/posts/") == ["After"]
    assert get(client, "/api/posts/en/before/").json()["title"] == "After"
    tag = Tag.objects.get(slug="harbour")
    tag.name = "Harbour front"
    tag.save()  # the admin's save: a site change
    item = get(client, "/api/posts/").json()["items"][0]
    assert item["tags"][0]["name"] == "Harbour front"


# The schema and the reference page


def test_the_schema_is_openapi_3_1_with_every_endpoint(client):
    schema = get(client, "/api/schema/").json()
    assert schema["openapi"] == "3.1.0"
    assert set(schema["paths"]) == {
        "/api/posts/",
        "/api/posts/{language}/{slug}/",
        "/api/tags/",
        "/api/categories/",
        "/api/authors/",
    }
    parameters = schema["paths"]["/api/posts/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {
        "tag",
        "category",
        "author",
        "language",
        "published_after",
        "published_before",
        "cursor",
        "limit",
    }


def test_the_reference_page_lists_endpoints_under_the_sites_csp(client):
    response = get(client, "/api/docs/")
    page = response.content.decode()
    assert "<h1>Newsdesk content API</h1>" in page
    assert "<code>GET /api/posts/{language}/{slug}/</code>" in page
    assert '<a href="/api/schema/">OpenAPI 3.1 schema</a>' in page
    assert "<dt><code>published_after</code>" in page
    # Nothing from elsewhere, and no script at all.
    assert "<script" not in page.replace('<script type="application/ld+json">', "")
    assert not re.search(r'src="(https?:)?//', page)
    assert re.findall(r'<link rel="stylesheet" href="([^"]*)"', page) == [
        "/static/css/site.css"
    ]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_only_get_and_head_are_allowed(client):
    make_post(title="Here")
    for url in ("/api/posts/", "/api/posts/en/here/", "/api/tags/"):
        assert client.post(url).status_code == 405
        assert client.delete(url).status_code == 405


@pytest.mark.parametrize("page_cache", [False, True])
def test_head_answers_as_get_without_a_body(client, settings, page_cache):
    settings.NEWSDESK_PAGE_CACHE = page_cache
    make_post(title="Here")
    for url in ("/api/posts/", "/api/posts/en/here/", "/api/tags/", "/api/schema/"):
        head = client.head(url)
        assert head.status_code == 200, url
        assert head.content == b""
        answer = get(client, url)
        assert answer.content, url
        assert head["ETag"] == answer["ETag"]
        assert head["Content-Type"] == answer["Content-Type"]
        # A HEAD that came first left the page cache a whole answer.
        assert get(client, url).content == answer.content
        again = client.head(url, HTTP_IF_NONE_MATCH=answer["ETag"])
        assert again.status_code == 304
    assert client.head("/api/posts/en/nothing/").status_code == 404


def test_a_nul_in_the_address_is_a_400_in_json(client):
    for url in ("/api/posts/?tag=a%00b", "/api/posts/en/a%00b/"):
        response = get(client, url, status=400)
        assert response.json() == {
            "detail": "A NUL character is not allowed in an address."
        }
    # The pages keep their plain-text refusal.
    assert get(client, "/?q=a%00b", status=400)["Content-Type"].startswith("text/plain")


def test_section_lists_link_to_their_posts_in_the_api(client):
    post = make_post(title="Mixed", category=make_category("Ünïcode", slug="ünïcode"))
    post.tags.add("!!!", "Harbour")
    tags = {t["name"]: t for t in get(client, "/api/tags/").json()["items"]}
    assert tags["Harbour"]["posts_url"] == "http://testserver/api/posts/?tag=harbour"
    # A tag named only in punctuation has no slug: no page, nothing to ask for.
    assert tags["!!!"]["slug"] == tags["!!!"]["url"] == tags["!!!"]["posts_url"] == ""
    [category] = get(client, "/api/categories/").json()["items"]
    assert category["posts_url"].endswith("?category=%C3%BCn%C3%AFcode")
    assert titles(client, category["posts_url"]) == ["Mixed"]


def test_sections_count_the_posts_of_one_language(client, settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    make_post(title="Hello", slug="hello", language="en").tags.add("harbour")
    chinese = make_post(title="你好", slug="hello", language="zh-hans")
    chinese.tags.add("harbour", "港口")
    # The site's default language, as the index pages count.
    tags = get(client, "/api/tags/").json()["items"]
    assert [(t["name"], t["count"]) for t in tags] == [("harbour", 1)]
    tags = get(client, "/api/tags/?language=zh-CN").json()["items"]
    assert [(t["name"], t["count"]) for t in tags] == [("harbour", 1), ("港口", 1)]
    assert tags[0]["posts_url"].endswith("?tag=harbour&language=zh-hans")
    assert titles(client, tags[0]["posts_url"]) == ["你好"]
    for url in ("/api/tags/", "/api/categories/", "/api/authors/"):
        response = get(client, f"{url}?language=klingon", status=400)
        assert response.json() == {"detail": "language: not a language of this site."}


def test_a_kept_answer_goes_when_its_post_is_unpublished_or_expires(
    client, django_capture_on_commit_callbacks
):
    editor = make_user("pat", superuser=True)
    gone = make_post(title="Gone", published_at=hours_ago(2))
    make_post(title="Stays", published_at=hours_ago(3))
    soon = timezone.now() + timedelta(seconds=1)
    make_post(title="Expiring", published_at=hours_ago(1), expires_at=soon)
    assert titles(client, "/api/posts/") == ["Expiring", "Gone", "Stays"]
    get(client, "/api/posts/en/gone/")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(gone, by=editor)
    get(client, "/api/posts/en/gone/", status=404)
    assert titles(client, "/api/posts/") == ["Expiring", "Stays"]
    # An expiry passing moves the site's last change: nothing kept outlives it.
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.05)
    assert titles(client, "/api/posts/") == ["Stays"]
    get(client, "/api/posts/en/expiring/", status=404)
