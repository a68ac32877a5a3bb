import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

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
