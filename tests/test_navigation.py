"""The site's menus, edited in the admin, the footer, and section pages with
their description and picture."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from taggit.models import Tag

from news.models import MenuItem, Post

from .factories import make_author, make_category, make_image, make_post, make_user

pytestmark = pytest.mark.django_db


def header_links(content):
    nav = re.search(
        r'<nav class="site-nav" aria-label="[^"]*">(.*?)</nav>', content, re.S
    )
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav[1])


def footer(content):
    return content[content.index('<footer class="site-footer">') :]


def test_menu_items_replace_the_default_header_links_in_their_order(client):
    category = make_category("Transport")
    make_post(title="Ferries", slug="ferries", category=category).tags.add("Harbour")
    about = make_post(title="About us", slug="about")
    tag = Tag.objects.get(name="Harbour")
    MenuItem.objects.create(position=3, url="https://example.org/", label="Shop")
    MenuItem.objects.create(position=1, category=category)
    MenuItem.objects.create(position=2, tag=tag, label="Harbour news")
    MenuItem.objects.create(position=4, post=about)
    MenuItem.objects.create(position=5, page=MenuItem.Page.ARCHIVE)
    assert header_links(client.get("/").content.decode()) == [
        ("/categories/transport/", "Transport"),
        ("/tags/harbour/", "Harbour news"),
        ("https://example.org/", "Shop"),
        ("/news/about/", "About us"),
        ("/archive/", "Archive"),
    ]


def test_a_menu_item_for_an_unpublished_post_is_not_shown(client):
    draft = make_post(title="Secret plan", slug="secret", status=Post.Status.DRAFT)
    make_post(title="Public", slug="public")
    MenuItem.objects.create(page=MenuItem.Page.HOME)
    MenuItem.objects.create(post=draft)
    content = client.get("/").content.decode()
    assert "Secret plan" not in content and "/news/secret/" not in content


def test_a_new_menu_item_shows_at_once(client):
    make_post(title="Any")
    assert "Shop" not in client.get("/").content.decode()
    MenuItem.objects.create(url="https://example.org/", label="Shop")
    assert ("https://example.org/", "Shop") in header_links(
        client.get("/").content.decode()
    )


def test_the_current_page_is_marked_in_an_edited_menu(client):
    make_post(title="Any").tags.add("one")
    MenuItem.objects.create(page=MenuItem.Page.TAGS)
    content = client.get("/tags/").content.decode()
    assert '<a href="/tags/" aria-current="page">Tags</a>' in content


def test_a_menu_item_links_to_exactly_one_thing():
    with pytest.raises(ValidationError, match="exactly one"):
        MenuItem(label="Nothing").full_clean()
    both = MenuItem(page=MenuItem.Page.HOME, url="https://example.org/")
    with pytest.raises(ValidationError, match="exactly one"):
        both.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        both.save()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/", "//x.org"]
)
def test_a_menu_address_must_be_http_or_https(url):
    with pytest.raises(ValidationError) as raised:
        MenuItem(url=url).full_clean()
    assert "url" in raised.value.message_dict


def test_the_menu_label_is_escaped(client):
    make_post(title="Any")
    MenuItem.objects.create(url="https://example.org/", label="<b>Shop</b> & more")
    content = client.get("/").content.decode()
    assert "&lt;b&gt;Shop&lt;/b&gt; &amp; more" in content and "<b>Shop" not in content


def test_the_footer_lists_sections_feeds_and_links(client):
    busy, quiet = make_category("Transport"), make_category("Weather")
    for n in range(3):
        make_post(title=f"Ferry {n}", slug=f"f{n}", category=busy)
    make_post(title="Rain", slug="rain", category=quiet)
    make_category("Empty")
    content = footer(client.get("/").content.decode())
    sections = re.search(
        r'aria-labelledby="footer-sections">(.*?)</nav>', content, re.S
    )[1]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', sections) == [
        ("/categories/transport/", "Transport"),
        ("/categories/weather/", "Weather"),
    ]
    for href, text in [
        ("/feed/", "RSS feed"),
        ("/feed/atom/", "Atom feed"),
        ("/sitemap.xml", "Sitemap"),
    ]:
        assert f'<a href="{href}">{text}</a>' in content
    assert "© " in content


def test_footer_menu_items_replace_the_default_footer_links(client):
    make_post(title="Any")
    MenuItem.objects.create(
        menu=MenuItem.Menu.FOOTER, url="https://example.org/privacy", label="Privacy"
    )
    more = re.search(
        r'aria-labelledby="footer-more">(.*?)</nav>',
        footer(client.get("/").content.decode()),
        re.S,
    )[1]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', more) == [
        ("https://example.org/privacy", "Privacy")
    ]


def test_a_category_page_shows_its_description_and_image(client):
    category = make_category("Transport")
    category.description = "Ferries, buses & trains."
    category.image = make_image(size=(1200, 600), alt="The ferry terminal")
    category.save()
    make_post(title="Ferries", slug="ferries", category=category)
    content = client.get("/categories/transport/").content.decode()
    figure = re.search(r'<figure class="section-image">(.*?)</figure>', content, re.S)[
        1
    ]
    assert 'alt="The ferry terminal"' in figure and "/media/renditions/" in figure
    assert '<p class="lede">Ferries, buses &amp; trains.</p>' in content


def test_an_author_page_shows_the_avatar(client):
    author = make_author("Ana Lima")
    author.avatar = make_image(size=(300, 300), alt="Ana Lima")
    author.save()
    post = make_post(title="Ferries", slug="ferries")
    post.authors.add(author)
    content = client.get("/authors/ana-lima/").content.decode()
    assert re.search(r'<figure class="section-image">.*alt="Ana Lima"', content, re.S)


def test_publishers_may_edit_the_menu_and_authors_may_not(client):
    client.force_login(make_user("pub", "Publishers"))
    response = client.post(
        "/admin/news/menuitem/add/",
        {
            "menu": "header",
            "position": 1,
            "label": "Shop",
            "url": "https://example.org/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MenuItem.objects.get().label == "Shop"
    client.force_login(make_user("writer", "Authors"))
    assert client.get("/admin/news/menuitem/add/").status_code == 403


def test_the_admin_refuses_an_item_with_two_targets(client):
    client.force_login(make_user("pub", "Publishers"))
    response = client.post(
        "/admin/news/menuitem/add/",
        {
            "menu": "header",
            "position": 1,
            "page": "news:archive",
            "url": "https://example.org/",
        },
    )
    assert response.status_code == 200
    assert "Choose exactly one thing to link to" in response.content.decode()
    assert not MenuItem.objects.exists()


def test_an_author_page_shows_the_bio_as_markdown_sanitised(client):
    author = make_author("Ana Lima")
    author.bio = (
        "Covers the *harbour*; see [her site](https://ana.example/).\n\n"
        "<script>alert(1)</script>[x](javascript:alert(1))"
    )
    author.save()
    make_post(title="Ferries", slug="ferries").authors.add(author)
    content = client.get("/authors/ana-lima/").content.decode()
    lede = re.search(r'<div class="lede">(.*?)</div>', content, re.S)[1]
    assert "<em>harbour</em>" in lede
    assert (
        '<a href="https://ana.example/" rel="noopener noreferrer">her site</a>' in lede
    )
    assert "<script" not in lede and "javascript:" not in lede


def test_the_authors_index_and_description_show_the_bio_as_text(client):
    author = make_author("Ana Lima")
    author.bio = "Covers the *harbour*; see [her site](https://ana.example/)."
    author.save()
    make_post(title="Ferries", slug="ferries").authors.add(author)
    index = client.get("/authors/").content.decode()
    assert "Covers the harbour; see her site." in index
    assert "[her site]" not in index and "*harbour*" not in index
    page = client.get("/authors/ana-lima/").content.decode()
    assert (
        '<meta name="description" content="Covers the harbour; see her site.">' in page
    )


@pytest.fixture
def two_languages(settings):
    from django.urls import clear_url_caches

    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    clear_url_caches()
    yield settings
    clear_url_caches()


def test_menu_items_are_for_every_language_or_for_one(client, two_languages):
    make_post(title="Hello", slug="hello")
    make_post(title="你好", slug="hello", language="zh-hans")
    MenuItem.objects.create(position=1, page=MenuItem.Page.ARCHIVE, label="Archive")
    MenuItem.objects.create(
        position=1, page=MenuItem.Page.ARCHIVE, label="归档", language="zh-hans"
    )
    MenuItem.objects.create(position=2, url="https://example.org/", label="Shop")
    MenuItem.objects.filter(label="Archive").update(language="en")
    assert header_links(client.get("/").content.decode()) == [
        ("/archive/", "Archive"),
        ("https://example.org/", "Shop"),
    ]
    assert header_links(client.get("/zh/").content.decode()) == [
        ("/zh/archive/", "归档"),
        ("https://example.org/", "Shop"),
    ]


def test_a_language_without_items_of_a_menu_gets_the_site_pages(client, two_languages):
    make_post(title="你好", slug="hello", language="zh-hans")
    MenuItem.objects.create(position=1, url="https://example.org/", language="en")
    links = header_links(client.get("/zh/").content.decode())
    assert ("/zh/", "首页") in links and ("/zh/tags/", "标签") in links


def test_the_admin_offers_the_sites_languages_for_an_item(client, two_languages):
    client.force_login(make_user("pub", "Publishers"))
    form = client.get("/admin/news/menuitem/add/").content.decode()
    assert '<option value="zh-hans">简体中文</option>' in form
    item = {"menu": "header", "position": 1, "label": "Shop"}
    item["url"] = "https://example.org/"
    refused = client.post("/admin/news/menuitem/add/", {**item, "language": "fr"})
    assert refused.status_code == 200 and not MenuItem.objects.exists()
    response = client.post("/admin/news/menuitem/add/", {**item, "language": "zh-hans"})
    assert response.status_code == 302
    assert MenuItem.objects.get().language == "zh-hans"


def test_a_single_language_site_shows_no_language_for_menu_items(client):
    client.force_login(make_user("pub", "Publishers"))
    form = client.get("/admin/news/menuitem/add/").content.decode()
    assert 'name="language"' not in form
