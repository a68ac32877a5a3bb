import base64
import hashlib
import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from whitenoise.media_types import MediaTypes

from news.documents import markdown, syndication
from news.media import renditions
from news.models import Post, PostImage

from .factories import (
    HIDDEN_STATES,
    HOSTILE,
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
)

pytestmark = pytest.mark.django_db

FEEDS = ["/feed/", "/feed/atom/"]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


def hidden(state, **kwargs):
    values = {"published_at": timezone.now() - timedelta(minutes=30)}
    values.update(HIDDEN_STATES[state])
    return make_post(**values, **kwargs)


@pytest.mark.parametrize("url", FEEDS)
def test_feed_carries_the_latest_twenty_published_posts_newest_first(client, url):
    now = timezone.now()
    for n in range(22):
        make_post(title=f"Post {n:02}", published_at=now - timedelta(hours=n + 1))
    for state in HIDDEN_STATES:
        hidden(state, title=f"Hidden {state}")
    response, feed = parse(client, url)
    assert [entry.title for entry in feed.entries] == [
        f"Post {n:02}" for n in range(20)
    ]
    assert feed.entries[0].link == "http://testserver/news/post-00/"


def test_rss_and_atom_are_served_as_xml_that_browsers_style(client):
    # application/rss+xml is shown as text or downloaded by browsers; as XML,
    # they apply the feed's stylesheet. Feed readers read either.
    make_post(title="x")
    assert client.get("/feed/")["Content-Type"] == "application/xml; charset=utf-8"
    assert client.get("/feed/atom/")["Content-Type"] == (
        "application/xml; charset=utf-8"
    )
    assert parse(client, "/feed/")[1].version == "rss20"
    assert parse(client, "/feed/atom/")[1].version == "atom10"


@pytest.mark.parametrize("url", FEEDS)
def test_feed_items_carry_summary_authors_tags_and_dates(client, url):
    post = make_post(
        title="Release", summary="All about it.", category=make_category("News")
    )
    post.tags.add("kernel")
    add_authors(post, make_author("Ana Costa"), make_author("Li Wei"))
    entry = parse(client, url)[1].entries[0]
    assert entry.summary == "All about it."
    assert entry.author == "Ana Costa, Li Wei"
    assert {tag.term for tag in entry.tags} == {"News", "kernel"}
    assert entry.published_parsed[:5] == post.published_at.utctimetuple()[:5]


ATOM = "{http://www.w3.org/2005/Atom}"


def items(response):
    """Return the <item> (RSS) or <entry> (Atom) elements of a feed response."""
    root = ElementTree.fromstring(response.content)
    return root.findall("./channel/item") or root.findall(f"{ATOM}entry")


def title(item):
    element = item.find("title")
    return (element if element is not None else item.find(f"{ATOM}title")).text


@pytest.mark.parametrize(
    "url", [*FEEDS, "/tags/quoted/feed/", "/categories/quoted/feed/atom/"]
)
def test_item_titles_are_the_titles_escaped_once(client, url):
    titles = ['Q&A: "Quotes" & <tags>', "It's 5 > 3 & 2 < 4", "&amp; &quot; stay"]
    now = timezone.now()
    category = make_category("Quoted")
    for n, text in enumerate(titles):
        post = make_post(
            title=text,
            slug=f"post-{n}",
            published_at=now - timedelta(hours=n + 1),
            category=category,
        )
        post.tags.add("quoted")
    response = client.get(url)
    assert response.status_code == 200
    assert [title(item) for item in items(response)] == titles


@pytest.mark.parametrize("url", FEEDS)
def test_hostile_front_matter_is_escaped_in_feeds(client, url):
    post = make_post(title=HOSTILE, slug="hostile", summary=HOSTILE)
    post.tags.add(HOSTILE)
    add_authors(post, make_author(HOSTILE, slug="hostile"))
    response, feed = parse(client, url)
    assert b"<script>" not in response.content
    entry = feed.entries[0]
    # The title is text (see test_item_titles_are_the_titles_escaped_once); the
    # summary is HTML holding the text escaped, so a reader shows it and runs
    # nothing.
    assert [title(item) for item in items(response)] == [HOSTILE]
    detail = entry.summary_detail
    assert detail.type == "text/html"
    assert "<" not in detail.value
    assert html.unescape(detail.value) == HOSTILE
    assert entry.author == HOSTILE
    assert {tag.term for tag in entry.tags} == {HOSTILE}


@pytest.mark.parametrize("kind", ["tags", "categories", "authors"])
@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_section_feeds_carry_exactly_that_sections_published_posts(
    client, kind, suffix
):
    category = make_category("Events")
    ana = make_author("Ana")
    inside = make_post(title="Inside", category=category)
    inside.tags.add("events")
    add_authors(inside, ana)
    make_post(title="Outside").tags.add("other")
    for state in HIDDEN_STATES:
        post = hidden(state, title=f"Hidden {state}", category=category)
        post.tags.add("events")
        add_authors(post, ana)
    slug = {"tags": "events", "categories": "events", "authors": "ana"}[kind]
    _, feed = parse(client, f"/{kind}/{slug}/{suffix}")
    assert [entry.title for entry in feed.entries] == ["Inside"]
    assert feed.feed.link == f"http://testserver/{kind}/{slug}/"


