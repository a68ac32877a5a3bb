import json
import zipfile

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from news.documents import markdown
from news.documents.importer import Importer
from news.models import Author, Image, Post, SourceFile
from tests.conftest import QUEUED_ONLY

from .factories import image_bytes, write_tree

pytestmark = pytest.mark.django_db

POST = """---
title: 'First post'
date: 2024-04-22
category: news
tags:
  - openEuler
  - community
author:
  - Ana
  - Li
summary: 'A summary'
archives: 2024-04
sig: sig-Infra
---

Hello ![one](./images/1.png) and <img src="images/2.jpg" width="10">.
"""


@pytest.fixture
def tree(tmp_path):
    return write_tree(
        tmp_path / "site",
        {
            "en/news/first/index.md": POST,
            "en/news/first/images/1.png": image_bytes(),
            "en/news/first/images/2.jpg": image_bytes("JPEG", color=(0, 0, 200)),
        },
    )


def run(*paths, **options):
    return Importer(**options).run(paths)


def messages(report, level=None):
    return [str(p) for p in report.problems if level is None or p.level == level]


def test_import_creates_the_post_with_every_field(tree):
    report = run(tree)
    assert (report.created, report.failed) == (1, 0), messages(report)
    post = Post.objects.get()
    assert post.slug == "first"  # index.md takes its folder's name
    assert post.title == "First post"
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at.date().isoformat() == "2024-04-22"
    assert post.category.name == "news"
    assert sorted(post.tags.names()) == ["community", "openEuler"]
    assert [b.author.name for b in post.bylines.all()] == ["Ana", "Li"]
    assert post.extra == {"archives": "2024-04", "sig": "sig-Infra"}
    assert post.source.path == "en/news/first/index.md"
    assert Image.objects.count() == 2
    for image in Image.objects.all():
        # Shown through its renditions, never the original with its metadata.
        assert f'src="{image.file.url}"' not in post.body_html
        assert f'src="/media/renditions/{image.sha256[:2]}/{image.sha256}-' in (
            post.body_html
        )


def test_reimporting_an_unchanged_tree_changes_nothing(tree):
    run(tree)
    before = Post.objects.values().get()
    report = run(tree)
    assert report.summary().startswith("0 created, 0 updated, 1 unchanged")
    assert Post.objects.values().get() == before


def test_a_changed_file_updates_exactly_its_post(tree):
    write_tree(tree, {"en/other.md": "---\ntitle: Other\n---\nbody\n"})
    run(tree)
    other = Post.objects.get(slug="other")
    path = tree / "en/news/first/index.md"
    path.write_text(POST.replace("First post", "Renamed post"))
    report = run(tree)
    assert (report.updated, report.unchanged) == (1, 1)
    assert Post.objects.get(slug="first").title == "Renamed post"
    assert Post.objects.get(slug="other").updated_at == other.updated_at


def test_a_changed_image_updates_the_post(tree):
    run(tree)
    (tree / "en/news/first/images/1.png").write_bytes(image_bytes(color=(1, 2, 3)))
    report = run(tree)
    assert report.updated == 1
    assert Image.objects.count() == 3


def test_an_edited_post_is_a_conflict_unless_overwritten(tree):
    run(tree)
    post = Post.objects.get()
    post.title = "Edited in the admin"
    post.save()
    (tree / "en/news/first/index.md").write_text(
        POST.replace("A summary", "New summary")
    )
    report = run(tree)
    assert report.conflicts == 1
    assert "edited since it was imported" in messages(report)[0]
    assert Post.objects.get().title == "Edited in the admin"
    report = run(tree, overwrite=True)
    assert report.updated == 1
    post = Post.objects.get()
    assert (post.title, post.summary) == ("First post", "New summary")


def test_dry_run_writes_nothing(tree):
    report = run(tree, dry_run=True)
    assert report.created == 1
    assert report.summary().startswith("Dry run: would have 1 created")
    assert not Post.objects.exists()
    assert not Image.objects.exists()
    assert not default_storage.exists("images")


