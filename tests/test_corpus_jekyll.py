"""The real Jekyll news corpus (``docs/_posts/YYYY-MM-DD-slug.markdown``): every
post imports with the date of its front matter or, without one, of its file
name, or fails saying why; none is dated today; each keeps its old URL on
jekyllrb.com, which answers 301; and export gives back the same bytes.

The corpus is imported once for the module and removed again at the end.
"""

from datetime import date, datetime

import pytest
from django.utils import timezone
from taggit.models import Tag

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.models import Author, Category, Image, Post, PostAlias, SiteChange

from .factories import read_tree
from .test_corpus import module_media, storage_at, stored_share

pytestmark = pytest.mark.django_db

POSTS = 102
# The site's own setting (jekyll/jekyll docs/_config.yml, collections.posts):
# the corpus has its posts but not the config, so the import is told it.
PERMALINK = "/news/:year/:month/:day/:title/"
# Jekyll reads this with Ruby's lenient Time.parse; it is no date format we know.
BROKEN = {
    "docs/_posts/2023-01-29-jekyll-3-9-3-released.markdown:3: error: "
    "cannot read date '2023-01-29 18:30:22 2023 -0800' (use YYYY-MM-DD)"
}
# The three posts whose front matter has no `date`: their file names date them.
UNDATED_KEYS = {
    "docs/_posts/2014-05-06-jekyll-turns-2-0-0.markdown": date(2014, 5, 6),
    "docs/_posts/2016-03-10-making-it-easier-to-contribute-to-jekyll.md": date(
        2016, 3, 10
    ),
    "docs/_posts/2020-08-05-jekyll-3-9-0-released.markdown": date(2020, 8, 5),
}


corpus_media, media_root = module_media("jekyll-media")


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, corpus_media, jekyll_corpus):
    with django_db_blocker.unblock(), storage_at(corpus_media):
        # docs/ is the Jekyll site's source: its images resolve there, and
        # folders above _posts would be categories.
        yield Importer(site_root="docs", old_url=PERMALINK).run([jekyll_corpus])
        for model in (Post, Image, Author, Category, Tag, SiteChange):
            model.objects.all().delete()


def test_every_post_imports_published_or_fails_saying_why(imported):
    errors = {str(p) for p in imported.problems if p.level == "error"}
    assert errors == BROKEN
    assert (imported.created, imported.failed) == (POSTS - len(BROKEN), len(BROKEN))
    assert not [p for p in imported.problems if p.code == "undated"]
    assert Post.objects.published().count() == POSTS - len(BROKEN)


def test_no_post_is_dated_today(imported):
    today = timezone.localdate()
    dates = [timezone.localdate(p.published_at) for p in Post.objects.all()]
    assert len(dates) == POSTS - len(BROKEN)
    assert today not in dates


def test_a_post_without_a_date_key_takes_its_file_name_date(imported):
    for path, day in UNDATED_KEYS.items():
        post = Post.objects.get(source__path=path)
        midnight = datetime.combine(day, datetime.min.time())
        assert post.published_at == timezone.make_aware(midnight)


def test_a_date_with_an_offset_is_that_moment(imported):
    post = Post.objects.get(
        source__path="docs/_posts/2013-05-06-jekyll-1-0-0-released.markdown"
    )
    # date: "2013-05-06 02:12:52 +0200"
    assert post.published_at == datetime.fromisoformat("2013-05-06T00:12:52+00:00")


def test_export_gives_back_the_same_bytes(imported, jekyll_corpus, tmp_path):
    export(posts_for_export(), DirectoryWriter(tmp_path))
    exported = read_tree(tmp_path)
    assert len(exported) == POSTS - len(BROKEN)
    assert exported == {path: (jekyll_corpus / path).read_bytes() for path in exported}


def test_its_two_images_are_reported_missing(imported):
    # The corpus holds docs/_posts/ only, not the site's img/ folder.
    assert stored_share([imported]) == (0, 2)
    assert [str(p) for p in imported.problems if p.code == "missing"] == [
        "docs/_posts/2014-06-04-jekyll-stickers-1-dollar-stickermule.markdown:8: "
        "warning: image not found: /img/jekyll-sticker.png",
        "docs/_posts/2018-08-01-jekyll-sponsoring.markdown:56: "
        "warning: image not found: /img/forestry-logo.svg",
    ]


def test_each_post_keeps_its_old_url(imported):
    assert PostAlias.objects.filter(old_url=True).count() == POSTS - len(BROKEN) + 1
    post = Post.objects.get(slug="jekyll-3-1-3-released")
    assert [a.path for a in post.aliases.all()] == [
        "/news/2016/04/19/jekyll-3-1-3-released/"
    ]
    # redirect_from (jekyll-redirect-from) is an old URL too.
    moved = Post.objects.get(slug="jekyll-4-0-0-pre-beta1-released")
    assert sorted(a.path for a in moved.aliases.all()) == [
        "/news/2019/07/20/jekyll-4-0-0-pre-beta1-released/",
        "/news/2019/08/04/jekyll-4-0-0-pre-beta1-released/",
    ]


def test_an_old_url_answers_301_to_the_post(imported, client):
    response = client.get("/news/2016/04/19/jekyll-3-1-3-released/")
    assert response.status_code == 301
    assert response["Location"] == "/news/jekyll-3-1-3-released/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Jekyll 3.1.3 Released" in page.content.decode()
    assert client.get("/news/2016/04/19/no-such-post/").status_code == 404


def test_slugs_lose_the_file_names_date(imported):
    slugs = set(Post.objects.values_list("slug", flat=True))
    assert "jekyll-turns-2-0-0" in slugs
    assert not [s for s in slugs if s[:4].isdigit() and s[4] == "-"]
