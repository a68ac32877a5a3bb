"""The real Node.js blog corpus (1,050 posts, 18 MB of Markdown): every file the
importer reads is a post or fails naming itself, none is dated today, and
export gives back the same bytes.

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
from .test_corpus import storage_at, stored_share

pytestmark = pytest.mark.django_db

SITE_ROOT = "apps/site/public"
BLOG = "apps/site/pages/en/blog"


@pytest.fixture(scope="module")
def corpus_media(tmp_path_factory):
    return tmp_path_factory.mktemp("nodejs-media")


@pytest.fixture
def media_root(corpus_media):
    with storage_at(corpus_media):
        yield corpus_media


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, corpus_media, nodejs_corpus):
    with django_db_blocker.unblock(), storage_at(corpus_media):
        yield Importer(site_root=SITE_ROOT).run([nodejs_corpus])
        for model in (Post, Image, Author, Category, Tag, SiteChange):
            model.objects.all().delete()


def documents(root):
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name.lower().endswith(MARKDOWN_SUFFIXES)
    }


def test_every_file_is_a_post_or_fails_naming_itself(imported, nodejs_corpus):
    failed = {p.path for p in imported.problems if p.level == "error"}
    posts = set(SourceFile.objects.values_list("path", flat=True))
    assert posts | failed == documents(nodejs_corpus)
    assert not posts & failed
    assert imported.created == len(posts) > 1000


def test_no_post_is_dated_today(imported):
    today = timezone.localdate()
    dated = Post.objects.exclude(published_at=None)
    assert today not in {timezone.localdate(p.published_at) for p in dated}


def test_only_the_blog_index_has_no_date_and_waits_as_a_draft(imported):
    undated = [str(p) for p in imported.problems if p.code == "undated"]
    assert undated == [
        f"{BLOG}/index.md: warning: no date in the front matter or the path; "
        "imported as a draft that waits for a date"
    ]
    index = Post.objects.get(source__path=f"{BLOG}/index.md")
    assert (index.status, index.published_at) == (Post.Status.DRAFT, None)
    assert Post.objects.published().count() == imported.created - 1


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
