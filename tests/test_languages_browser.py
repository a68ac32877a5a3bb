"""The site in English and Chinese in a real browser (Playwright driving
Debian's Chromium): switching between the two versions of a pair, ``lang`` and
the ``hreflang`` alternates, the Chinese interface, the home page's language
suggestion, and axe-core on the Chinese home page and article, and on the
admin's desk and calendar with their language filters."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import clear_url_caches
from django.utils import timezone

from news.public import cache as page_cache
from news.public import context_processors

from .factories import make_post, make_user
from .test_public_browser import Reader, axe_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ALTERNATES = """() => [...document.querySelectorAll('link[rel=alternate][hreflang]')]
  .map((link) => [link.hreflang, new URL(link.href).pathname])"""


def _forget_urls():
    clear_url_caches()
    page_cache._cacheable_path.cache_clear()
    context_processors._links.cache_clear()


@pytest.fixture
def readers(browser):
    """Open a browser tab as a reader whose browser speaks ``locale``."""
    opened = []

    def open_reader(**context_options):
        opened.append(Reader(browser, **context_options))
        return opened[-1]

    yield open_reader
    for reader in opened:
        reader.close()


@pytest.fixture
def site(live_server, settings):
    """An English post and its Chinese translation, and a Chinese post with
    none; return the live server's address."""
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"
    _forget_urls()
    cache.clear()
    now = timezone.now()
    english = make_post(
        title="Harbour reopens after the storm",
        slug="harbour",
        summary="Ships are back in port.",
        translation_key="harbour",
        published_at=now - timedelta(hours=2),
    )
    chinese = make_post(
        title="风暴过后港口重新开放",
        slug="harbour",
        summary="船只回到了港口。",
        body="港口在周一早上重新开放。",
        language="zh-hans",
        translation_key="harbour",
        published_at=now - timedelta(hours=2),
    )
    english.tags.add("harbour")
    chinese.tags.add("港口")
    make_post(
        title="社区春季聚会",
        slug="meetup",
        body="欢迎带朋友来。",
        language="zh-hans",
        published_at=now - timedelta(hours=3),
    )
    yield live_server.url.replace("//localhost:", "//127.0.0.1:")
    _forget_urls()


def test_a_reader_switches_between_the_two_versions_of_a_pair(site, readers):
    reader = readers(locale="en-US")
    page = reader.page
    reader.open(f"{site}/news/harbour/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate(ALTERNATES) == [
        ["en", "/news/harbour/"],
        ["zh-hans", "/zh/news/harbour/"],
        ["x-default", "/news/harbour/"],
    ]
    page.locator("nav.translations").get_by_role("link", name="简体中文").click()
    page.wait_for_url(f"{site}/zh/news/harbour/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "风暴过后港口重新开放"
    assert page.evaluate(ALTERNATES) == [
        ["en", "/news/harbour/"],
        ["zh-hans", "/zh/news/harbour/"],
        ["x-default", "/news/harbour/"],
    ]
    page.locator("nav.translations").get_by_role("link", name="English").click()
    page.wait_for_url(f"{site}/news/harbour/")
    assert page.locator("h1").inner_text() == "Harbour reopens after the storm"
    # A post with no translation links to the other language's home page.
    reader.open(f"{site}/zh/news/meetup/")
    page.locator("nav.translations").get_by_role("link", name="English").click()
    page.wait_for_url(f"{site}/")
    assert reader.problems == []


def test_the_chinese_site_speaks_chinese_and_passes_axe(site, readers):
    reader = readers(locale="zh-CN")
    page = reader.page
    reader.open(f"{site}/zh/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "最新消息"
    nav = page.get_by_role("navigation", name="网站")
    for name in ["首页", "分类", "标签", "作者", "归档"]:
        assert nav.get_by_role("link", name=name).is_visible(), name
    assert page.get_by_role("button", name="搜索").is_visible()
    cards = page.locator("article.post-card")
    assert cards.count() == 2
    assert {cards.nth(i).get_attribute("lang") for i in range(2)} == {"zh-hans"}
    assert axe_problems(page) == []
    reader.open(f"{site}/zh/news/harbour/")
    assert page.get_by_role("heading", name="风暴过后港口重新开放").is_visible()
    assert page.locator("time").first.inner_text().endswith("日")
    assert axe_problems(page) == []
    assert reader.problems == []


def test_the_home_page_suggests_the_readers_language_without_moving(site, readers):
    chinese_reader = readers(locale="zh-CN")
    chinese_reader.open(f"{site}/")
    page = chinese_reader.page
    # Never redirected: the English home page, with a notice in Chinese.
    assert page.url == f"{site}/"
    assert page.locator("html").get_attribute("lang") == "en"
    suggestion = page.locator(".language-suggestion")
    suggestion.wait_for(state="visible")
    assert suggestion.inner_text() == "本页也有简体中文版本。"
    assert axe_problems(page) == []
    suggestion.get_by_role("link").click()
    page.wait_for_url(f"{site}/zh/")
    # The Chinese home page suggests nothing to a Chinese reader.
    assert page.locator(".language-suggestion").is_hidden()
    english_reader = readers(locale="en-US")
    english_reader.open(f"{site}/")
    assert english_reader.page.locator(".language-suggestion").is_hidden()
    assert chinese_reader.problems == english_reader.problems == []


def test_the_admins_language_filters_pass_axe_in_chinese(site, browser):
    make_user("pat", "Editors", "Publishers")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "pat")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    # The admin speaks the browser's language.
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    problems = []
    for url in ["/admin/?language=zh-hans", "/admin/news/post/calendar/?language=en"]:
        page.goto(f"{site}{url}")
        filter_links = page.locator("nav.language-filter a")
        assert filter_links.count() == 3
        assert page.locator("nav.language-filter [aria-current=true]").count() == 1
        problems += axe_problems(page)
    context.close()
    assert problems == [], "\n".join(problems)
