"""The admin as each role sees it: branding, links, fields and images."""

import pytest
from django.test import override_settings
from django.utils import timezone

from news.models import Post, PostImage

from .factories import make_image, make_post, make_user

pytestmark = pytest.mark.django_db


def with_byline(post, user):
    post.bylines.create(author=user.author)
    return post


@override_settings(NEWSDESK_SITE_NAME="The Daily Example")
def test_the_admin_is_branded_with_the_site_name(client):
    client.force_login(make_user("editor", "Editors"))
    content = client.get("/admin/news/post/").content.decode()
    assert '<a href="/admin/">The Daily Example</a>' in content
    assert "| The Daily Example</title>" in content
    assert "Django administration" not in content


@override_settings(NEWSDESK_SITE_NAME="The Daily Example")
def test_the_login_page_is_branded_too(client):
    content = client.get("/admin/login/").content.decode()
    assert "The Daily Example" in content
    assert "Django" not in content


def test_view_on_site_only_for_published_posts(client):
    client.force_login(make_user("editor", "Editors"))
    live = make_post(title="Live")
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    live_page = client.get(f"/admin/news/post/{live.pk}/change/").content.decode()
    assert "View on site" in live_page
    # Saving the draft once gives it a revision, which "Preview" shows.
    draft_page = client.get(f"/admin/news/post/{draft.pk}/change/").content.decode()
    assert "View on site" not in draft_page


@pytest.mark.parametrize(
    ("group", "sees_dates"),
    [("Authors", False), ("Editors", False), ("Publishers", True)],
)
def test_publication_dates_only_for_who_may_publish(client, group, sees_dates):
    user = make_user("desk", group)
    post = with_byline(make_post(title="Mine", status=Post.Status.DRAFT), user)
    client.force_login(user)
    content = client.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    assert 'name="title"' in content
    for label in ["Published at", "Planned for", "Last updated"]:
        assert (label in content) is sees_dates, label


def test_an_author_cannot_set_the_publication_date_by_posting_it(client):
    user = make_user("author", "Authors")
    client.force_login(user)
    client.post(
        "/admin/news/post/add/",
        {
            "title": "Sneaky",
            "slug": "",
            "summary": "",
            "body": "Text.",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "image_links-TOTAL_FORMS": "0",
            "image_links-INITIAL_FORMS": "0",
            "review_comments-TOTAL_FORMS": "0",
            "review_comments-INITIAL_FORMS": "0",
        },
    )
    assert Post.objects.get(title="Sneaky").published_at is None


def test_banner_and_images_are_shown_by_alt_text_and_picture(client):
    # The image inline is for those with the PostImage permissions: a superuser.
    editor = make_user("chief", superuser=True)
    image = make_image(alt="A lighthouse at dusk")
    post = make_post(title="Coast", status=Post.Status.DRAFT, banner=image)
    PostImage.objects.create(post=post, image=image, reference="pic.jpg", path="a/p")
    client.force_login(editor)
    content = client.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    added = timezone.localtime(image.created_at)
    label = f"A lighthouse at dusk (1600×900 JPG, added {added:%Y-%m-%d})"
    assert f"selected>{label}</option>" in content
    assert f'<img src="{image.file.url}" alt="" width="96"' in content
    assert 'id="lookup_id_banner"' not in content  # no raw id box
    # The hash is in the thumbnail's address and nowhere a person reads it.
    assert content.count(image.sha256) == content.count(image.file.url)


def test_the_post_list_filters_tags_and_authors_with_a_select(client):
    editor = make_user("editor", "Editors")
    long_title = "A very long title " * 8
    post = make_post(title=long_title.strip(), slug="long")
    post.tags.add(*[f"tag {n}" for n in range(30)])
    with_byline(post, editor)
    client.force_login(editor)
    content = client.get("/admin/news/post/").content.decode()
    assert '<select id="filter-tags" name="go" class="admin-select-filter">' in content
    assert content.count('<option value="?tags__id__exact=') == 30
    assert 'href="?tags__id__exact=' not in content  # no list of links
    assert 'class="admin-select-filter"' in content.split('id="filter-authors"')[1]
    # The whole title is in the tooltip, a cut one in the list.
    assert f'title="{long_title.strip()}">A very long title A very long' in content
    chosen = post.tags.get(name="tag 7")
    filtered = client.get(f"/admin/news/post/?tags__id__exact={chosen.pk}")
    assert f'value="?tags__id__exact={chosen.pk}" selected>tag 7<' in (
        filtered.content.decode()
    )


def test_the_audit_list_filters_posts_with_a_select(client):
    editor = make_user("editor", "Editors")
    for n in range(5):
        post = make_post(title=f"Post {n}", status=Post.Status.DRAFT)
        post.audit_entries.create(transition="create", to_status="draft")
    client.force_login(editor)
    content = client.get("/admin/news/auditentry/").content.decode()
    assert content.count('<option value="?post__id__exact=') == 5
    assert 'href="?post__id__exact=' not in content
