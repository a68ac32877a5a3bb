"""The home page and section pages as readers see them: a lead story, then
cards with thumbnails, section labels, dates, authors and reading time."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from news.media import renditions
from news.models import PostImage

from .factories import add_authors, make_author, make_category, make_image, make_post

pytestmark = pytest.mark.django_db


def with_body_image(post, color=(10, 120, 60), alt="Boats at the quay"):
    """Give ``post`` a body that shows a stored image, as the importer would."""
    post.body = f"Text first.\n\n![{alt}](quay.png)\n\n![Second](pier.png)"
    PostImage.objects.create(
        post=post,
        reference="quay.png",
        image=make_image(size=(800, 450), color=color, alt=alt),
    )
    PostImage.objects.create(
        post=post, reference="pier.png", image=make_image(size=(800, 450), alt="Second")
    )
    renditions.render(post)
    post.save()
    return post


def cards(content):
    return re.findall(r'<article class="post-card"[^>]*>.*?</article>', content, re.S)


def test_a_card_without_a_banner_shows_the_first_body_image(client):
    post = with_body_image(make_post(title="Harbour", slug="harbour"))
    make_post(title="Newer", slug="newer")
    card = next(c for c in cards(client.get("/").content.decode()) if "Harbour" in c)
    thumb = re.search(r'<a class="thumb"[^>]*>(.*?)</a>', card, re.S)[1]
    assert 'alt="Boats at the quay"' in thumb and "Second" not in thumb
    assert "/media/renditions/" in thumb and 'loading="lazy"' in thumb
    assert "/media/images/" not in thumb  # never the original
    assert post.lead_image().alt == "Boats at the quay"


def test_a_card_prefers_the_banner(client):
    post = with_body_image(make_post(title="Harbour", slug="harbour"))
    post.banner = make_image(size=(960, 540), alt="The banner")
    post.save()
    card = cards(client.get("/").content.decode())[0]
    assert 'alt="The banner"' in card and "Boats at the quay" not in card


def test_a_card_shows_section_date_authors_and_reading_time(client):
    post = make_post(
        title="Ferries",
        slug="ferries",
        body="word " * 500,
        category=make_category("Transport"),
    )
    add_authors(post, make_author("Ana Lima"))
    card = cards(client.get("/").content.decode())[0]
    assert (
        '<p class="kicker"><a href="/categories/transport/">Transport</a></p>' in card
    )
    assert "<time datetime=" in card and ">Ana Lima</a>" in card
    assert '<span class="reading-time">3 min read</span>' in card


def test_the_home_page_leads_with_the_newest_story_loaded_at_once(client):
    now = timezone.now()
    for n in range(3):
        post = make_post(
            title=f"Story {n}", slug=f"s{n}", published_at=now - timedelta(hours=n + 1)
        )
        with_body_image(post, alt=f"Picture {n}")
    content = client.get("/").content.decode()
    lead = re.search(r'<div class="lead-story">(.*?)</div>\s*<article', content, re.S)[
        1
    ]
    assert "Story 0" in lead and 'alt="Picture 0"' in lead
    assert 'loading="eager" decoding="async" fetchpriority="high"' in lead
    assert content.count('fetchpriority="high"') == 1
    assert content.count('class="lead-story"') == 1
    # Page two and other lists have no lead story.
    assert 'class="lead-story"' not in client.get("/tags/").content.decode()


def test_section_lists_have_no_lead_story(client):
    category = make_category("Transport")
    make_post(title="Ferries", slug="ferries", category=category)
    assert (
        'class="lead-story"'
        not in client.get("/categories/transport/").content.decode()
    )
