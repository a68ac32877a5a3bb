"""What each editorial role may do in the admin, and what a refusal looks like."""

import logging

import pytest
from django.contrib.auth.models import Permission, User

from news.models import Post

from .factories import make_image, make_user, zipped

pytestmark = pytest.mark.django_db

POST = b"---\ntitle: From the archive\ndate: 2024-01-02\n---\nBody.\n"


@pytest.mark.parametrize("group", ["Editors", "Publishers"])
def test_editors_and_publishers_may_import_and_export(client, group):
    user = make_user("desk", group)
    assert user.has_perm("news.import_post")
    assert user.has_perm("news.export_post")
    client.force_login(user)
    assert "Import Markdown" in client.get("/admin/news/post/").content.decode()


def test_publishers_may_replace_an_images_file(client):
    client.force_login(make_user("desk", "Publishers"))
    image = make_image()
    page = client.get(f"/admin/news/image/{image.pk}/change/").content.decode()
    assert "Replace the file" in page


@pytest.mark.parametrize("group", ["Authors", "Editors"])
def test_authors_and_editors_may_not_replace_an_images_file(client, group):
    # A replacement changes published posts at once, with no review.
    client.force_login(make_user("desk", group))
    image = make_image()
    page = client.get(f"/admin/news/image/{image.pk}/change/").content.decode()
    assert "Replace the file" not in page


def test_an_editor_imports_a_zip(client):
    client.force_login(make_user("editor", "Editors"))
    response = client.post(
        "/admin/news/post/import/",
        {"files": zipped({"a/p.md": POST}), "status": "draft"},
        follow=True,
    )
    assert "1 created" in response.content.decode()
    assert Post.objects.get().title == "From the archive"


def test_authors_still_may_not_import(client):
    client.force_login(make_user("author", "Authors"))
    assert "Import Markdown" not in client.get("/admin/news/post/").content.decode()
    assert client.get("/admin/news/post/import/").status_code == 403


def test_a_refused_admin_page_is_a_friendly_admin_page(client, caplog):
    reader = User.objects.create_user("reader", password="pw", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(reader)
    with caplog.at_level(logging.INFO):
        response = client.get(
            "/admin/news/post/import/", HTTP_REFERER="http://testserver/admin/"
        )
    assert response.status_code == 403
    content = response.content.decode()
    assert "You may not import posts; ask an editor." in content
    assert 'id="site-name"' in content  # the admin's own frame
    assert '<a href="http://testserver/admin/">Go back</a>' in content
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_refusal_from_the_admin_itself_is_friendly_too(client):
    reader = User.objects.create_user("reader", password="pw", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(reader)
    response = client.get("/admin/news/post/add/")
    assert response.status_code == 403
    assert "You may not open this page; ask an editor." in response.content.decode()