def test_bad_files_fail_with_file_and_line_and_the_rest_imports(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "a-good.md": "---\ntitle: Good\n---\nok\n",
            "b-bad-yaml.md": "---\ntitle:'x'\ndate: 2024-01-01\n---\n",
            "c-list.md": "---\n- a\n- b\n---\n",
            "d-no-title.md": "---\ndate: 2024-01-01\n---\nbody\n",
            "e-bad-date.md": "---\ntitle: T\ndate: someday\n---\n",
            "f-latin1.md": "---\ntitle: caf\xe9\n---\n".encode("latin-1"),
            "g-good.md": "---\ntitle: Also good\n---\n",
        },
    )
    report = run(root)
    assert (report.created, report.failed) == (2, 5)
    errors = "\n".join(messages(report, "error"))
    assert "b-bad-yaml.md:2: error: expected a space after ':'" in errors
    assert "c-list.md" in errors and "not a mapping" in errors
    assert "d-no-title.md" in errors and "no title" in errors
    assert "e-bad-date.md:3: error: cannot read date 'someday'" in errors
    assert "f-latin1.md" in errors and "UTF-8" in errors
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["a-good", "g-good"]


def test_a_failing_file_leaves_no_rows_and_no_stored_files(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "post.md": "---\ntitle: T\ndate: never\n---\n![](pic.png)\n",
            "pic.png": image_bytes(color=(9, 9, 9)),
        },
    )
    report = run(root)
    assert report.failed == 1
    assert not Image.objects.exists()
    assert not Author.objects.exists()
    _, files = (
        default_storage.listdir("images")
        if default_storage.exists("images")
        else ([], [])
    )
    assert files == []


# Each file's transaction commits here, as on the command line, so that a
# later file linking to a row that was rolled back would fail on commit.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_category_made_by_a_failed_file_is_made_again_by_the_next(tmp_path):
    # The first file creates the category, then fails to render (its body is
    # over the limit), so its transaction takes the category away again.
    too_long = "x" * (markdown.MAX_BODY_CHARS + 1)
    root = write_tree(
        tmp_path,
        {
            "a-fails.md": f"---\ntitle: A\ndate: 2024-01-01\ncategory: Fresh\n"
            f"---\n{too_long}\n",
            "b-later.md": "---\ntitle: B\ndate: 2024-01-02\ncategory: fresh\n---\n",
            "c-later.md": "---\ntitle: C\ndate: 2024-01-03\ncategory: Fresh\n---\n",
        },
    )
    report = run(root)
    assert messages(report, "error") == [
        "a-fails.md: error: the body is 2,000,002 characters long; "
        "the limit is 2,000,000"
    ]
    assert (report.created, report.failed) == (2, 1)
    posts = Post.objects.order_by("slug").select_related("category")
    assert [(p.slug, p.category.name) for p in posts] == [
        ("b-later", "fresh"),
        ("c-later", "fresh"),
    ]


def test_two_files_claiming_one_slug(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "a.md": "---\ntitle: A\nslug: same\n---\n",
            "b.md": "---\ntitle: B\nslug: same\n---\n",
        },
    )
    report = run(root)
    assert report.failed == 1
    assert "b.md: error: slug 'same' is already used by a.md" in messages(report)


def test_translations_sharing_a_file_name_get_numbered_slugs(tmp_path):
    root = write_tree(
        tmp_path,
        {"en/x.md": "---\ntitle: X\n---\n", "zh/x.md": "---\ntitle: 叉\n---\n"},
    )
    assert run(root).created == 2
    assert dict(Post.objects.values_list("source__path", "slug")) == {
        "en/x.md": "x",
        "zh/x.md": "x-2",
    }
    assert run(root).unchanged == 2


