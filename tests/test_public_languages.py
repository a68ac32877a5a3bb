"""The public site in each language: URLs with a language prefix, the language
from the URL alone, each language's own lists, feeds and search, and caches
kept apart by language."""

import ast
import gettext
import re

import pytest
from django.urls import clear_url_caches

from news.models import Post
from news.public import cache, context_processors

from .factories import make_post, make_user

pytestmark = pytest.mark.django_db


def _forget_urls():
    clear_url_caches()
    cache._cacheable_path.cache_clear()
    context_processors._links.cache_clear()


@pytest.fixture
def two_languages(settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"
    _forget_urls()
    yield settings
    _forget_urls()


@pytest.fixture
def pair(two_languages):
    """An English post and its Chinese translation, sharing a slug."""
    en = make_post(title="Release notes", slug="release", translation_key="release")
    zh = make_post(
        title="发布说明", slug="release", language="zh-hans", translation_key="release"
    )
    en.tags.add("news")
    zh.tags.add("news")
    return en, zh


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


# -- URLs --------------------------------------------------------------------


def test_a_single_language_site_keeps_its_urls(client):
    post = make_post(title="Plain", slug="plain")
    assert post.get_absolute_url() == "/news/plain/"
    response = client.get("/news/plain/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert client.get("/zh/news/plain/").status_code == 404
    assert client.get("/en/news/plain/").status_code == 404


def test_each_language_has_its_prefix_and_the_default_none(client, pair):
    en, zh = pair
    assert en.get_absolute_url() == "/news/release/"
    assert zh.get_absolute_url() == "/zh/news/release/"
    english = client.get("/news/release/")
    chinese = client.get("/zh/news/release/")
    assert html_lang(english) == "en"
    assert html_lang(chinese) == "zh-hans"
    assert "<h1>Release notes</h1>" in english.content.decode()
    assert "<h1>发布说明</h1>" in chinese.content.decode()
    assert chinese["Content-Language"] == "zh-hans"
    # The default language has no prefix of its own.
    assert client.get("/en/news/release/").status_code == 404


def test_a_post_is_only_at_its_own_languages_address(client, two_languages):
    make_post(title="只有中文", slug="only-zh", language="zh-hans")
    assert client.get("/zh/news/only-zh/").status_code == 200
    assert client.get("/news/only-zh/").status_code == 404


def test_the_default_language_may_be_prefixed_too(client, pair, settings):
    settings.NEWSDESK_PREFIX_DEFAULT_LANGUAGE = True
    _forget_urls()
    en, zh = pair
    assert en.get_absolute_url() == "/en/news/release/"
    assert zh.get_absolute_url() == "/zh/news/release/"
    assert html_lang(client.get("/en/news/release/")) == "en"
    # An address without a language goes to the default language's, whatever
    # the browser prefers.
    response = client.get("/news/release/?ref=x", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 302
    assert response["Location"] == "/en/news/release/?ref=x"
    assert client.get("/no-such-page/").status_code == 404


def test_readers_are_never_redirected_by_their_browser_language(client, pair):
    for url in ["/", "/news/release/", "/tags/news/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        assert response.status_code == 200, url
        assert html_lang(response) == "en"
        assert "Accept-Language" not in response.get("Vary", "")


def test_the_admin_follows_the_users_language(client, admin_user, two_languages):
    client.force_login(admin_user)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # Django's admin is translated: its "Log out" is 注销.
    assert "注销" in response.content.decode()
    assert "Accept-Language" in response["Vary"]
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log out" in response.content.decode()


def test_media_health_and_admin_paths_have_no_language(client, two_languages):
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/zh/admin/login/").status_code == 404


# -- each language's pages -----------------------------------------------------


def test_each_language_lists_only_its_own_posts(client, pair):
    make_post(title="English only", slug="english-only").tags.add("news")
    pages = {
        "/": "/zh/",
        "/tags/news/": "/zh/tags/news/",
        "/tags/": "/zh/tags/",
        "/archive/": "/zh/archive/",
    }
    for english_url, chinese_url in pages.items():
        english = client.get(english_url).content.decode()
        chinese = client.get(chinese_url).content.decode()
        assert "发布说明" not in english, english_url
        assert "Release notes" not in chinese, chinese_url
        assert "English only" not in chinese, chinese_url
    assert "Release notes" in client.get("/").content.decode()
    assert "发布说明" in client.get("/zh/").content.decode()
    assert "发布说明" in client.get("/zh/tags/news/").content.decode()
    # The tag counts are the language's.
    assert re.search(r"news</a> <span[^>]*>2 ", client.get("/tags/").content.decode())
    assert re.search(
        r"news</a> <span[^>]*>1 ", client.get("/zh/tags/").content.decode()
    )


def test_a_section_without_posts_in_a_language_is_not_found_there(client, pair):
    make_post(title="English only", slug="english-only").tags.add("english")
    assert client.get("/tags/english/").status_code == 200
    assert client.get("/zh/tags/english/").status_code == 404


def test_each_language_has_its_own_feeds(client, pair):
    english = client.get("/feed/").content.decode()
    chinese = client.get("/zh/feed/").content.decode()
    assert "<title>Release notes</title>" in english
    assert "发布说明" not in english
    assert "<title>发布说明</title>" in chinese
    assert "<language>zh-hans</language>" in chinese
    assert "http://testserver/zh/news/release/" in chinese
    atom = client.get("/zh/tags/news/feed/atom/").content.decode()
    assert "发布说明" in atom and "Release notes" not in atom


def test_search_finds_the_posts_of_the_pages_language(client, pair):
    make_post(title="Kernel 发布", slug="kernel", language="zh-hans")
    english = client.get("/search/?q=kernel").content.decode()
    chinese = client.get("/zh/search/?q=kernel").content.decode()
    assert "Kernel" not in english
    assert "Kernel" in chinese


def test_cards_carry_their_posts_language(client, pair):
    assert '<article class="post-card" lang="zh-hans">' in (
        client.get("/zh/").content.decode()
    )
    assert '<article class="post-card" lang="en">' in client.get("/").content.decode()


# -- caches --------------------------------------------------------------------


def test_a_cached_english_page_is_never_served_to_a_chinese_url(client, pair, settings):
    settings.NEWSDESK_PAGE_CACHE = True
    for first, second in [("/", "/zh/"), ("/zh/tags/", "/tags/")]:
        client.get(first)
        assert client.get(first)["Content-Language"] in ("en", "zh-hans")
        response = client.get(second)
        expected = "zh-hans" if second.startswith("/zh/") else "en"
        assert html_lang(response) == expected
        assert response["Content-Language"] == expected


def test_fragments_are_kept_per_language(client, pair):
    # The same card, once in each language's interface.
    client.get("/tags/news/")
    chinese = client.get("/zh/tags/news/").content.decode()
    english = client.get("/tags/news/").content.decode()
    assert 'lang="zh-hans"' in chinese and '<html lang="en"' in english
    assert "Release notes" in english and "Release notes" not in chinese


# -- queries -------------------------------------------------------------------


def queries_of(client, url, django_assert_num_queries, expected):
    made, reused = expected
    with django_assert_num_queries(made):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(reused):
        assert client.get(url).status_code == 200


# As tests/test_views.py's pins (posts without banners: no renditions). The
# first page of each language makes that language's menus (2 queries), then
# reuses them; an article reads its published translations once more, with or
# without any, and reads the post and the site's freshness in one statement; a
# feed is kept whole.
PAIRED_PAGES = [
    ("/", "/zh/", (7, 2)),
    ("/tags/news/", "/zh/tags/news/", (8, 2)),
    ("/tags/", "/zh/tags/", (5, 1)),
    ("/archive/", "/zh/archive/", (4, 1)),
    ("/news/release/", "/zh/news/release/", (11, 1)),
    ("/feed/", "/zh/feed/", (4, 1)),
]


@pytest.mark.parametrize("english,chinese,expected", PAIRED_PAGES)
def test_pages_run_the_same_queries_in_both_languages(
    client, pair, django_assert_num_queries, english, chinese, expected
):
    queries_of(client, english, django_assert_num_queries, expected)
    queries_of(client, chinese, django_assert_num_queries, expected)


def test_an_article_without_translations_runs_the_same_queries(
    client, pair, django_assert_num_queries
):
    make_post(title="独自", slug="alone", language="zh-hans").tags.add("news")
    queries_of(client, "/zh/news/alone/", django_assert_num_queries, (11, 1))
    assert Post.objects.get(slug="alone").translation_key == ""


# -- the switcher and hreflang ----------------------------------------------------


def switcher(response):
    page = response.content.decode()
    found = re.search(r'<nav class="translations"[^>]*>(.*?)</nav>', page, re.S)
    return found[1] if found else ""


def test_an_article_links_to_its_translation_both_ways(client, pair):
    english = switcher(client.get("/news/release/"))
    chinese = switcher(client.get("/zh/news/release/"))
    assert 'href="/zh/news/release/" hreflang="zh-hans" rel="alternate"' in english
    assert '<span lang="zh-hans">简体中文</span>' in english
    assert 'href="/news/release/" hreflang="en" rel="alternate"' in chinese
    assert '<span lang="en">English</span>' in chinese


def test_an_article_without_a_translation_links_to_the_other_home(client, pair):
    make_post(title="独自", slug="alone", language="zh-hans")
    links = switcher(client.get("/zh/news/alone/"))
    assert 'href="/" hreflang="en">' in links
    assert "(首页)" in links


def test_an_unpublished_translation_is_not_linked(client, pair):
    en, zh = pair
    zh.status = Post.Status.DRAFT
    zh.save()
    page = client.get("/news/release/").content.decode()
    assert "/zh/news/release/" not in page
    assert 'href="/zh/" hreflang="zh-hans">' in switcher(client.get("/news/release/"))


def test_articles_name_their_alternates_and_a_default(client, pair):
    for url in ["/news/release/", "/zh/news/release/"]:
        page = client.get(url).content.decode()
        assert (
            '<link rel="alternate" hreflang="en" href="http://testserver/news/release/">'
            in page
        )
        assert (
            '<link rel="alternate" hreflang="zh-hans"'
            ' href="http://testserver/zh/news/release/">' in page
        )
        assert (
            '<link rel="alternate" hreflang="x-default"'
            ' href="http://testserver/news/release/">' in page
        )


def test_a_single_language_site_names_no_alternates(client):
    make_post(title="Plain", slug="plain")
    page = client.get("/news/plain/").content.decode()
    assert "hreflang" not in page
    assert 'class="translations"' not in page


# -- the interface in each language -------------------------------------------------


def test_the_chinese_pages_speak_chinese(client, pair):
    chinese = client.get("/zh/").content.decode()
    for text in ["最新消息", "跳到正文", ">首页<", ">标签<", ">归档<", "RSS 订阅"]:
        assert text in chinese, text
    english = client.get("/").content.decode()
    for text in ["Latest news", "Skip to content", ">Home<", ">Tags<"]:
        assert text in english, text
    assert "最新消息" not in english
    assert "标签为“news”的文章" in client.get("/zh/tags/news/").content.decode()
    assert "1 篇文章" in client.get("/zh/tags/").content.decode()
    assert "找不到页面" in client.get("/zh/no-such-page/").content.decode()


def test_dates_are_written_for_the_locale(client, pair):
    en, zh = pair
    for post in pair:
        post.published_at = post.published_at.replace(year=2024, month=5, day=1)
        post.save()
    assert ">May 1, 2024</time>" in client.get("/news/release/").content.decode()
    assert ">2024年5月1日</time>" in client.get("/zh/news/release/").content.decode()
    assert "<h1>2024年5月</h1>" in client.get("/zh/archive/2024/05/").content.decode()


def po_catalog(path):
    """Read a .po file's translations as gettext keys them: ``msgid``,
    ``context\x04msgid``, ``(msgid, n)`` for plurals; untranslated, fuzzy and
    obsolete entries left out, as msgfmt leaves them out."""
    catalog = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if "#, fuzzy" in " ".join(lines) or not any(
            line.startswith("msgid ") for line in lines
        ):
            continue
        fields, key = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        msgid = fields["msgid"]
        if not msgid:
            continue  # the header
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            for name, text in fields.items():
                if name.startswith("msgstr[") and text:
                    catalog[(msgid, int(name[7:-1]))] = text
        elif fields["msgstr"]:
            catalog[msgid] = fields["msgstr"]
    return catalog


def test_the_committed_catalogs_are_compiled_from_the_po_files(settings):
    found = list((settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po"))
    assert {po.parent.parent.name for po in found} == {"en", "zh_Hans"}
    for po in found:
        with open(po.with_suffix(".mo"), "rb") as compiled:
            catalog = gettext.GNUTranslations(compiled)._catalog
        catalog = {key: text for key, text in catalog.items() if key != ""}
        assert catalog == po_catalog(po), f"{po} changed: run make messages"
    # Every string of the Chinese site is translated.
    chinese = po_catalog(settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po")
    text = (settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    assert len(chinese) == text.count("\nmsgid ") - 1


def test_the_home_pages_name_each_other_and_suggest_without_redirecting(client, pair):
    for url in ["/", "/zh/"]:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
        assert '<link rel="alternate" hreflang="en" href="http://testserver/">' in page
        assert (
            '<link rel="alternate" hreflang="zh-hans" href="http://testserver/zh/">'
            in page
        )
        assert '<link rel="alternate" hreflang="x-default"' in page
    english = client.get("/").content.decode()
    # The suggestion is hidden until the reader's browser is seen to prefer
    # the language (static/js/language.js), and is written in it.
    assert (
        '<p class="language-suggestion" data-language="zh-hans" lang="zh-hans" hidden>'
        '<a href="/zh/" hreflang="zh-hans">本页也有简体中文版本。</a></p>'
    ) in english
    assert "This page is also in English." in client.get("/zh/").content.decode()
    # Only the home page suggests.
    assert "language-suggestion" not in client.get("/tags/news/").content.decode()


def test_a_single_language_home_page_suggests_nothing(client):
    make_post(title="Plain", slug="plain")
    page = client.get("/").content.decode()
    assert "hreflang" not in page
    assert "language-suggestion" not in page
    assert "language.js" not in page


def test_a_preview_is_in_its_posts_language_at_any_address(client, two_languages):
    from news.editorial import previews

    draft = make_post(
        title="草稿", slug="draft", language="zh-hans", status=Post.Status.DRAFT
    )
    link = previews.create(draft, by=make_user("edna", "Editors"))
    for url in [link.get_absolute_url(), "/zh" + link.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert html_lang(response) == "zh-hans"
        assert "跳到正文" in response.content.decode()


def test_a_language_without_its_slash_gets_one(client, pair):
    response = client.get("/zh")
    assert response.status_code == 301
    assert response["Location"] == "/zh/"


def test_a_url_segment_is_the_base_language_unless_shared(settings):
    from news import languages

    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    assert [languages.url_code(c) for c in languages.codes()] == ["en", "zh"]
    assert languages.from_url("/zh/news/x/") == "zh-hans"
    assert languages.from_url("/zh-hans/news/x/") is None
    assert languages.from_url("/news/x/") is None
    settings.LANGUAGES = [("pt", "Português"), ("pt-br", "Português (Brasil)")]
    assert [languages.url_code(c) for c in languages.codes()] == ["pt", "pt-br"]
    assert languages.from_url("/pt-br/") == "pt-br"


def test_a_section_feed_without_posts_in_a_language_is_not_found_there(client, pair):
    make_post(title="English only", slug="english-only").tags.add("english")
    assert client.get("/tags/english/feed/").status_code == 200
    assert client.get("/zh/tags/english/feed/").status_code == 404


def test_menus_and_suggestions_are_the_pages_language(client, pair):
    from .factories import make_category

    make_post(title="Sport", slug="sport", category=make_category("Sport"))
    make_post(
        title="体育新闻",
        slug="sport",
        language="zh-hans",
        category=make_category("体育"),
    )
    english = client.get("/").content.decode()
    chinese = client.get("/zh/").content.decode()
    # The footer's sections are the categories with posts in the language.
    assert 'href="/categories/sport/">Sport</a>' in english
    assert ">体育</a>" not in english
    assert ">体育</a>" in chinese and ">Sport</a>" not in chinese
    assert ">栏目</h2>" in chinese
    nothing = client.get("/zh/search/?q=nomatch").content.decode()
    assert "没有找到结果，试试这些" in nothing
    assert "体育新闻" in nothing and "Release notes" not in nothing
