"""Old URLs of an imported site keep working: each post records the URL it had
(the front matter's permalink, url or redirect_from, else the generator's
pattern, given with --old-url or detected), and that URL answers 301 to the
post while it is published. Also: Jekyll slugs, and files that are not posts."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.frontmatter.oldurls import check_pattern, old_urls
from news.documents.importer import Importer
from news.editorial import workflow
from news.models import Post, PostAlias
from news.slugs import default_slug

from .factories import make_user, read_tree, write_tree

pytestmark = pytest.mark.django_db

JEKYLL_POST = """---
title: 'Jekyll 3.1.3 Released'
date: 2016-04-19 10:26:12 -0700
category: release
---

Body.
"""


def post_file(title="A post", **keys):
    lines = [f"title: {title}"] + [f"{k}: {v}" for k, v in keys.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\nBody.\n"


def run(root, **options):
    return Importer(**options).run([root])


def old_paths(post):
    return sorted(a.path for a in post.aliases.filter(old_url=True))


# Pure: the URL a file had, from its front matter or a pattern


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/:year/:month/:day/:slug.html", "/2016/04/09/hello-world.html/"),
        ("/:section/:slug/", "/posts/hello-world/"),
        # Jekyll's :title keeps case but turns "_" into "-".
        (
            "/:categories/:year/:month/:day/:title.html",
            "/a/b/2016/04/09/Hello-World.html/",
        ),
        ("/:filename/", "/2016-04-09-Hello_World/"),
    ],
)
def test_each_placeholder_is_filled_from_the_file(pattern, expected):
    urls = old_urls(
        "posts/2016-04-09-Hello_World.md",
        {"categories": "A b"},
        day=date(2016, 4, 9),
        pattern=pattern,
    )
    assert urls == [expected]


def test_a_pattern_with_a_date_gives_no_url_for_an_undated_post():
    assert old_urls("x.md", {}, day=None, pattern="/:year/:slug/") == []


def test_an_unknown_placeholder_is_refused_naming_it():
    with pytest.raises(ValueError, match="unknown placeholder :foo"):
        check_pattern("/:foo/:slug/")
    with pytest.raises(ValueError, match="must start with /"):
        check_pattern(":slug/")


def test_jekyll_slugs_lose_the_date_of_the_file_name():
    assert default_slug("_posts/2016-04-19-jekyll-3-1-3.markdown") == "jekyll-3-1-3"
    assert default_slug("news/20220822-name.md") == "20220822-name"
    assert default_slug("2022-8-16-name/index.md") == "2022-8-16-name"


# The importer records old URLs


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"permalink": "/2019/old-post.html"}, ["/2019/old-post.html/"]),
        ({"url": "/posts/old/"}, ["/posts/old/"]),
        ({"permalink": "https://example.com/a%20b/"}, ["/a b/"]),
        # A link post's `url` names another site's page: not an old URL.
        ({"url": "https://example.com/elsewhere/"}, []),
        ({"redirect_from": "[/one/, /two]"}, ["/one/", "/two/"]),
        ({"permalink": "/:year/:slug/", "date": "2020-02-03"}, ["/2020/x/"]),
    ],
)
def test_front_matter_urls_are_recorded(tmp_path, keys, expected):
    root = write_tree(tmp_path / "site", {"x.md": post_file(**keys)})
    report = run(root)
    assert report.created == 1, [str(p) for p in report.problems]
    assert old_paths(Post.objects.get()) == sorted(expected)


def test_front_matter_aliases_stay_front_matter_aliases(tmp_path):
    root = write_tree(tmp_path / "site", {"x.md": post_file(aliases="[/old/]")})
    run(root, old_url="/:slug/")
    post = Post.objects.get()
    assert [(a.path, a.old_url) for a in post.aliases.order_by("path")] == [
        ("/old/", False),
        ("/x/", True),
    ]


def test_the_front_matter_url_wins_over_the_pattern(tmp_path):
    root = write_tree(tmp_path / "site", {"x.md": post_file(permalink="/kept/")})
    run(root, old_url="/:slug.html")
    assert old_paths(Post.objects.get()) == ["/kept/"]


def test_a_jekyll_post_gets_its_default_permalink_and_slug(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {
            "blog/_posts/2016-04-19-jekyll-3-1-3-released.markdown": JEKYLL_POST,
            "blog/_posts/2016-04-20-no-category.md": post_file(),
        },
    )
    run(root, site_root="blog")
    post = Post.objects.get(title="Jekyll 3.1.3 Released")
    assert post.slug == "jekyll-3-1-3-released"
    assert old_paths(post) == ["/release/2016/04/19/jekyll-3-1-3-released.html/"]
    # No categories: the segment is left out, as Jekyll does.
    other = Post.objects.get(title="A post")
    assert old_paths(other) == ["/2016/04/20/no-category.html/"]


def test_jekyll_slugs_are_numbered_on_a_clash(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {
            "_posts/2016-04-19-same.md": post_file("One"),
            "_posts/2017-05-01-same.md": post_file("Two"),
        },
    )
    run(root)
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["same", "same-2"]


def test_an_old_url_another_post_has_is_a_warning(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {"a.md": post_file("A", url="/same/"), "b.md": post_file("B", url="/same/")},
    )
    report = run(root)
    assert report.created == 2
    assert "b.md: warning: old URL '/same/' already belongs to another post" in [
        str(p) for p in report.problems
    ]


def test_reimporting_an_unchanged_tree_changes_nothing(tmp_path):
    root = write_tree(tmp_path / "site", {"_posts/2016-04-19-x.md": JEKYLL_POST})
    run(root)
    before = list(PostAlias.objects.values_list("pk", "path"))
    report = run(root)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert list(PostAlias.objects.values_list("pk", "path")) == before


def test_a_changed_file_gets_its_new_old_url(tmp_path):
    root = write_tree(tmp_path / "site", {"x.md": post_file(permalink="/one/")})
    run(root)
    write_tree(root, {"x.md": post_file(permalink="/two/")})
    assert run(root).updated == 1
    assert old_paths(Post.objects.get()) == ["/two/"]


def test_export_writes_no_old_url_into_the_files(tmp_path):
    files = {
        "_posts/2016-04-19-x.markdown": JEKYLL_POST,
        "y.md": post_file(permalink="/old/y.html", aliases="[/a/]"),
    }
    root = write_tree(tmp_path / "site", files)
    run(root, old_url="/:year/:slug/")
    assert PostAlias.objects.filter(old_url=True).count() == 2
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == {k: v.encode() for k, v in files.items()}


def test_an_edited_post_exports_without_its_old_urls(tmp_path):
    root = write_tree(tmp_path / "site", {"_posts/2016-04-19-x.md": JEKYLL_POST})
    run(root)
    Post.objects.update(title="Retitled")
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    text = (tmp_path / "out/_posts/2016-04-19-x.md").read_text()
    assert "title: 'Retitled'" in text
    assert "release/2016" not in text and "aliases" not in text


# The public site answers 301


@pytest.fixture
def jekyll_site(tmp_path):
    return write_tree(tmp_path / "site", {"_posts/2016-04-19-x.md": JEKYLL_POST})


def test_an_old_url_redirects_permanently_to_the_post(client, jekyll_site):
    run(jekyll_site)
    response = client.get("/release/2016/04/19/x.html")
    assert response.status_code == 301
    assert response["Location"] == "/news/x/"
    assert client.get(response["Location"]).status_code == 200


def test_the_query_string_goes_along(client, jekyll_site):
    run(jekyll_site)
    response = client.get("/release/2016/04/19/x.html?utm_source=feed&a=1")
    assert response.status_code == 301
    assert response["Location"] == "/news/x/?utm_source=feed&a=1"


def test_an_unknown_old_url_is_a_404(client, jekyll_site):
    run(jekyll_site)
    assert client.get("/release/2016/04/19/y.html").status_code == 404


def test_an_unpublished_posts_old_url_is_a_404(client, jekyll_site):
    run(jekyll_site, status=Post.Status.DRAFT)
    assert client.get("/release/2016/04/19/x.html").status_code == 404
    post = Post.objects.get()
    workflow.publish(post, by=make_user("ed", superuser=True))
    assert client.get("/release/2016/04/19/x.html").status_code == 301


# Files that are not posts


def test_files_that_are_not_posts_are_skipped_saying_why(tmp_path):
    root = write_tree(
        tmp_path / "site",
        {
            "blog/index.md": post_file("Blog", layout="blog-category"),
            "about.md": post_file("About", layout="page"),
            "content/posts/_index.md": post_file("Posts"),
            "demo.mdx": post_file("Demo") + "<Alert>hi</Alert>\n",
            "post.md": post_file("Post", layout="post", date="2020-01-01"),
        },
    )
    out = StringIO()
    call_command("import_markdown", str(root), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert "about.md: info: layout 'page' is a page, not a post; " in "\n".join(lines)
    assert (
        "blog/index.md: info: layout 'blog-category' is a page, not a post; "
        "--include-layout blog-category imports it"
    ) in lines
    assert (
        "content/posts/_index.md: info: a Hugo section's list page (_index.md), "
        "not a post"
    ) in lines
    assert (
        "demo.mdx: info: an MDX file (Markdown with JSX), not imported; "
        "--mdx reads it as Markdown"
    ) in lines
    assert "1 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed" in lines[-1]
    assert "4 skipped" in lines[-1]
    assert list(Post.objects.values_list("title", flat=True)) == ["Post"]


def test_operator_rules_import_pages_and_mdx(tmp_path):
    mdx = post_file("Demo", date="2020-01-01") + "<Alert>hi</Alert>\n"
    root = write_tree(
        tmp_path / "site",
        {"about.md": post_file("About", layout="page"), "demo.mdx": mdx},
    )
    call_command(
        "import_markdown",
        str(root),
        "--include-layout",
        "page",
        "--mdx",
        stdout=StringIO(),
    )
    assert sorted(Post.objects.values_list("title", flat=True)) == ["About", "Demo"]
    demo = Post.objects.get(title="Demo")
    assert "<Alert>hi</Alert>" in demo.body  # JSX left in place in the source
    assert "<Alert>" not in demo.body_html  # and never in the page


def test_old_url_option_is_checked(tmp_path):
    root = write_tree(tmp_path / "site", {"x.md": post_file()})
    with pytest.raises(CommandError, match="--old-url unknown placeholder :nope") as e:
        call_command("import_markdown", str(root), "--old-url", "/:nope/")
    assert e.value.returncode == 2


def test_old_url_option_is_recorded(tmp_path):
    root = write_tree(tmp_path / "site", {"posts/x.md": post_file(date="2021-03-04")})
    call_command(
        "import_markdown",
        str(root),
        "--old-url",
        "/:section/:year/:slug/",
        stdout=StringIO(),
    )
    assert old_paths(Post.objects.get()) == ["/posts/2021/x/"]


def test_an_old_url_too_long_to_keep_is_a_warning(tmp_path):
    root = write_tree(tmp_path / "site", {"x.md": post_file(url="/" + "a" * 1000)})
    report = run(root)
    assert report.created == 1
    assert "x.md: warning: old URL too long to keep" in [
        str(p) for p in report.problems
    ]
    assert old_paths(Post.objects.get()) == []


def test_skips_are_in_the_json_report(tmp_path):
    root = write_tree(tmp_path / "site", {"_index.md": post_file("Section")})
    out = StringIO()
    call_command("import_markdown", str(root), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["skipped"], report["failed"]) == (1, 0)
    assert report["problems"][0]["level"] == "info"
    assert report["problems"][0]["path"] == "_index.md"
