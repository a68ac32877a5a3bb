from datetime import timedelta

import pytest
from django.utils import timezone

from news import images
from news.models import Post, PostImage

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