def test_image_warnings_name_file_line_and_reference(tmp_path):
    root = write_tree(
        tmp_path / "root",
        {
            "post.md": "---\ntitle: T\ndate: 2024-01-02\n---\n\n![](missing.png)\n"
            "![](../outside.png)\n"
            "![](https://example.com/x.png)\n<img src='/etc/passwd'>\n",
        },
    )
    (tmp_path / "outside.png").write_bytes(image_bytes())
    report = run(root)
    assert report.created == 1
    assert messages(report, "warning") == [
        "post.md:6: warning: image not found: missing.png",
        "post.md:7: warning: image outside the import root: ../outside.png",
        "post.md:8: warning: remote image not fetched: https://example.com/x.png",
        "post.md:9: warning: image not found: /etc/passwd",
    ]
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    ("banner", "expected"),
    [
        ("../../x.png", "banner outside the import root: ../../x.png"),
        ("C:\\\\pics\\\\x.png", "banner outside the import root: C:\\\\pics\\\\x.png"),
        ("/etc/passwd", "banner not found: /etc/passwd"),
        ("file:///etc/passwd", "banner is a file: URL, which readers cannot open: file:///etc/passwd"),
        ("https://example.com/b.png", "remote banner not fetched: https://example.com/b.png"),
        ("javascript:alert(1)", "banner is not a path or a web address: javascript:alert(1)"),
    ],
)  # fmt: skip
def test_banner_warnings_name_the_banner(tmp_path, banner, expected):
    root = write_tree(
        tmp_path / "root",
        {"a/post.md": f"---\ntitle: T\ndate: 2024-01-02\nbanner: '{banner}'\n---\n"},
    )
    report = run(root)
    assert report.created == 1
    assert messages(report, "warning") == [f"a/post.md:4: warning: {expected}"]


def test_file_urls_in_a_body_are_warned_about(tmp_path):
    body = (
        "[notes](file:///home/ana/notes.txt) and <a href='FILE://server/x'>x</a>\n"
        "![pic](file:///C:/pics/x.png)\n"
        "`file:///in/code` is code, not a link.\n"
    )
    root = write_tree(
        tmp_path / "root",
        {"post.md": f"---\ntitle: T\ndate: 2024-01-02\n---\n{body}"},
    )
    report = run(root)
    assert messages(report, "warning") == [
        "post.md:5: warning: a file: URL, which readers cannot open: "
        "file:///home/ana/notes.txt",
        "post.md:5: warning: a file: URL, which readers cannot open: FILE://server/x",
        "post.md:6: warning: image is a file: URL, which readers cannot open: "
        "file:///C:/pics/x.png",
    ]
    html = Post.objects.get().body_html.lower()
    assert 'href="file:' not in html and 'src="file:' not in html


def test_symlink_out_of_the_root_is_not_followed(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(image_bytes())
    root = write_tree(
        tmp_path / "root", {"post.md": "---\ntitle: T\n---\n![](link.png)\n"}
    )
    (root / "link.png").symlink_to(secret)
    report = run(root)
    assert "post.md:4: warning: image not found: link.png" in messages(report)
    assert not Image.objects.exists()


def test_markdown_symlink_out_of_the_root_is_refused(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nNot for the site.\n")
    root = write_tree(tmp_path / "root", {"post.md": "---\ntitle: Kept\n---\nBody\n"})
    (root / "leak.md").symlink_to(secret)
    report = run(root)
    assert "leak.md: error: a symlink to a file outside the import root" in messages(
        report
    )
    assert list(Post.objects.values_list("title", flat=True)) == ["Kept"]


def test_a_markdown_file_named_on_the_command_line_may_be_a_symlink(tmp_path):
    target = tmp_path / "elsewhere" / "post.md"
    target.parent.mkdir()
    target.write_text("---\ntitle: Named\n---\nBody\n")
    (tmp_path / "root").mkdir()
    link = tmp_path / "root" / "link.md"
    link.symlink_to(target)
    report = run(link)
    assert report.ok, messages(report)
    assert list(Post.objects.values_list("title", flat=True)) == ["Named"]


def test_invalid_images_are_refused_with_a_warning(tmp_path, settings):
    settings.NEWSDESK_MAX_IMAGE_PIXELS = 100
    root = write_tree(
        tmp_path,
        {
            "post.md": "---\ntitle: T\n---\n![](fake.png)\n![](huge.png)\n![](pic.bmp)\n",
            "fake.png": b"<svg onload=alert(1)>",
            "huge.png": image_bytes(size=(20, 20)),
            "pic.bmp": image_bytes("BMP"),
        },
    )
    report = run(root)
    assert report.created == 1
    warnings = "\n".join(messages(report, "warning"))
    assert "fake.png: not a recognised image file" in warnings
    assert "huge.png: image is 20x20 pixels, over the limit of 100" in warnings
    assert "pic.bmp: BMP images are not accepted" in warnings
    assert not Image.objects.exists()


def test_site_root_resolves_site_absolute_and_banner_paths(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "docs/news/2024-01-02-p.md": "---\ntitle: T\n"
            "banner: img/banners/b.png\n---\n"
            "![](/img/news/1.png)\n",
            "docs/public/img/banners/b.png": image_bytes(color=(1, 1, 1)),
            "docs/public/img/news/1.png": image_bytes(color=(2, 2, 2)),
        },
    )
    report = run(root, site_root="docs/public")
    assert report.warnings == 0, messages(report)
    post = Post.objects.get()
    assert (
        post.banner.file.read() == (root / "docs/public/img/banners/b.png").read_bytes()
    )
    assert (
        post.image_links.get(reference="/img/news/1.png").path
        == "docs/public/img/news/1.png"
    )


def test_status_draft_and_front_matter_draft(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "a.md": "---\ntitle: A\ndate: 2024-01-02\n---\n",
            "b.md": "---\ntitle: B\ndraft: true\n---\n",
        },
    )
    run(root)
    assert dict(Post.objects.values_list("slug", "status")) == {
        "a": "published",
        "b": "draft",
    }
    Post.objects.all().delete()
    SourceFile.objects.all().delete()
    run(root, status=Post.Status.DRAFT)
    assert set(Post.objects.values_list("status", flat=True)) == {"draft"}


