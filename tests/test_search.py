import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from news.models import Post
from news.public import search

from .factories import HIDDEN_STATES, HOSTILE, add_authors, make_author, make_post

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


# -- Stemming, CJK, the index kept in step -----------------------------------


def test_kernels_finds_what_kernel_finds():
    make_post(title="Kernel release", slug="a")
    make_post(title="Other", slug="b", body="Two kernels were patched.")
    make_post(title="Unrelated", slug="c")
    assert (
        set(titles("kernels"))
        == set(titles("kernel"))
        == {
            "Kernel release",
            "Other",
        }
    )


def test_accents_are_ignored():
    make_post(title="Café culture", slug="a")
    assert titles("cafe") == ["Café culture"]


CHINESE = {
    "community": ("社区动态", "openEuler 社区发布了新版本，开发者欢迎参与。"),
    "kernel": ("内核更新", "新的内核改进了调度器的性能。"),
    "other": ("发布说明", "本次发布包含文档改进。"),
}


def chinese_posts():
    for slug, (title, body) in CHINESE.items():
        make_post(title=title, slug=slug, body=body)


def test_a_two_character_chinese_word_finds_the_posts_containing_it():
    chinese_posts()
    assert titles("社区") == ["社区动态"]
    assert titles("内核") == ["内核更新"]
    assert set(titles("发布")) == {"社区动态", "发布说明"}
    assert set(titles("改进")) == {"内核更新", "发布说明"}


def test_longer_chinese_words_match_as_a_whole_not_by_their_characters():
    chinese_posts()
    assert titles("开发者") == ["社区动态"]
    # Both characters occur in the kernel post, but not side by side.
    assert titles("新能") == []
    assert titles("调度器的性能") == ["内核更新"]


def test_mixed_latin_and_chinese_words_must_all_match(client):
    chinese_posts()
    assert titles("openEuler 社区") == ["社区动态"]
    assert titles("openEuler 内核") == []
    content = client.get("/search/", {"q": "社区"}).content.decode()
    assert "1 result for “社区”" in content
    assert "<mark>社区</mark>" in content


def test_the_index_follows_the_workflow_and_edits(
    admin_user, django_capture_on_commit_callbacks
):
    from news.editorial import revisions, workflow

    def step(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    post = step(
        workflow.create,
        Post(title="Draft about compilers", slug="d", body="Text."),
        by=admin_user,
    )
    assert titles("compilers") == []
    step(workflow.publish, post, by=admin_user)
    assert titles("compilers") == ["Draft about compilers"]
    post.title = "Notes on linkers"
    post.save()
    step(revisions.changed, post, None)
    assert titles("compilers") == []
    assert titles("linkers") == ["Notes on linkers"]
    step(workflow.unpublish, post, by=admin_user)
    assert titles("linkers") == []
    post.delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM news_post_search")
            assert cursor.fetchone()[0] == 0


def test_rebuild_search_index_indexes_posts_written_past_the_services():
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"Bulk kernel {n}",
            slug=f"bulk-{n}",
            body_html="<p>Words.</p>",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(3)
    )
    if connection.vendor == "sqlite":
        assert titles("kernel") == []
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert len(titles("kernel")) == 3
    expected = 3 if connection.vendor == "sqlite" else 0
    assert out.getvalue() == f"Indexed {expected} posts for search.\n"


def test_no_results_page_offers_tags_recent_posts_and_the_archive(client):
    post = make_post(title="Harbour news", slug="harbour")
    post.tags.add("ferries")
    hidden = make_post(title="Secret draft", slug="s", status=Post.Status.DRAFT)
    hidden.tags.add("hidden-tag")
    content = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert "0 results for “zeppelin”" in content
    assert "Nothing found: try these" in content
    assert 'href="/tags/ferries/"' in content
    assert 'href="/news/harbour/"' in content
    assert 'href="/archive/"' in content
    assert "Secret draft" not in content and "hidden-tag" not in content


def test_a_page_with_results_offers_no_suggestions(client):
    make_post(title="Kernel", slug="k")
    assert "Nothing found" not in client.get("/search/?q=kernel").content.decode()


def test_the_search_page_holds_one_search_form(client):
    for query in ("", "kernel", "zeppelin"):
        content = client.get("/search/", {"q": query}).content.decode()
        assert content.count('role="search"') == 1


@pytest.mark.parametrize(
    "query,expected", [("kernel", 5), ("zeppelin", 2), ("社区", 5)]
)
def test_search_queries_stay_constant(
    client, django_assert_num_queries, query, expected
):
    # Results: their count, the page of them, their authors, the body images
    # of those without a banner (thumbnails), the site's freshness. None: the count and freshness; the suggestions are kept per
    # site version.
    def add(numbers):
        for n in numbers:
            post = make_post(title=f"Kernel 社区 {n}", slug=f"k{n}")
            post.tags.add(f"t{n}")
            add_authors(post, make_author(f"A{n}"))

    add(range(2))
    client.get("/search/", {"q": query})
    with django_assert_num_queries(expected):
        assert client.get("/search/", {"q": query}).status_code == 200
    add(range(2, 30))
    client.get("/search/", {"q": query})
    with django_assert_num_queries(expected):
        assert client.get("/search/", {"q": query}).status_code == 200


def test_no_results_page_suggests_a_close_spelling(client):
    make_post(title="Kernel scheduling notes", slug="k").tags.add("compilers")
    make_post(title="Secret draft about schedulers", status=Post.Status.DRAFT)
    content = client.get("/search/", {"q": "kernal sheduling"}).content.decode()
    assert "0 results for “kernal sheduling”" in content
    assert 'Did you mean <a href="?q=kernel%20scheduling">kernel scheduling</a>?' in (
        content
    )
    assert "Did you mean" in client.get("/search/", {"q": "compilrs"}).content.decode()
    # Words of unpublished posts are never offered; nothing close, nothing said.
    assert (
        "Did you mean"
        not in client.get("/search/", {"q": "schedulerz"}).content.decode()
    )
    assert (
        "Did you mean" not in client.get("/search/", {"q": "zeppelin"}).content.decode()
    )


def test_close_spelling_keeps_known_and_short_words():
    known = search.vocabulary(["Kernel release notes", "社区 news 2024"])
    assert known == ["kernel", "news", "notes", "release"]
    assert search.close_spelling("kernel relase", known) == "kernel release"
    assert search.close_spelling("kernel notes", known) == ""
    assert search.close_spelling("zz qq", known) == ""