# Items, their authors, their tags and the site's freshness; a section feed
# also looks its section up.
@pytest.mark.parametrize(
    "url,expected",
    [
        ("/feed/", 4),
        ("/feed/atom/", 4),
        ("/tags/t/feed/", 5),
        ("/categories/c/feed/atom/", 5),
    ],
)
def test_feed_queries_stay_constant(client, django_assert_num_queries, url, expected):
    category = make_category("C", slug="c")

    def add(n, tags, authors):
        post = make_post(
            title=f"P{n}",
            category=category,
            published_at=timezone.now() - timedelta(hours=n + 1),
        )
        post.tags.add("t", *[f"x{n}-{i}" for i in range(tags)])
        add_authors(post, *[make_author(f"A{n}-{i}") for i in range(authors)])

    add(0, 0, 1)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for n in range(1, 25):
        add(n, 4, 3)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_feed_is_a_404_for_unknown_sections(client):
    for url in ["/tags/x/feed/", "/categories/x/feed/", "/authors/x/feed/atom/"]:
        assert client.get(url).status_code == 404


def test_empty_site_feed_is_valid(client):
    make_post(title="Draft", status=Post.Status.DRAFT)
    _, feed = parse(client, "/feed/")
    assert feed.entries == []


# -- JSON Feed ---------------------------------------------------------------

JSON_FEEDS = ["/feed/json/", "/tags/t/feed/json/", "/categories/c/feed/json/"]


def json_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content)


def rfc3339(value):
    return datetime.fromisoformat(value).tzinfo is not None


