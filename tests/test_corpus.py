"""The real openEuler corpus: import, warnings, and the byte-for-byte round trip.

The corpus is imported once for the module (three sites, each its own import
root, as the corpus README describes) and removed again at the end.
"""

import csv
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.models import (
    Author,
    Category,
    Image,
    Post,
    PostImage,
    Rendition,
    SiteChange,
)

from .conftest import CORPUS, QUEUED_ONLY
from .factories import read_tree

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"the openEuler corpus is not at {CORPUS}"
    ),
]

SITES = {
    "website-v2": "web-ui/docs/.vuepress/public",
    "openEuler-portal": "",
    "openeuler-portal-mirror": "",
}
BROKEN = {
    (
        "website-v2",
        "web-ui/docs/zh/blog/rosinL/2022-8-16-Ceph社区动态(2022-7-1~2022-7-31).md",
    ),
    ("openEuler-portal", "app/en/blog/2022-10-12-HPC/HPC.md"),
    ("openEuler-portal", "app/en/blog/20240111-sec/20240111-sec.md"),
    ("openEuler-portal", "app/en/blog/20230908-EulerPublisher.md"),
    (
        "openEuler-portal",
        "app/en/blog/G11N-SIG/20240412-SysCare/SysCare—openEuler's Secret Weapon for Live Patching.md",
    ),
    (
        "openEuler-portal",
        "app/en/blog/rosinL/2022-8-16-Ceph社区动态(2022-7-1~2022-7-31).md",
    ),
}


# Each local image reference is stored, or refused with one of these warnings.
REFUSED = {"missing", "outside", "invalid"}


def stored_share(reports):
    """Return (stored, local): how many local image references (one per post
    and key, banners included) the import stored, of all it looked up."""
    refused = sum(1 for r in reports for p in r.problems if p.code in REFUSED)
    stored = PostImage.objects.count()
    return stored, stored + refused


def storage_at(path):
    return override_settings(
        STORAGES={
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": path, "base_url": "/media/"},
            },
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
    )


def module_media(name):
    """Return the fixtures corpus_media (one media folder for the module, as
    its one import fills it) and media_root (every test reads that folder)."""

    @pytest.fixture(scope="module")
    def corpus_media(tmp_path_factory):
        return tmp_path_factory.mktemp(name)

    @pytest.fixture
    def media_root(corpus_media):
        with storage_at(corpus_media):
            yield corpus_media

    return corpus_media, media_root


corpus_media, media_root = module_media("corpus-media")


def two_languages():
    # The openEuler website is written in English and Chinese.
    return override_settings(
        LANGUAGES=[("en", "English"), ("zh-hans", "简体中文")], LANGUAGE_CODE="en"
    )


@pytest.fixture(autouse=True)
def bilingual():
    with two_languages():
        yield


# Making the corpus's renditions is most of this module's time, and nothing
# in it depends on the database: it is done on SQLite, and on PostgreSQL the
# rendition tasks are only queued.
RENDITIONS_ON_SQLITE_ONLY = "the corpus's renditions are made on SQLite only"


def renditions_made_here():
    return connection.vendor == "sqlite"


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, corpus_media):
    tasks = (
        override_settings()
        if renditions_made_here()
        else override_settings(TASKS=QUEUED_ONLY)
    )
    with django_db_blocker.unblock(), storage_at(corpus_media), two_languages(), tasks:
        # Read ahead by a helper process, as the command does: every test of
        # the module holds for that path (test_import_ahead.py compares it
        # with reading in turn).
        reports = {
            site: Importer(site_root=site_root, processes=1).run([CORPUS / site])
            for site, site_root in SITES.items()
        }
        yield reports
        # Deleting them records site changes: remove those too, so that tests
        # after these start from an empty site.
        for model in (Post, Image, Author, Category, Tag, SiteChange):
            model.objects.all().delete()


def test_every_parseable_post_imports(imported):
    failed = {
        (site, p.path)
        for site, r in imported.items()
        for p in r.problems
        if p.level == "error"
    }
    assert failed == BROKEN
    total = sum(r.created for r in imported.values())
    assert total == 297 - len(BROKEN)
    assert Post.objects.count() == total
    # The one file with no date in its front matter or its path waits as a draft.
    assert Post.objects.published().count() == total - 1
    undated = [
        str(p) for r in imported.values() for p in r.problems if p.code == "undated"
    ]
    assert undated == [
        "web-ui/docs/zh/blog/fengchunsong/DAOS ARM64调测之旅.md: warning: no date "
        "in the front matter or the path; imported as a draft that waits for a date"
    ]
    assert Post.objects.get(source__path=undated[0].split(":")[0]).published_at is None


def test_no_post_is_dated_today(imported):
    # All but one have a date in their front matter or path (the draft above).
    today = timezone.localdate()
    dated = Post.objects.exclude(published_at=None)
    assert dated.count() == 297 - len(BROKEN) - 1
    assert today not in {timezone.localdate(p.published_at) for p in dated}


def test_broken_files_fail_with_file_and_line(imported):
    errors = [p for r in imported.values() for p in r.problems if p.level == "error"]
    assert all(p.line for p in errors), errors
    by_path = {p.path: str(p) for p in errors}
    assert by_path["app/en/blog/2022-10-12-HPC/HPC.md"] == (
        "app/en/blog/2022-10-12-HPC/HPC.md:2: error: expected a space after ':'"
    )
    assert "unescaped '" in by_path["app/en/blog/20230908-EulerPublisher.md"]


