from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from news.models import Post
from news.public import search

from .factories import HIDDEN_STATES, HOSTILE, make_post

pytestmark = pytest.mark.django_db


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: runs when DATABASE_URL is PostgreSQL")


def titles(query):
    return [post.title for post in search.search(query)]


def test_finds_words_in_title_summary_and_body():
    make_post(title="Kernel release", slug="a")
    make_post(title="Other", slug="b", summary="About the kernel.")
    make_post(title="Third", slug="c", body="The kernel was patched.")
    make_post(title="Unrelated", slug="d")
    assert set(titles("kernel")) == {"Kernel release", "Other", "Third"}


def test_ranks_title_over_summary_over_body():
    make_post(title="Body match", slug="a", body="Compilers are fun.")
    make_post(title="Compilers in the title", slug="b")
    make_post(title="Summary match", slug="c", summary="Compilers explained.")
    assert titles("compilers") == [
        "Compilers in the title",
        "Summary match",
        "Body match",
    ]


def test_every_word_must_match():
    make_post(title="Kernel meetup", slug="a")
    make_post(title="Kernel release", slug="b")
    assert titles("kernel meetup") == ["Kernel meetup"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_never_finds_unpublished_posts(client, state):
    values = dict(HIDDEN_STATES[state])
    values.setdefault("published_at", None)
    make_post(title="Secret kernel plans", slug="s", **values)
    assert titles("secret") == []
    assert "Secret kernel" not in client.get("/search/?q=secret").content.decode()


def test_search_page_highlights_matches(client):
    make_post(title="Kernel release notes", summary="The new kernel is out.")
    content = client.get("/search/?q=kernel").content.decode()
    assert "<mark>Kernel</mark> release notes" in content
    assert "The new <mark>kernel</mark> is out." in content
    assert "1 result for “kernel”" in content


def test_highlighting_escapes_before_marking():
    marked = search.highlight(HOSTILE + " amp", ["script", "amp"])
    assert "<script" not in marked
    assert "&lt;/<mark>script</mark>&gt;" in marked
    # "amp" is marked where the reader sees it, not inside "&amp;".
    assert marked.count("<mark>amp</mark>") == 1
    assert "&amp;" in marked


def test_hostile_posts_and_queries_are_escaped_on_the_results_page(client):
    make_post(title=HOSTILE, slug="h", summary=HOSTILE)
    response = client.get("/search/", {"q": HOSTILE})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 100_000,
        "kernel " * 5000,
        "&|!():*<>'\"\\",
        "!!! ||| &&& ::: ***",
        '"unclosed quote',
        "-",
        "or",
        "a & b | !c <-> d",
        "\x01\x02",
        "%_%",
        "社区",
    ],
)
def test_any_query_gets_a_normal_page(client, query):
    make_post(title="Kernel", slug="k")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<h1>Search</h1>" in response.content.decode()


@pytest.mark.parametrize("query", ["\x00\x01", "a\x00b"])
def test_a_query_with_a_nul_is_a_bad_request(client, query):
    # PostgreSQL refuses NUL in a search; news.public.middleware refuses it in
    # any address before it gets there.
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    assert response.content == b"A NUL character is not allowed in an address."


def test_empty_query_asks_for_words(client):
    content = client.get("/search/").content.decode()
    assert "Type one or more words" in content


def test_like_wildcards_are_literal():
    make_post(title="Fifty percent off", slug="a")
    assert titles("%") == []
    assert titles("_") == []


def test_results_are_paginated(client):
    for n in range(25):
        make_post(title=f"Kernel {n}", slug=f"k{n}")
    assert (
        client.get("/search/?q=kernel").content.decode().count('class="post-card"')
        == 20
    )
    second = client.get("/search/?q=kernel&page=2").content.decode()
    assert second.count('class="post-card"') == 5
    assert 'href="?q=kernel&amp;page=1"' in second
    assert client.get("/search/?q=kernel&page=3").status_code == 404


def test_postgresql_stems_words():
    postgresql_only()
    make_post(title="Running kernels", slug="a")
    assert titles("run kernel") == ["Running kernels"]


def test_postgresql_search_uses_the_gin_index():
    postgresql_only()
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"Post number {n}",
            slug=f"p{n}",
            body="Words about many other things. " * 20,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(3000)
    )
    make_post(title="Kernel news", slug="kernel")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE news_post")
    plan = search.search("kernel").explain()
    assert "post_search" in plan


def test_postgresql_gin_index_exists():
    postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'post_search'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition
    assert "setweight" in definition