def assert_json_feed(document):
    """Check ``document`` against the JSON Feed 1.1 specification: the
    top-level and item fields it requires, and the types of those it allows."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    for field in ("home_page_url", "feed_url"):
        assert urlsplit(document[field]).scheme in ("http", "https")
    assert isinstance(document["items"], list)
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item
        assert urlsplit(item["url"]).scheme in ("http", "https")
        for field in ("date_published", "date_modified"):
            if field in item:
                assert rfc3339(item[field])
        for author in item.get("authors", []):
            assert set(author) <= {"name", "url", "avatar"}
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        for field in ("image", "banner_image"):
            if field in item:
                assert urlsplit(item[field]).scheme in ("http", "https")


@pytest.mark.parametrize("url", JSON_FEEDS)
def test_json_feed_follows_the_specification_and_hides_unpublished_posts(client, url):
    category = make_category("C", slug="c")
    now = timezone.now()
    for n in range(22):
        post = make_post(
            title=f"Post {n:02}",
            summary=f"Summary {n}",
            category=category,
            published_at=now - timedelta(hours=n + 1),
        )
        post.tags.add("t")
    add_authors(post, make_author("Ana Costa"))
    for state in HIDDEN_STATES:
        hidden(state, title=f"Hidden {state}", category=category).tags.add("t")
    document = json_feed(client, url)
    assert_json_feed(document)
    assert [item["title"] for item in document["items"]] == [
        f"Post {n:02}" for n in range(20)
    ]
    first = document["items"][0]
    assert first["url"] == "http://testserver/news/post-00/"
    assert first["content_text"] == "Summary 0"
    assert "content_html" not in first
    assert document["feed_url"] == f"http://testserver{url}"


def test_json_feed_carries_authors_tags_and_language(client):
    post = make_post(title="Release", category=make_category("News"))
    post.tags.add("kernel")
    add_authors(post, make_author("Ana Costa"), make_author("Li Wei"))
    item = json_feed(client, "/feed/json/")["items"][0]
    assert item["authors"] == [{"name": "Ana Costa"}, {"name": "Li Wei"}]
    assert set(item["tags"]) == {"News", "kernel"}
    assert item["language"] == "en"


def test_json_feed_escapes_nothing_it_should_not(client):
    make_post(title=HOSTILE, slug="hostile", summary=HOSTILE)
    item = json_feed(client, "/feed/json/")["items"][0]
    # JSON carries text as text; content_text is never HTML.
    assert item["title"] == HOSTILE
    assert item["content_text"] == HOSTILE


def test_every_page_links_its_feeds_in_the_head(client):
    category = make_category("Events")
    make_post(title="Inside", category=category)
    home = client.get("/").content.decode()
    for kind, url in [
        ("application/rss+xml", "/feed/"),
        ("application/atom+xml", "/feed/atom/"),
        ("application/feed+json", "/feed/json/"),
    ]:
        assert f'<link rel="alternate" type="{kind}"' in home
        assert f'href="{url}"' in home
    section = client.get("/categories/events/").content.decode()
    assert 'type="application/feed+json" title="Events (JSON Feed)"' in section
    assert 'href="/categories/events/feed/json/"' in section


def test_json_feed_is_a_404_for_unknown_sections(client):
    assert client.get("/tags/x/feed/json/").status_code == 404


# -- The feeds' page in a browser (XSLT) ----------------------------------------


@pytest.mark.parametrize("url", FEEDS)
def test_rss_and_atom_name_the_xslt_stylesheet(client, url):
    make_post(title="x")
    content = client.get(url).content.decode()
    head = content[: content.index("<rss" if url == "/feed/" else "<feed")]
    assert '<?xml-stylesheet href="/static/news/feed.xsl"' in head
    assert 'type="text/xsl"' in head


def test_the_xslt_stylesheet_is_a_static_file_served_as_xslt(settings):
    path = finders.find("news/feed.xsl")
    assert path
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    # WhiteNoise sends unknown types as application/octet-stream, which no
    # browser applies.
    types = MediaTypes(extra_types=settings.WHITENOISE_MIMETYPES)
    assert types.get_type("feed.3f2a1b.xsl") == "text/xsl"


def test_the_stylesheets_style_is_allowed_by_the_content_security_policy(
    client, settings
):
    source = Path(finders.find("news/feed.xsl")).read_text()
    assert source.count("<style>") == 1
    style = re.search(r"<style>(.*?)</style>", source, re.S)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    make_post(title="x")
    policy = client.get("/feed/")["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy


# -- Full content ---------------------------------------------------------------


def illustrated_post():
    banner = make_image(alt="The banner")
    body_image = make_image(alt="In the body", color=(10, 200, 10))
    post = make_post(
        title="Illustrated",
        summary="Short.",
        body="Intro.\n\n![A chart](chart.png)\n\nSee [the notes](/news/notes/).",
        banner=banner,
    )
    PostImage.objects.create(
        post=post, image=body_image, reference=markdown.image_key("chart.png")
    )
    renditions.render(post)
    post.save()
    return post


def test_summary_feeds_carry_no_article_but_the_banner(client):
    post = illustrated_post()
    rss = client.get("/feed/").content.decode()
    assert "content:encoded" not in rss
    entry = feedparser.parse(rss).entries[0]
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"http://testserver{post.banner.file.url}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == post.banner.file.size
    item = json_feed(client, "/feed/json/")["items"][0]
    assert item["content_text"] == "Short."
    assert item["image"] == f"http://testserver{post.banner.file.url}"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/feed/json/"])
def test_full_content_feeds_carry_the_article_with_absolute_urls(client, settings, url):
    settings.NEWSDESK_FEED_FULL_CONTENT = True
    post = illustrated_post()
    response = client.get(url)
    if url == "/feed/json/":
        item = json.loads(response.content)["items"][0]
        content, summary = item["content_html"], item["summary"]
    else:
        entry = feedparser.parse(response.content).entries[0]
        content, summary = entry.content[0].value, entry.summary
    assert summary == "Short."
    assert "Intro." in content
    image = post.image_links.get().image
    sources = re.findall(r'(?:src|srcset)="([^"]*)"', content)
    assert sources
    for source in sources:
        for candidate in source.split(","):
            assert candidate.strip().startswith("http://testserver/media/")
    assert f"http://testserver{image.file.url}" in content or any(
        "renditions/" in s for s in sources
    )
    assert 'href="http://testserver/news/notes/"' in content


def test_absolute_urls_leave_absolute_and_anchor_links_working():
    html_in = (
        '<a href="https://example.org/x">x</a><a href="#part">p</a>'
        '<img src="/media/a.png" srcset="/media/a-1.png 1x, /media/a-2.png 2x">'
    )
    out = syndication.absolute_urls(html_in, "https://news.example/news/post/")
    assert 'href="https://example.org/x"' in out
    assert 'href="https://news.example/news/post/#part"' in out
    assert 'src="https://news.example/media/a.png"' in out
    assert (
        'srcset="https://news.example/media/a-1.png 1x, '
        'https://news.example/media/a-2.png 2x"' in out
    )


# -- Kept whole per version of the site -------------------------------------------


@pytest.mark.parametrize("url", [*FEEDS, "/feed/json/", "/tags/t/feed/"])
def test_a_kept_feed_costs_one_query_and_follows_every_change(
    client, django_assert_num_queries, url
):
    post = make_post(title="First", published_at=timezone.now() - timedelta(hours=2))
    post.tags.add("t")
    client.get(url)
    # The site's freshness, nothing else.
    with django_assert_num_queries(1):
        assert b"First" in client.get(url).content
    second = make_post(title="Second")
    second.tags.add("t")
    content = client.get(url).content
    assert b"Second" in content and b"First" in content
