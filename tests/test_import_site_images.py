"""Images resolved as a static site's readers saw them: relative to the file,
then to the post's published URL, then under the site root; Liquid expressions
around a site path; and a site root the operator names anywhere."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer, UploadSource
from news.documents.importer.references import published_url
from news.models import Post

from .factories import image_bytes, read_tree, write_tree

pytestmark = pytest.mark.django_db

JEKYLL_POST = """---
title: Hello
date: 2016-04-19 10:00:00 +0000
---

A climb out of the tree: ![up](../../../images/up.png)

A site variable: ![var]({{ site.baseurl }}/assets/var.png)

A filter: ![rel]({{ "/assets/rel.png" | relative_url }})

Another: <img src="{{ '/assets/abs.png' | absolute_url }}" alt="abs">

Beside the site root: ![plain](images/plain.png)
"""


@pytest.fixture
def jekyll(tmp_path):
    return write_tree(
        tmp_path / "blog",
        {
            "_posts/2016-04-19-hello.md": JEKYLL_POST,
            "images/up.png": image_bytes(color=(10, 10, 10)),
            "images/plain.png": image_bytes(color=(20, 20, 20)),
            "assets/var.png": image_bytes(color=(30, 30, 30)),
            "assets/rel.png": image_bytes(color=(40, 40, 40)),
            "assets/abs.png": image_bytes(color=(50, 50, 50)),
        },
    )


def lines(report, level=None):
    return [str(p) for p in report.problems if level is None or p.level == level]


def served(post):
    """The images the page shows, as stored renditions."""
    return post.body_html.count('src="/media/renditions/')


def test_published_url_of_a_jekyll_post_and_of_any_other_file():
    assert published_url("_posts/2016-04-19-hello.md") == "/2016/04/19/hello.html"
    assert published_url("docs/_posts/2016-04-19-a-b.markdown") == (
        "/2016/04/19/a-b.html"
    )
    assert published_url("posts/x.md") == "/posts/x/"
    assert published_url("posts/x/index.md") == "/posts/x/"
    assert published_url("README.md") == "/"


def test_jekyll_images_resolve_as_readers_saw_them(jekyll):
    report = Importer().run([jekyll])
    assert (report.created, report.warnings) == (1, 0), lines(report)
    post = Post.objects.get()
    assert served(post) == 5
    assert lines(report, "info") == [
        "_posts/2016-04-19-hello.md:6: info: ../../../images/up.png resolved "
        "relative to the published URL /2016/04/19/hello.html as /images/up.png",
        "_posts/2016-04-19-hello.md:14: info: images/plain.png resolved under the "
        "site root as /images/plain.png",
    ]
    # The body is kept as written: the template expressions stay.
    assert '{{ "/assets/rel.png" | relative_url }}' in post.body
    assert post.body_html.count("<picture>") == 5


def test_jekyll_reimport_is_unchanged_and_export_gives_the_same_bytes(jekyll, tmp_path):
    Importer().run([jekyll])
    again = Importer().run([jekyll])
    assert (again.unchanged, again.created, again.updated) == (1, 0, 0)
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    exported = read_tree(tmp_path / "out")
    assert exported["_posts/2016-04-19-hello.md"] == JEKYLL_POST.encode()
    assert exported["images/up.png"] == (jekyll / "images/up.png").read_bytes()
    assert exported["assets/rel.png"] == (jekyll / "assets/rel.png").read_bytes()


def test_posts_folder_imported_with_the_site_around_it_as_site_root(jekyll):
    report = Importer(site_root=str(jekyll)).run([jekyll / "_posts"])
    assert (report.created, report.warnings) == (1, 0), lines(report)
    assert served(Post.objects.get()) == 5
    again = Importer(site_root=str(jekyll)).run([jekyll / "_posts"])
    assert again.unchanged == 1


def test_a_changed_image_found_by_a_fallback_is_reimported(jekyll):
    Importer().run([jekyll])
    (jekyll / "images/up.png").write_bytes(image_bytes(color=(99, 0, 0)))
    assert Importer().run([jekyll]).updated == 1


def test_a_reference_escaping_both_roots_is_refused(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {
            "content/p.md": "---\ntitle: T\ndate: 2024-01-02\n---\n\n"
            "![x](../../secret.png)\n![y](/../../secret.png)\n",
            "static/x.png": image_bytes(),
        },
    )
    (tmp_path / "secret.png").write_bytes(image_bytes())
    report = Importer(site_root=str(root / "static")).run([root / "content"])
    assert report.created == 1
    assert lines(report, "warning") == [
        "p.md:6: warning: image outside the import root: ../../secret.png",
        "p.md:7: warning: image not found: /../../secret.png",
    ]
    assert served(Post.objects.get()) == 0


def test_a_symlink_out_of_the_site_root_is_refused(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {"content/p.md": "---\ntitle: T\ndate: 2024-01-02\n---\n\n![x](/img/x.png)\n"},
    )
    (tmp_path / "secret.png").write_bytes(image_bytes())
    (root / "static/img").mkdir(parents=True)
    os.symlink(tmp_path / "secret.png", root / "static/img/x.png")
    report = Importer(site_root=str(root / "static")).run([root / "content"])
    assert lines(report, "warning") == ["p.md:6: warning: image not found: /img/x.png"]


HUGO_POST = """---
title: Hugo
date: 2024-03-01
---

![site](/img/x.png) and ![climb](../../static/img/y.png)
"""


@pytest.fixture
def hugo(tmp_path):
    return write_tree(
        tmp_path / "hugo",
        {
            "content/posts/x.md": HUGO_POST,
            "static/img/x.png": image_bytes(color=(1, 2, 3)),
            "static/img/y.png": image_bytes(color=(3, 2, 1)),
        },
    )


def test_hugo_site_root_beside_the_content_on_the_command_line(
    hugo, monkeypatch, capsys
):
    # The natural command, run in the site's folder.
    monkeypatch.chdir(hugo)
    call_command("import_markdown", "content", "--site-root", "static")
    out = capsys.readouterr().out
    assert "1 created" in out and "0 warnings" in out
    post = Post.objects.get()
    assert served(post) == 2
    assert set(post.image_links.values_list("path", flat=True)) == {
        "../static/img/x.png",
        "../static/img/y.png",
    }
    call_command("import_markdown", "content", "--site-root", "static")
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_hugo_export_puts_the_site_root_inside_the_export(hugo, tmp_path):
    Importer(site_root=str(hugo / "static")).run([hugo / "content"])
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    exported = read_tree(tmp_path / "out")
    assert exported == {
        "posts/x.md": HUGO_POST.encode(),
        "static/img/x.png": (hugo / "static/img/x.png").read_bytes(),
        "static/img/y.png": (hugo / "static/img/y.png").read_bytes(),
    }


def test_an_upload_keeps_its_site_root_inside(tmp_path, monkeypatch):
    # Even where a folder of that name exists beside the current directory.
    (tmp_path / "static").mkdir()
    monkeypatch.chdir(tmp_path / "static")
    upload = UploadSource([SimpleUploadedFile("p.md", b"---\ntitle: T\n---\n")])
    with pytest.raises(ValueError, match="leaves the import root"):
        Importer(site_root="../static").run([upload])