def test_a_user_without_publish_permission_imports_drafts(tree):
    user = User.objects.create_user("author", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_post"))
    report = run(tree, user=user)
    assert Post.objects.get().status == Post.Status.DRAFT
    assert "not allowed to publish" in messages(report, "warning")[0]


def test_default_author_for_posts_without_one(tmp_path):
    root = write_tree(tmp_path, {"a.md": "---\ntitle: A\n---\n"})
    run(root, author="Desk")
    assert [a.name for a in Post.objects.get().authors.all()] == ["Desk"]


def test_zip_archives_import_and_escaping_members_fail(tmp_path):
    archive = tmp_path / "posts.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("site/p.md", "---\ntitle: Zipped\n---\n![](img/1.png)\n")
        zf.writestr("site/img/1.png", image_bytes())
        zf.writestr("../evil.md", "---\ntitle: Evil\n---\n")
    report = run(archive)
    assert (report.created, report.failed) == (1, 1)
    assert "../evil.md: error: zip member escapes the archive" in messages(report)
    post = Post.objects.get()
    assert post.source.path == "site/p.md"
    assert post.image_links.get().path == "site/img/1.png"


def test_no_front_matter_takes_title_from_heading(tmp_path):
    root = write_tree(tmp_path, {"notes/My Notes.md": "# The heading\n\ntext\n"})
    run(root)
    post = Post.objects.get()
    assert (post.title, post.slug) == ("The heading", "my-notes")


def test_command_reports_and_exit_statuses(tree, tmp_path, capsys):
    call_command("import_markdown", str(tree))
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed" in out
    bad = write_tree(tmp_path / "bad", {"x.md": "---\n[broken\n---\n"})
    with pytest.raises(CommandError) as error:
        call_command("import_markdown", str(bad))
    assert error.value.returncode == 1
    assert "x.md:2: error:" in capsys.readouterr().err
    with pytest.raises(CommandError) as error:
        call_command("import_markdown", str(tmp_path / "nope"))
    assert error.value.returncode == 2


def test_command_json_report(tree, capsys):
    call_command("import_markdown", str(tree), "--format", "json", "--dry-run")
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True
    assert (report["created"], report["failed"], report["warnings"]) == (1, 0, 0)
    assert not Post.objects.exists()


def test_import_records_a_revision_per_change_and_none_when_unchanged(tree):
    run(tree)
    post = Post.objects.get()
    first = post.revisions.get()
    assert first.reason == "import of en/news/first/index.md"
    assert first.document == POST
    run(tree)
    assert post.revisions.count() == 1
    (tree / "en/news/first/index.md").write_text(POST.replace("A summary", "Changed"))
    run(tree)
    latest = post.revisions.first()
    assert post.revisions.count() == 2
    assert "summary: 'Changed'" in latest.document
    assert latest.values["summary"] == "Changed"


def test_oversized_files_fail_and_oversized_images_warn(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "news.documents.importer.reading.MAX_DOCUMENT_BYTES", 1024 * 1024
    )
    monkeypatch.setattr(
        "news.documents.importer.references.MAX_IMAGE_BYTES", 1024 * 1024
    )
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.md", "---\ntitle: Huge\n---\n" + "x" * (1024 * 1024))
        zf.writestr("ok.md", "---\ntitle: Fine\n---\n![](big.png)\n")
        zf.writestr("big.png", b"\x89PNG" + b"\0" * (1024 * 1024))
    report = run(archive)
    assert (report.created, report.failed) == (1, 1)
    limit = "the limit is 1 MB (1,048,576 bytes)"
    assert (
        f"huge.md: error: the file is 1,048,596 bytes uncompressed; {limit}"
        in messages(report)
    )
    assert (
        f"ok.md:4: warning: big.png: the file is 1,048,580 bytes uncompressed; {limit}"
        in messages(report)
    )


def test_site_root_may_be_absolute_and_must_be_a_directory(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {
            "docs/p.md": "---\ntitle: T\ndate: 2024-01-02\nbanner: img/b.png\n---\n",
            "public/img/b.png": image_bytes(),
        },
    )
    report = run(root, site_root=str(root / "public"))
    assert (report.created, report.warnings) == (1, 0)
    with pytest.raises(ValueError, match="is not a directory"):
        run(root, site_root=str(tmp_path / "nowhere"))
    with pytest.raises(CommandError) as error:
        call_command("import_markdown", str(root), "--site-root", "../elsewhere")
    assert error.value.returncode == 2
    assert "leaves the import root" in str(error.value)


# What importing one more post costs, with a banner every post shares, two
# images of its own, two tags and two authors, once those exist: its source
# file, its slug, its images (looked up in one query; the two new ones
# stored, and known to have no renditions yet; the banner looked at by the
# run's first file), the post and its audit entry, image links, tags and
# bylines (the tags and authors themselves known from the run's earlier
# files), source file and revision, in a savepoint of its own. Pinned, so that a change adding work per
# file shows here. The search index and webhook receivers run on commit, which
# the test's own transaction never reaches.
QUERIES_PER_IMPORTED_POST = 14


def reports(root, first, count):
    files = {"img/banner.png": image_bytes(size=(64, 48), color=(1, 2, 3))}
    for n in range(first, first + count):
        files[f"report-{n}/index.md"] = (
            f"---\ntitle: Report {n}\ndate: 2024-03-01\nbanner: ../img/banner.png\n"
            "tags: [openEuler, iSulad]\nauthor: [Ana, Li]\n---\n\n"
            "![One](images/1.png) and ![Two](images/2.png)\n"
        )
        files[f"report-{n}/images/1.png"] = image_bytes(color=(n, 1, 1))
        files[f"report-{n}/images/2.png"] = image_bytes(color=(n, 2, 2))
    return write_tree(root, files)


def test_each_imported_post_costs_the_same_queries(tmp_path, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = QUEUED_ONLY
    # The banner, tags, authors and category exist once the first is in.
    Importer().run([reports(tmp_path / "first", 0, 3)])
    counts = []
    for first, count in ((3, 3), (6, 6)):
        root = reports(tmp_path / f"site-{first}", first, count)
        with CaptureQueriesContext(connection) as queries:
            report = Importer().run([root])
        assert report.created == count and not report.failed, report.problems
        counts.append(len(queries))
    per_post = (counts[1] - counts[0]) / 3
    assert per_post == QUERIES_PER_IMPORTED_POST, counts
