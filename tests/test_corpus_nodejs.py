"""The real Node.js blog corpus (1,050 posts, 18 MB of Markdown): every file the
importer reads is a post, skipped saying why (the blog's index page and the
seven .mdx files) or fails naming itself; none is dated today; each post's
nodejs.org URL answers 301; and export gives back the same bytes.

The corpus is imported once for the module and removed again at the end.
"""

import pytest
from django.utils import timezone
from taggit.models import Tag

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.documents.importer.sources import MARKDOWN_SUFFIXES
from news.models import Author, Category, Image, Post, SiteChange, SourceFile

from .factories import read_tree
from .test_corpus import module_media, storage_at, stored_share

pytestmark = pytest.mark.django_db

SITE_ROOT = "apps/site/public"
BLOG = "apps/site/pages/en/blog"
# nodejs.org serves apps/site/pages/en/blog/release/v20.0.0.md at
# /en/blog/release/v20.0.0 (Next.js routes by path).
OLD_URL = "/en/blog/:section/:filename"
MDX = {
    f"{BLOG}/{name}.mdx"
    for name in (
        "migrations/v12-to-v14",
        "migrations/v14-to-v16",
        "migrations/v16-to-v18",
        "migrations/v20-to-v22",
        "migrations/v22-to-v24",
        "npm/peer-dependencies",
        "vulnerability/march-2026-hashdos",
    )
}


corpus_media, media_root = module_media("nodejs-media")


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, corpus_media, nodejs_corpus):
    with django_db_blocker.unblock(), storage_at(corpus_media):
        # Read ahead by a helper process, as the command does (the Jekyll
        # corpus is read in turn).
        importer = Importer(site_root=SITE_ROOT, old_url=OLD_URL, processes=1)
        yield importer.run([nodejs_corpus])
        for model in (Post, Image, Author, Category, Tag, SiteChange):
            model.objects.all().delete()


def documents(root):
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name.lower().endswith(MARKDOWN_SUFFIXES)
    }


def test_every_file_is_a_post_skipped_or_fails_naming_itself(imported, nodejs_corpus):
    failed = {p.path for p in imported.problems if p.level == "error"}
    skipped = {p.path for p in imported.problems if p.level == "info"}
    posts = set(SourceFile.objects.values_list("path", flat=True))
    assert posts | failed | skipped == documents(nodejs_corpus)
    assert not posts & failed and not posts & skipped and not failed & skipped
    assert imported.created == len(posts) > 1000
    assert imported.skipped == len(skipped) == 8


def test_the_index_page_and_mdx_files_are_skipped_saying_why(imported):
    skipped = {str(p) for p in imported.problems if p.level == "info"}
    assert skipped == {
        f"{path}: info: an MDX file (Markdown with JSX), not imported; "
        "--mdx reads it as Markdown"
        for path in MDX
    } | {
        f"{BLOG}/index.md: info: layout 'blog-category' is a page, not a post; "
        "--include-layout blog-category imports it"
    }


def test_no_post_is_dated_today(imported):
    today = timezone.localdate()
    dated = Post.objects.exclude(published_at=None)
    assert today not in {timezone.localdate(p.published_at) for p in dated}


def test_every_post_is_dated_and_published(imported):
    assert not [str(p) for p in imported.problems if p.code == "undated"]
    assert Post.objects.published().count() == imported.created


def test_a_posts_nodejs_org_url_answers_301(imported, client):
    post = Post.objects.get(source__path=f"{BLOG}/release/v20.0.0.md")
    response = client.get("/en/blog/release/v20.0.0")
    assert response.status_code == 301
    assert response["Location"] == post.get_absolute_url()
    assert client.get("/en/blog/release/v0.0.0").status_code == 404


def test_export_gives_back_the_same_bytes(imported, nodejs_corpus, tmp_path):
    export(posts_for_export(), DirectoryWriter(tmp_path))
    exported = {
        path: data
        for path, data in read_tree(tmp_path).items()
        if path.lower().endswith(MARKDOWN_SUFFIXES)
    }
    assert len(exported) == imported.created
    assert exported == {path: (nodejs_corpus / path).read_bytes() for path in exported}


def test_every_local_image_is_stored(imported):
    stored, local = stored_share([imported])
    # Two diagrams embed their font in a <style> as a data: URL, which loads
    # no other file.
    assert (stored, local) == (24, 24)
    assert not [p.message for p in imported.problems if p.code == "invalid"]
