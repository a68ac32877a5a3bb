"""The post form's Markdown editor: the widget, its live preview through the
public article template, and the page the preview is shown in."""

import pytest
from django.urls import reverse

from news.media import uploads
from news.models import Post

from .factories import add_authors, image_bytes, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status
RENDER = "admin:news_post_render_markdown"


@pytest.fixture
def author():
    return make_user("ann", "Authors")


def test_the_body_is_edited_beside_its_preview(client, author):
    post = add_authors(make_post(title="Mine", status=S.DRAFT), author)
    client.force_login(author)
    response = client.get(reverse("admin:news_post_change", args=[post.pk]))
    content = response.content.decode()
    assert 'class="markdown-editor"' in content
    assert f'data-post="{post.pk}"' in content
    for label in ["Heading", "Bold (Ctrl+B)", "Link (Ctrl+K)", "List", "Quote"]:
        assert f'title="{label}"' in content
    assert 'title="Code"' in content and 'title="Image"' in content
    frame = reverse("admin:news_post_preview_frame")
    assert f'<iframe class="markdown-preview-frame" src="{frame}"' in content
    # The script and styles are the widget's media, static files under the CSP.
    assert 'src="/static/news/markdown-editor.js"' in content
    assert 'href="/static/news/markdown-editor.css"' in content
    assert "<script>" not in content


def test_who_may_not_upload_gets_no_image_button(client):
    reader = make_user("rita", "Authors")
    reader.user_permissions.clear()
    for group in reader.groups.all():
        group.permissions.remove(*group.permissions.filter(codename="add_image"))
    client.force_login(reader)
    content = client.get(reverse("admin:news_post_add")).content.decode()
    assert 'class="markdown-editor"' in content
    assert 'title="Image"' not in content


def test_the_preview_is_the_public_article(client, author):
    client.force_login(author)
    body = "Intro.\n\n```python\nprint('hi')\n```\n\n<script>alert(1)</script>"
    response = client.post(
        reverse(RENDER), {"title": "Harbour", "summary": "Ships.", "body": body}
    )
    article = response.json()["article"]
    assert '<article class="post">' in article
    assert "<h1>Harbour</h1>" in article
    assert '<p class="summary">Ships.</p>' in article
    # Highlighted as the public page highlights it, and sanitised.
    assert '<div class="highlight">' in article
    assert "<script>" not in article
    # Counted as the public article counts them.
    assert (response.json()["words"], response.json()["minutes"]) == (3, 1)


def test_the_preview_shows_an_uploaded_image_before_the_post_is_saved(client, author):
    post = add_authors(make_post(title="Mine", status=S.DRAFT), author)
    _, reference = uploads.store(image_bytes(), alt="A red box")
    client.force_login(author)
    response = client.post(
        reverse(RENDER), {"post": post.pk, "title": "Mine", "body": reference}
    )
    article = response.json()["article"]
    assert 'alt="A red box"' in article and "/media/renditions/" in article


def test_the_preview_of_someone_elses_post_is_refused(client, author):
    other = make_post(title="Not mine", status=S.DRAFT)
    client.force_login(author)
    response = client.post(reverse(RENDER), {"post": other.pk, "body": "x"})
    assert response.status_code == 404


def test_the_preview_frame_is_the_public_page_framed_by_the_admin_only(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:news_post_preview_frame"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/static/css/site.css' in content
    assert 'href="/static/css/code.css"' in content
    assert '<div class="preview-article">' in content
    assert '<meta name="robots" content="noindex, nofollow">' in content
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # Every other page may not be framed at all.
    page = client.get(reverse("admin:news_post_add"))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_the_preview_frame_is_refused_to_who_may_not_edit(client):
    client.force_login(make_user("rita"))
    response = client.get(reverse("admin:news_post_preview_frame"))
    assert response.status_code == 403
