import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import clear_url_caches
from django.utils import timezone
from lxml import etree

from .factories import HIDDEN_STATES, HOSTILE, make_post

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def listed(client):
    root = parse(client, "/sitemap-posts.xml")
    return {
        url.find("sm:loc", NS).text: url.find("sm:lastmod", NS).text
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_index_points_to_the_posts_with_lastmod(client):
    post = make_post(title="One")
    root = parse(client, "/sitemap.xml")
    (entry,) = root.findall("sm:sitemap", NS)
    assert entry.find("sm:loc", NS).text == "http://testserver/sitemap-posts.xml"
    lastmod = datetime.fromisoformat(entry.find("sm:lastmod", NS).text)
    assert abs(lastmod - post.updated_at) < timedelta(seconds=1)


def test_sitemap_lists_exactly_the_published_posts(client):
    visible = [make_post(title=f"Visible {n}") for n in range(3)]
    for state in HIDDEN_STATES:
        values = {"published_at": timezone.now() - timedelta(hours=2)}
        values.update(HIDDEN_STATES[state])
        make_post(title=f"Hidden {state}", **values)
    assert set(listed(client)) == {
        f"http://testserver{post.get_absolute_url()}" for post in visible
    }


def test_sitemap_lastmod_is_the_latest_of_update_and_publication(client):
    post = make_post(title="Updated", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    post.lastmod = timezone.now() + timedelta(minutes=5)
    post.save()
    (lastmod,) = listed(client).values()
    # Django's sitemap writes the date part (the protocol's W3C date).
    assert lastmod == post.lastmod.date().isoformat()


def test_sitemap_encodes_unicode_slugs_and_escapes_nothing_unsafe(client):
    make_post(title=HOSTILE, slug="社区动态")
    response = client.get("/sitemap-posts.xml")
    assert b"<script>" not in response.content
    (loc,) = listed(client)
    assert loc == "http://testserver/news/%E7%A4%BE%E5%8C%BA%E5%8A%A8%E6%80%81/"


def test_sitemap_queries_stay_constant(client, django_assert_num_queries):
    make_post(title="First")
    with django_assert_num_queries(3):  # count, page, freshness
        client.get("/sitemap-posts.xml")
    for n in range(40):
        make_post(title=f"Post {n}")
    with django_assert_num_queries(3):
        client.get("/sitemap-posts.xml")
    with django_assert_num_queries(3):  # count, lastmod, freshness
        client.get("/sitemap.xml")


# -- languages: alternates, checked against the schemas ----------------------------

XSD = Path(__file__).parent / "fixtures" / "xsd"
XHTML = "{http://www.w3.org/1999/xhtml}link"


def schema(name):
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def validated(client, url, name):
    response = client.get(url)
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    checker = schema(name)
    assert checker.validate(document), checker.error_log
    return document


@pytest.fixture
def two_languages(settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"
    clear_url_caches()
    yield settings
    clear_url_caches()


def alternates(document):
    """{loc: {hreflang: href}} of a parsed sitemap."""
    found = {}
    for url in document.iterfind("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        found[loc] = {
            link.get("hreflang"): link.get("href") for link in url.iter(XHTML)
        }
    return found


def test_translations_are_alternates_of_each_other_and_valid(client, two_languages):
    make_post(title="Release", slug="release", translation_key="release")
    make_post(
        title="发布", slug="release", language="zh-hans", translation_key="release"
    )
    make_post(title="Alone", slug="alone", translation_key="alone")
    draft = make_post(
        title="草稿", slug="alone", language="zh-hans", translation_key="alone"
    )
    draft.status = draft.Status.DRAFT
    draft.save()
    validated(client, "/sitemap.xml", "siteindex.xsd")
    document = validated(client, "/sitemap-posts.xml", "sitemap-with-xhtml.xsd")
    pair = {
        "en": "http://testserver/news/release/",
        "zh-hans": "http://testserver/zh/news/release/",
        "x-default": "http://testserver/news/release/",
    }
    assert alternates(document) == {
        "http://testserver/news/release/": pair,
        "http://testserver/zh/news/release/": pair,
        # A translation that is not published is no alternate.
        "http://testserver/news/alone/": {},
    }


def test_a_link_that_is_no_xhtml_link_fails_the_schema():
    bad = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        b' xmlns:xhtml="http://www.w3.org/1999/xhtml"><url>'
        b"<loc>http://testserver/news/x/</loc>"
        b'<xhtml:link rel="alternate" hreflang="not a code" href="/x/"/>'
        b"</url></urlset>"
    )
    assert not schema("sitemap-with-xhtml.xsd").validate(bad)


def test_a_single_language_sitemap_is_valid_without_alternates(client):
    make_post(title="Plain", slug="plain", translation_key="plain")
    document = validated(client, "/sitemap-posts.xml", "sitemap-with-xhtml.xsd")
    assert alternates(document) == {"http://testserver/news/plain/": {}}


@pytest.mark.parametrize(
    "asked,canonical",
    [
        ("/zh/sitemap.xml", "/sitemap.xml"),
        ("/zh/sitemap-posts.xml", "/sitemap-posts.xml"),
        ("/zh/robots.txt", "/robots.txt"),
    ],
)
def test_the_sitemap_is_one_for_every_language(client, two_languages, asked, canonical):
    make_post(title="发布", slug="release", language="zh-hans")
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_robots_names_the_one_sitemap(client, two_languages):
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
