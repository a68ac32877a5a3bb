"""Requested changes reach the author: the comment at the top of their post's
page, and a badge in the post list. "View on site" only for what is on the
site; "Preview" for the rest."""

import pytest
from django.urls import reverse

from news.editorial import revisions, workflow
from news.models import Post

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status


@pytest.fixture
def returned():
    author = make_user("ann", "Authors")
    editor = make_user("edna", "Editors")
    post = add_authors(make_post(title="Ferry", summary="S.", status=S.DRAFT), author)
    revisions.record(post, by=author)
    workflow.submit(post, by=author)
    workflow.request_changes(post, by=editor, comment="Which pier?\nName it.")
    return author, editor, post


def test_the_author_sees_the_comment_at_the_top_of_the_post(client, returned):
    author, _, post = returned
    client.force_login(author)
    content = client.get(reverse("admin:news_post_change", args=[post.pk])).content
    content = content.decode()
    notice = content.index('<div class="requested-notice" role="alert">')
    assert notice < content.index('name="title"')  # above the fields
    assert "<blockquote>Which pier?<br>Name it.</blockquote>" in content
    assert "edna," in content


def test_the_notice_goes_once_the_post_is_submitted_again(client, returned):
    author, _, post = returned
    workflow.submit(post, by=author)
    client.force_login(author)
    content = client.get(reverse("admin:news_post_change", args=[post.pk])).content
    assert b"requested-notice" not in content


def test_the_list_shows_a_badge(client, returned):
    author, _, post = returned
    make_post(title="Quiet draft", status=S.DRAFT)
    client.force_login(make_user("pat", "Editors"))
    content = client.get(reverse("admin:news_post_changelist")).content.decode()
    assert (
        '<span class="state-badge state-draft">Draft</span> '
        '<span class="state-badge state-requested">Changes requested</span>'
    ) in content
    assert content.count("Changes requested</span>") == 1


def test_view_on_site_for_published_posts_and_preview_for_the_rest(client, returned):
    _, editor, draft = returned
    live = make_post(title="Live", slug="live")
    revisions.record(live, by=editor)
    client.force_login(editor)
    content = client.get(reverse("admin:news_post_change", args=[draft.pk]))
    content = content.content.decode()
    assert ">Preview</a>" in content and "View on site" not in content
    content = client.get(reverse("admin:news_post_change", args=[live.pk]))
    content = content.content.decode()
    assert "View on site" in content and ">Preview</a>" not in content
