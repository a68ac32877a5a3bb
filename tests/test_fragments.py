"""Post cards and article parts rendered once per version of the site and reused
(news.public.fragments), with the page cache off as it is by default here."""

import shutil

import pytest
from django.core.cache import caches
from django.utils.autoreload import file_changed

from news.editorial import workflow

from .factories import add_authors, make_author, make_category, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = make_post(title="First headline", slug="story", summary="A summary.")
    post.tags.add("releases")
    add_authors(post, make_author("Ada Lovelace", slug="ada"))
    post.save()
    return post


def fragment_keys():
    return sorted(key for key in caches["fragments"]._cache if "fragment:" in key)


def test_list_pages_share_the_cards_they_made(client, post, django_assert_num_queries):
    # The home page leads with the newest post in a card of its own; the
    # post below it is in the card every list shows.
    make_post(title="Lead story", slug="lead")
    home = client.get("/").content.decode()
    assert home.index("Lead story") < home.index("First headline")
    # The tag page finds the card the home page made: only its section, its
    # page of posts and the site's freshness are queried.
    with django_assert_num_queries(3):
        tag = client.get("/tags/releases/").content.decode()
    card = home[home.rindex('<article class="post-card"', 0, home.index("First")) :]
    card = card[: card.index("</article>")]
    assert "First headline" in card and "Ada Lovelace" in card
    assert card in tag


def test_an_edit_is_seen_at_once_everywhere(client, post):
    for url in ["/", "/news/story/", "/tags/releases/", "/authors/ada/"]:
        assert "First headline" in client.get(url).content.decode()
    post.title = "Second headline"
    post.save()
    for url in ["/", "/news/story/", "/tags/releases/", "/authors/ada/"]:
        page = client.get(url).content.decode()
        assert "Second headline" in page and "First headline" not in page, url


def test_edits_to_what_posts_show_are_seen_at_once(client, post):
    client.get("/")
    client.get("/news/story/")
    author = post.authors.get()
    author.name = "Ada King"
    author.save()
    tag = post.tags.get()
    tag.name = "launches"
    tag.save()
    article = client.get("/news/story/").content.decode()
    assert "Ada King" in article and "launches" in article
    assert "Ada King" in client.get("/").content.decode()


def test_neighbours_follow_publication(
    client, post, django_capture_on_commit_callbacks
):
    assert "Next" not in client.get("/news/story/").content.decode()
    newer = make_post(title="Newer story", status="draft")
    newer.tags.add("releases")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(newer, by=None)
    article = client.get("/news/story/").content.decode()
    assert 'rel="next" href="/news/newer-story/"' in article
    # Related by the shared tag, too.
    assert '<a href="/news/newer-story/">Newer story</a>' in article
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(newer, by=None)
    assert "Newer story" not in client.get("/news/story/").content.decode()


def test_a_category_change_shows_on_the_article(client, post):
    client.get("/news/story/")
    post.category = make_category("Security")
    post.save()
    assert "Security" in client.get("/news/story/").content.decode()


def test_article_head_urls_follow_the_address_asked(client, settings, post):
    settings.ALLOWED_HOSTS = ["news.example", "mirror.example"]
    first = client.get("/news/story/", HTTP_HOST="news.example").content.decode()
    second = client.get("/news/story/", HTTP_HOST="mirror.example").content.decode()
    assert 'property="og:url" content="http://news.example/news/story/"' in first
    assert 'property="og:url" content="http://mirror.example/news/story/"' in second


def test_fragments_can_be_turned_off(client, settings, post):
    settings.NEWSDESK_FRAGMENT_CACHE = False
    first = client.get("/").content.decode()
    client.get("/news/story/")
    assert fragment_keys() == []
    settings.NEWSDESK_FRAGMENT_CACHE = True
    assert client.get("/").content.decode() == first
    # The home page's only post is its lead story; the page's frame has three
    # kept parts (head, header, footer), and the page itself is kept.
    assert sorted(key.split(":")[-2] for key in fragment_keys()) == [
        "frame",
        "frame",
        "frame",
        "lead",
        "list",
        "menus",
        "page",
    ]


def test_unpublished_post_leaves_no_card_behind(
    client, post, django_capture_on_commit_callbacks
):
    assert "First headline" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(post, by=None)
    assert "First headline" not in client.get("/").content.decode()
    assert client.get("/news/story/").status_code == 404


def test_a_renamed_section_is_seen_on_its_page_at_once(client, post):
    assert (
        "<h1>Posts by Ada Lovelace</h1>" in client.get("/authors/ada/").content.decode()
    )
    author = post.authors.get()
    author.name = "Ada King"
    author.bio = "Countess."
    author.save()
    page = client.get("/authors/ada/").content.decode()
    assert "<h1>Posts by Ada King</h1>" in page
    assert '<div class="lede"><p>Countess.</p></div>' in page


def test_an_edited_template_shows_without_a_restart(client, post, settings, tmp_path):
    # Under runserver, the autoreloader reports an edited template with
    # file_changed and resets the template loaders instead of restarting.
    templates = tmp_path / "templates"
    shutil.copytree(settings.BASE_DIR / "templates", templates)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    assert "First headline" in client.get("/").content.decode()
    card = templates / "news" / "includes" / "post_card.html"
    card.write_text(card.read_text().replace('class="post-card"', 'class="edited"'))
    file_changed.send(sender=None, file_path=card)
    assert '<article class="edited" lang="en">' in client.get("/").content.decode()


def header(page):
    return page[page.index("<header") : page.index("</header>")]


def test_the_kept_header_is_each_page_templates_own(client, post):
    # The search page holds its own search form in place of the header's, and
    # marks nothing of the menu as current; a kept header never crosses over.
    for _ in range(2):
        home = header(client.get("/").content.decode())
        search = header(client.get("/search/?q=headline").content.decode())
        tags = header(client.get("/tags/").content.decode())
        article = header(client.get("/news/story/").content.decode())
        assert 'role="search"' in home and 'role="search"' in article
        assert 'role="search"' not in search
        # Each page marks its own menu entry, and only its own.
        assert '<a href="/tags/" aria-current="page">' in tags
        assert '<a href="/" aria-current="page">' in home
        assert 'aria-current="page"' not in article
        assert 'aria-current="page"' not in search


def test_a_kept_page_answers_as_the_page_made(client, post):
    for url in ["/", "/news/story/", "/tags/releases/"]:
        made = client.get(url)
        kept = client.get(url)
        assert kept.content == made.content, url
        assert kept["ETag"] == made["ETag"], url
        assert client.get(url, HTTP_IF_NONE_MATCH=made["ETag"]).status_code == 304


def test_list_pages_name_their_canonical_page(client, post):
    for _ in range(2):
        for url in ["/", "/?page=1", "/?utm_source=x", "/?page=1&ref=y"]:
            page = client.get(url).content.decode()
            assert '<link rel="canonical" href="http://testserver/">' in page, url


def test_made_up_query_strings_are_not_kept(client, post):
    client.get("/")
    before = fragment_keys()
    for n in range(5):
        assert "First headline" in client.get(f"/?ref={n}").content.decode()
    assert fragment_keys() == before
