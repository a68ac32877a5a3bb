from datetime import timedelta

import pytest
from django.utils import timezone

from news.models import Post

from .factories import make_post

pytestmark = pytest.mark.django_db


def test_home_lists_published_posts_newest_first(client):
    make_post(title="Older", published_at=timezone.now() - timedelta(days=2))
    make_post(title="Newer", published_at=timezone.now() - timedelta(days=1))
    make_post(title="Secret draft", status=Post.Status.DRAFT)
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Newer") < content.index("Older")
    assert "Secret draft" not in content


def test_article_page_shows_the_post(client):
    post = make_post(
        title="Hello <world>", body="Some **text**.", summary="Short & sweet"
    )
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "<h1>Hello &lt;world&gt;</h1>" in response.content.decode()
    assert "<strong>text</strong>" in response.content.decode()


@pytest.mark.parametrize(
    "status",
    [
        Post.Status.DRAFT,
        Post.Status.IN_REVIEW,
        Post.Status.APPROVED,
        Post.Status.ARCHIVED,
    ],
)
def test_unpublished_article_is_a_404(client, status):
    post = make_post(title="Hidden", status=status, published_at=timezone.now())
    assert client.get(post.get_absolute_url()).status_code == 404


def test_scheduled_article_is_a_404_until_due(client):
    post = make_post(title="Soon", published_at=timezone.now() + timedelta(hours=1))
    assert client.get(post.get_absolute_url()).status_code == 404


def test_unicode_slug_article_is_served(client):
    post = make_post(title="社区动态", slug="社区动态")
    assert client.get(post.get_absolute_url()).status_code == 200
