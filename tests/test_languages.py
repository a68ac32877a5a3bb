"""Posts in several languages: reading a language from front matter or path,
translation groups on import, the round trip, and translations in the admin."""

import importlib

import pytest
from django.test import override_settings
from django.urls import reverse

from news import languages
from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.editorial import translations
from news.models import Post

from .factories import make_post, make_user, read_tree, write_tree

TWO_LANGUAGES = override_settings(
    LANGUAGES=[("en", "English"), ("zh-hans", "简体中文")], LANGUAGE_CODE="en"
)


def doc(title, body="Text.", **meta):
    front = "".join(f"{key}: {value}\n" for key, value in meta.items())
    return f"---\ntitle: {title}\ndate: 2024-05-01\n{front}---\n\n{body}\n"


# -- the format: codes in any spelling, languages in paths ----------------------------


@pytest.mark.parametrize(
    "written, code",
    [
        ("zh", "zh-hans"),
        ("zh-CN", "zh-hans"),
        ("zh_cn", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("ZH-HANS-CN", "zh-hans"),
        ("en", "en"),
        ("en-US", "en"),
        (" en-gb ", "en"),
        # Traditional Chinese is not the site's Simplified Chinese.
        ("zh-Hant", None),
        ("zh-TW", None),
        ("fr", None),
        ("blog", None),
        ("news", None),
        ("", None),
    ],
)
def test_a_language_is_read_in_any_common_spelling(written, code):
    with TWO_LANGUAGES:
        assert languages.match(written) == code


def test_the_first_folder_named_for_a_language_gives_it():
    with TWO_LANGUAGES:
        assert languages.from_path("docs/zh/blog/x.md") == ("zh-hans", "docs/blog/x.md")
        assert languages.from_path("en/news/2024/x.md") == ("en", "news/2024/x.md")
        # A file's own name is not a folder.
        assert languages.from_path("blog/en.md") == (None, "blog/en.md")
        assert languages.path_key("docs/zh/blog/x.md") == "docs/blog/x"
        assert languages.path_key("docs/en/blog/x.md") == "docs/blog/x"
        assert languages.path_key("blog/x.md") == ""


# -- import ------------------------------------------------------------------------


@pytest.mark.django_db
def test_parallel_language_folders_import_as_linked_translations(tmp_path):
    tree = write_tree(
        tmp_path / "site",
        {
            "en/blog/meetup.md": doc("Kernel meetup"),
            "zh/blog/meetup.md": doc("内核聚会", body="中文正文。"),
            "en/blog/alone.md": doc("Only in English"),
        },
    )
    with TWO_LANGUAGES:
        report = Importer().run([tree])
        assert report.created == 3, report.problems
        english = Post.objects.get(title="Kernel meetup")
        chinese = Post.objects.get(title="内核聚会")
        alone = Post.objects.get(title="Only in English")
        assert (english.language, chinese.language) == ("en", "zh-hans")
        # Slugs are unique per language, so a translation may share one.
        assert english.slug == chinese.slug == "meetup"
        assert list(english.translations()) == [chinese]
        assert list(chinese.translations()) == [english]
        assert list(alone.translations()) == []


@pytest.mark.django_db
def test_front_matter_names_the_language_and_the_group(tmp_path):
    tree = write_tree(
        tmp_path / "site",
        {
            "posts/release.md": doc("Release 2.0", lang="en-US", translationKey="r2"),
            "beitraege/fabu.md": doc("发布 2.0", language="zh-CN", translationKey="r2"),
            # The front matter wins over the folder.
            "en/other.md": doc("其他", locale="zh"),
        },
    )
    with TWO_LANGUAGES:
        report = Importer().run([tree])
        assert report.created == 3, report.problems
        release = Post.objects.get(title="Release 2.0")
        assert release.language == "en"
        assert [p.title for p in release.translations()] == ["发布 2.0"]
        assert Post.objects.get(title="其他").language == "zh-hans"


@pytest.mark.django_db
def test_a_language_the_site_does_not_offer_is_a_warning(tmp_path):
    tree = write_tree(tmp_path / "site", {"a.md": doc("Bonjour", lang="fr")})
    with TWO_LANGUAGES:
        report = Importer().run([tree])
    assert report.created == 1
    assert [str(p) for p in report.problems] == [
        "a.md: warning: language 'fr' is not one of the site's (en, zh-hans); "
        "imported as en"
    ]
    assert Post.objects.get().language == "en"


@pytest.mark.django_db
def test_two_files_claiming_one_translation_fail_by_name(tmp_path):
    tree = write_tree(
        tmp_path / "site",
        {
            "a.md": doc("First", translationKey="k"),
            "b.md": doc("Second", translationKey="k"),
            "c.md": doc("Third"),
        },
    )
    with TWO_LANGUAGES:
        report = Importer().run([tree])
    assert report.created == 2
    assert report.failed == 1
    assert [str(p) for p in report.problems] == [
        "b.md: error: translation key 'k' already has a post in en: a.md"
    ]
    assert sorted(Post.objects.values_list("title", flat=True)) == ["First", "Third"]


@pytest.mark.django_db
def test_one_language_site_keeps_every_post_in_it(tmp_path):
    # A single-language site sees no change: folders named for other
    # languages are plain folders, and shared file names are numbered.
    tree = write_tree(
        tmp_path / "site",
        {"en/x.md": doc("English"), "zh/x.md": doc("中文")},
    )
    report = Importer().run([tree])
    assert report.created == 2, report.problems
    assert set(Post.objects.values_list("language", flat=True)) == {"en"}
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["x", "x-2"]


@pytest.mark.django_db
def test_export_gives_back_each_language_where_it_came_from(tmp_path):
    files = {
        "en/blog/meetup.md": doc("Kernel meetup"),
        "zh/blog/meetup.md": doc("内核聚会", body="中文正文。"),
        "posts/r.md": doc("Release", lang="zh-CN", translationKey="r2"),
    }
    tree = write_tree(tmp_path / "site", files)
    with TWO_LANGUAGES:
        Importer().run([tree])
        export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
        assert read_tree(tmp_path / "out") == read_tree(tree)
        again = Importer().run([tree])
    assert again.unchanged == 3


@pytest.mark.django_db
def test_a_language_changed_in_the_admin_is_written_back(tmp_path):
    tree = write_tree(tmp_path / "site", {"x.md": doc("Hello")})
    with TWO_LANGUAGES:
        Importer().run([tree])
        Post.objects.update(language="zh-hans")
        export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
        written = (tmp_path / "out" / "x.md").read_text()
    assert written == doc("Hello", lang="zh-hans")


# -- translations started in the admin -------------------------------------------------


@pytest.fixture
def bilingual(settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"


@pytest.mark.django_db
def test_an_editor_starts_a_translation_as_a_linked_draft(client, bilingual):
    editor = make_user("ed", "Editors")
    post = make_post(title="Kernel meetup", body="Hello ![x](a.png)", summary="S")
    post.tags.add("kernel")
    client.force_login(editor)
    change = reverse("admin:news_post_change", args=[post.pk])
    page = client.get(change).content.decode()
    translate = reverse("admin:news_post_translate", args=[post.pk, "zh-hans"])
    assert f'<a href="{translate}">Translate into 简体中文</a>' in page

    assert "Start the 简体中文 translation" in client.get(translate).content.decode()
    response = client.post(translate)
    draft = Post.objects.get(language="zh-hans")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:news_post_change", args=[draft.pk])
    assert (draft.title, draft.slug, draft.body, draft.summary) == (
        "Kernel meetup",
        "kernel-meetup",
        "Hello ![x](a.png)",
        "S",
    )
    assert draft.status == Post.Status.DRAFT
    assert [t.name for t in draft.tags.all()] == ["kernel"]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert list(post.translations()) == [draft]
    # Each side shows the other.
    shown = client.get(reverse("admin:news_post_change", args=[draft.pk]))
    assert f'<a href="{change}">Kernel meetup</a> (published)' in shown.content.decode()
    # The language is a column and a filter of the list.
    listing = client.get(reverse("admin:news_post_changelist") + "?language=zh-hans")
    assert listing.context["cl"].result_count == 1
    assert "column-language" in listing.content.decode()


@pytest.mark.django_db
def test_a_second_translation_into_one_language_is_refused(client, bilingual):
    editor = make_user("ed", "Editors")
    post = make_post(title="Kernel meetup")
    translations.translate(post, "zh-hans", by=editor)
    client.force_login(editor)
    url = reverse("admin:news_post_translate", args=[post.pk, "zh-hans"])
    assert client.post(url).status_code == 404
    assert Post.objects.filter(language="zh-hans").count() == 1
    with pytest.raises(translations.TranslationRefused, match="already has"):
        translations.translate(post, "zh-hans", by=editor)


@pytest.mark.django_db
def test_who_may_not_see_a_post_may_not_translate_it(client, bilingual):
    author = make_user("au", "Authors")
    post = make_post(title="Someone else's", status=Post.Status.DRAFT)
    client.force_login(author)
    url = reverse("admin:news_post_translate", args=[post.pk, "zh-hans"])
    assert client.post(url).status_code == 404
    assert not Post.objects.filter(language="zh-hans").exists()


@pytest.mark.django_db
def test_a_single_language_site_shows_no_languages_in_the_admin(client):
    editor = make_user("ed", "Editors")
    post = make_post(title="Kernel meetup")
    client.force_login(editor)
    page = client.get(reverse("admin:news_post_change", args=[post.pk]))
    assert "Translate into" not in page.content.decode()
    assert 'name="language"' not in page.content.decode()
    listing = client.get(reverse("admin:news_post_changelist")).content.decode()
    assert "column-language" not in listing


# -- the upgrade ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_moves_language_keys_out_of_the_unknown_keys():
    # The data migration's function, on rows as the import wrote them before:
    # the language keys among the unknown ones, and no language yet.
    from django.apps import apps

    from news.models import SourceFile

    migration = importlib.import_module("news.migrations.0010_post_language")
    extra = {"lang": "zh-CN", "translationKey": "r2", "sig": "kernel"}
    written = make_post(title="发布", slug="fabu", extra=extra)
    SourceFile.objects.create(
        post=written, path="posts/fabu.md", digest="0", snapshot={"extra": extra}
    )
    foldered = make_post(title="Hi", slug="hi")
    SourceFile.objects.create(post=foldered, path="site/zh/hi.md", digest="1")
    with TWO_LANGUAGES:
        migration.assign_languages(apps, None)
    written = Post.objects.get(slug="fabu")
    assert (written.language, written.translation_key) == ("zh-hans", "r2")
    assert written.extra == {"sig": "kernel"}
    snapshot = written.source.snapshot
    assert (snapshot["language"], snapshot["translation_key"]) == ("zh-hans", "r2")
    assert snapshot["extra"] == {"sig": "kernel"}
    foldered = Post.objects.get(slug="hi")
    assert (foldered.language, foldered.translation_key) == ("zh-hans", "site/hi")