def test_missing_image_warnings_match_the_corpus_list(imported):
    ours = {
        (site, p.path, p.message.split(": ", 1)[1])
        for site, report in imported.items()
        for p in report.problems
        if p.code in {"missing", "outside"}
    }
    broken = {path for _, path in BROKEN}
    with open(CORPUS.parent / "openeuler-missing-images.tsv", encoding="utf-8") as fh:
        listed = {
            (row["source"], row["post"], row["reference_as_written"])
            for row in csv.DictReader(fh, delimiter="\t")
            if row["post"] not in broken
        }
    assert ours == listed


def test_remote_images_are_warned_about_and_not_fetched(imported):
    remote = [p for r in imported.values() for p in r.problems if p.code == "remote"]
    assert len(remote) == 49
    assert all(p.line and "remote image not fetched: http" in p.message for p in remote)


def test_export_gives_back_the_same_bytes(imported, tmp_path):
    export(posts_for_export(), DirectoryWriter(tmp_path))
    exported = read_tree(tmp_path)
    expected = {}
    for site in SITES:
        for relpath in exported:
            path = CORPUS / site / relpath
            if path.is_file():
                expected[relpath] = path.read_bytes()
    assert len(exported) == 297 - len(BROKEN) + 540
    assert exported == expected


def test_reimporting_the_unchanged_corpus_changes_nothing(imported):
    renditions = Rendition.objects.count()
    for site, site_root in SITES.items():
        report = Importer(site_root=site_root).run([CORPUS / site])
        assert (report.created, report.updated) == (0, 0)
        assert report.unchanged == imported[site].created
    assert Rendition.objects.count() == renditions


@pytest.mark.skipif(not renditions_made_here(), reason=RENDITIONS_ON_SQLITE_ONLY)
def test_stored_body_images_are_served_from_their_renditions(imported, media_root):
    served = 0
    for html in Post.objects.values_list("body_html", flat=True):
        for picture in re.findall(r"<picture>.*?</picture>", html):
            source, img = re.findall(r"<(?:source|img) [^>]*>", picture)
            assert ' sizes="(min-width: 48rem) min(46rem, ' in img
            for tag in (source, img):
                srcset = re.search(r' srcset="([^"]+)"', tag)[1]
                for candidate in srcset.split(", "):
                    name = candidate.split(" ")[0].removeprefix("/media/")
                    assert (media_root / name).is_file(), name
            served += 1
        # Every image from storage is in a <picture>: none failed to get renditions.
        assert html.count('src="/media/renditions/') == html.count("<picture>")
        assert 'src="/media/images/' not in html  # never an original
    assert served > 500


def test_bom_and_crlf_files_keep_them(imported):
    sources = [post.source for post in posts_for_export()]
    # The corpus has 12 BOM and 35 CRLF files; the broken Ceph post is both.
    assert sum(s.bom for s in sources) == 12 - 1
    assert sum(s.newline == "\r\n" for s in sources) == 35 - 1


def test_every_local_image_the_corpus_holds_is_stored(imported):
    stored, local = stored_share(imported.values())
    broken = {path for _, path in BROKEN}
    with open(CORPUS.parent / "openeuler-missing-images.tsv", encoding="utf-8") as fh:
        absent = {
            (row["source"], row["post"], row["reference_as_written"])
            for row in csv.DictReader(fh, delimiter="\t")
            if row["post"] not in broken
        }
    # 553 of 1,270 local references: all of those whose file the corpus holds.
    assert (stored, local) == (553, 553 + len(absent))


# -- two languages -------------------------------------------------------------------

DOCS = CORPUS / "website-v2" / "web-ui/docs"


def posts_under(folder):
    return {
        path.relative_to(DOCS / folder).as_posix()
        for path in (DOCS / folder).rglob("*.md")
    }


def test_every_post_is_in_the_language_of_its_folder(imported):
    languages = dict(Post.objects.values_list("source__path", "language"))
    assert len(languages) == 297 - len(BROKEN)
    folder = {"en": "en", "zh": "zh-hans"}
    wrong = {
        path: language
        for path, language in languages.items()
        if language != next(folder[p] for p in path.split("/") if p in folder)
    }
    assert wrong == {}
    # The corpus README's counts, less the broken files: 121 - 5 and 176 - 1.
    assert Counter(languages.values()) == {"en": 116, "zh-hans": 175}


def test_the_76_translation_pairs_are_linked(imported):
    pairs = posts_under("en") & posts_under("zh")
    assert len(pairs) == 76
    groups = (
        Post.objects.exclude(translation_key="")
        .values("translation_key")
        .annotate(posts=Count("pk"), languages=Count("language", distinct=True))
        .filter(posts__gt=1)
    )
    assert {(g["posts"], g["languages"]) for g in groups} == {(2, 2)}
    assert {g["translation_key"] for g in groups} == {
        f"web-ui/docs/{rest.removesuffix('.md')}" for rest in pairs
    }
    for post in Post.objects.filter(language="zh-hans").exclude(translation_key=""):
        others = list(post.translations())
        if others:
            (english,) = others
            assert english.language == "en"
            assert english.source.path == post.source.path.replace("/zh/", "/en/")


def test_translations_share_their_slug(imported):
    pairs = Post.objects.filter(language="zh-hans").exclude(translation_key="")
    same = [p for p in pairs if any(t.slug == p.slug for t in p.translations())]
    assert len(same) == 76
