from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import Max, Min
from django.utils import timezone

from news import images
from news.models import Post, PostImage, SiteChange

from .factories import image_bytes, make_post

pytestmark = pytest.mark.django_db


def test_published_shows_published_posts_that_are_due():
    visible = make_post(title="Visible")
    make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(title="In review", status=Post.Status.IN_REVIEW)
    make_post(title="Archived", status=Post.Status.ARCHIVED)
    assert list(Post.objects.published()) == [visible]


def test_scheduled_post_is_hidden_until_its_time():
    post = make_post(title="Later", published_at=timezone.now() + timedelta(minutes=5))
    assert not Post.objects.published().exists()
    Post.objects.filter(pk=post.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )
    assert list(Post.objects.published()) == [post]


def test_published_post_without_a_time_is_hidden():
    make_post(title="No time", published_at=None).save()
    Post.objects.update(published_at=None)
    assert not Post.objects.published().exists()


def test_body_html_is_rendered_and_sanitised_on_save():
    post = make_post(body="# Hello\n\n<script>alert(1)</script>**bold**")
    assert '<h2 id="hello">Hello</h2>' in post.body_html
    assert "<strong>bold</strong>" in post.body_html
    assert "script" not in post.body_html


def test_body_html_follows_body_changes():
    post = make_post(body="first")
    post.body = "second"
    post.save(update_fields=["body"])
    post.refresh_from_db()
    assert "second" in post.body_html


def test_image_references_render_from_the_posts_mapping():
    image, _ = images.store(image_bytes(size=(30, 20)), alt="Stored alt")
    post = make_post(body="![](./images/1.png)\n\n![x](missing.png)")
    PostImage.objects.create(post=post, image=image, reference="images/1.png")
    post.refresh_html()
    post.save()
    assert f'src="{image.file.url}"' in post.body_html
    assert 'width="30"' in post.body_html and 'height="20"' in post.body_html
    assert 'alt="Stored alt"' in post.body_html
    # The stored Markdown keeps the author's path; the unresolved one stays as written.
    assert post.body.startswith("![](./images/1.png)")
    assert 'src="missing.png"' in post.body_html


def test_unicode_slugs_are_allowed():
    post = make_post(title="社区动态", slug="社区动态")
    assert post.get_absolute_url() == "/news/%E7%A4%BE%E5%8C%BA%E5%8A%A8%E6%80%81/"


def test_freshness_follows_published_scheduled_and_site_changes():
    assert Post.objects.freshness() == (None, None)
    now = timezone.now()
    hour = timedelta(hours=1)
    make_post(title="Old", published_at=now - 3 * hour)
    make_post(title="Draft", status=Post.Status.DRAFT, published_at=now + 5 * hour)
    make_post(title="Later", published_at=now + 2 * hour)
    make_post(title="Soon", published_at=now + hour)
    make_post(
        title="Archived", status=Post.Status.ARCHIVED, published_at=now + hour / 2
    )
    published = Post.objects.published()
    latest_edit = Post.objects.aggregate(m=Max("updated_at"))["m"]
    changed, due = Post.objects.freshness()
    # The next due post is the earliest scheduled one, not a draft or archive.
    assert due == Post.objects.scheduled().aggregate(m=Min("published_at"))["m"]
    assert due == Post.objects.get(title="Soon").published_at
    assert changed == max(latest_edit, published.aggregate(m=Max("published_at"))["m"])
    # A publication time that has passed counts as a change.
    Post.objects.filter(title="Old").update(published_at=now + hour / 4)
    with mock.patch("django.utils.timezone.now", return_value=now + hour / 3):
        assert Post.objects.freshness()[0] == now + hour / 4
    # So does a SiteChange, as an aware datetime on every database.
    site = now + 9 * hour
    SiteChange.objects.create(changed_at=site)
    assert Post.objects.freshness()[0] == site
