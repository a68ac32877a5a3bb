import html
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from news.models import Post

from .factories import (
    HIDDEN_STATES,
    HOSTILE,
    add_authors,
    make_author,
    make_category,
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


def test_rss_and_atom_have_their_content_types(client):
    make_post(title="x")
    assert client.get("/feed/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/feed/atom/")["Content-Type"].startswith("application/atom+xml")
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
