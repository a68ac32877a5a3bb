import io
import zipfile

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile

from news.documents.importer import Importer
from news.models import Post

from .factories import image_bytes, write_tree, zipped

pytestmark = pytest.mark.django_db

POST = b"---\ntitle: Uploaded\ndate: 2024-01-02\n---\n![pic](pic.png)\n"


def staff(*codenames):
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    for codename in ["view_post", "change_post", *codenames]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_import_needs_the_import_permission(client):
    client.force_login(staff())
    assert client.get("/admin/news/post/import/").status_code == 403
    changelist = client.get("/admin/news/post/")
    assert "Import Markdown" not in changelist.content.decode()


def test_zip_upload_imports_and_shows_the_report(client):
    client.force_login(staff("import_post"))
    assert "Import Markdown" in client.get("/admin/news/post/").content.decode()
    upload = zipped(
        {"a/p.md": POST, "a/pic.png": image_bytes(), "a/bad.md": b"---\n[x\n---\n"}
    )
    response = client.post(
        "/admin/news/post/import/", {"files": upload, "status": "draft"}, follow=True
    )
    content = response.content.decode()
    assert "1 created, 0 updated, 0 unchanged, 0 conflicts, 1 failed" in content
    assert "a/bad.md" in content
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert post.image_links.get().path == "a/pic.png"


def test_markdown_files_upload_with_their_images(client):
    client.force_login(staff("import_post"))
    files = [
        SimpleUploadedFile("p.md", POST),
        SimpleUploadedFile("pic.png", image_bytes(), "image/png"),
    ]
    response = client.post(
        "/admin/news/post/import/", {"files": files, "status": "draft"}
    )
    assert "1 created" in response.content.decode()
    assert Post.objects.get().image_links.count() == 1


def test_the_import_form_takes_the_commands_options_for_uploads(client):
    client.force_login(staff("import_post", "publish_post"))
    upload = zipped(
        {
            "blog/launch.md": b"---\ntitle: Launch\nwhen: 2022-07-08\n"
            b"hero: pic.png\n---\nText.\n",
            "blog/pic.png": image_bytes(),
            "blog/tabs.mdx": b"---\ntitle: Tabs\ndate: 2022-07-09\n---\n<Tabs/>\n",
            "about.md": b"---\ntitle: About\nlayout: page\ndate: 2022-01-01\n---\n",
        }
    )
    response = client.post(
        "/admin/news/post/import/",
        {
            "files": upload,
            "status": "published",
            "old_url": "/:section/:slug/",
            "field_map": "# ours\nhero=banner\nwhen=date\n",
            "mdx": "on",
            "include_layouts": "page",
        },
        follow=True,
    )
    # A zip is imported as a job; its progress page ends on the report.
    assert "3 created" in response.content.decode()
    post = Post.objects.get(slug="launch")
    assert post.banner is not None
    assert post.published_at.date().isoformat() == "2022-07-08"
    assert post.source.field_map == {"hero": "banner", "when": "date"}
    assert sorted(Post.objects.values_list("slug", flat=True)) == [
        "about",
        "launch",
        "tabs",
    ]
    redirect = client.get("/blog/launch/")
    assert (redirect.status_code, redirect["Location"]) == (
        301,
        post.get_absolute_url(),
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("field_map", "hero=banner\nhero", "line 2: &#x27;hero&#x27; is not KEY=FIELD"),
        ("field_map", "hero=bannr", "unknown field &#x27;bannr&#x27;"),
        ("old_url", ":year/:slug", "&#x27;:year/:slug&#x27; must start with /"),
        ("old_url", "/:yr/:slug/", "unknown placeholder :yr"),
    ],
)
def test_import_options_that_cannot_be_read_are_form_errors(
    client, field, value, message
):
    client.force_login(staff("import_post"))
    response = client.post(
        "/admin/news/post/import/",
        {"files": zipped({"p.md": POST}), "status": "draft", field: value},
    )
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_admin_import_never_publishes_without_the_publish_permission(client):
    client.force_login(staff("import_post"))
    response = client.post(
        "/admin/news/post/import/",
        {"files": SimpleUploadedFile("p.md", POST), "status": "published"},
    )
    assert "You may not publish posts" in response.content.decode()
    assert not Post.objects.exists()


def test_publisher_can_import_published_posts(client):
    client.force_login(staff("import_post", "publish_post"))
    client.post(
        "/admin/news/post/import/",
        {"files": SimpleUploadedFile("p.md", POST), "status": "published"},
    )
    assert Post.objects.get().status == Post.Status.PUBLISHED


def test_other_file_types_are_refused(client):
    client.force_login(staff("import_post"))
    response = client.post(
        "/admin/news/post/import/",
        {"files": SimpleUploadedFile("evil.exe", b"MZ"), "status": "draft"},
    )
    assert "evil.exe: not a .zip, Markdown or image file." in response.content.decode()


def test_export_action_downloads_a_zip_of_the_selected_posts(client, tmp_path):
    root = write_tree(
        tmp_path, {"x/p.md": POST, "x/pic.png": image_bytes(), "y.md": POST}
    )
    Importer().run([root])
    client.force_login(staff("export_post", "change_any_post"))
    wanted = Post.objects.get(source__path="x/p.md")
    response = client.post(
        "/admin/news/post/", {"action": "export_zip", "_selected_action": [wanted.pk]}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="posts-')
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zf:
        assert sorted(zf.namelist()) == ["x/p.md", "x/pic.png"]
        assert zf.read("x/p.md") == POST


def test_export_action_needs_the_export_permission(client):
    client.force_login(staff())
    Post.objects.create(title="T", slug="t")
    changelist = client.get("/admin/news/post/").content.decode()
    assert "export_zip" not in changelist


def test_every_model_has_a_working_admin_list(admin_client, tmp_path):
    Importer().run([write_tree(tmp_path, {"x/p.md": POST, "x/pic.png": image_bytes()})])
    for model in [
        "author",
        "category",
        "image",
        "post",
        "auditentry",
        "previewlink",
        "sourcefile",
        "postalias",
    ]:
        response = admin_client.get(f"/admin/news/{model}/")
        assert response.status_code == 200, model
    assert "x/p.md" in admin_client.get("/admin/news/sourcefile/").content.decode()
