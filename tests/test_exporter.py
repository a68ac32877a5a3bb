import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from news.documents.exporter import DirectoryWriter, ZipWriter, export, posts_for_export
from news.documents.importer import Importer
from news.documents.values import document_values
from news.media import images
from news.models import Post, PostImage
from news.models.relations import authors_named, category_named, set_authors

from .factories import image_bytes, make_post, read_tree, write_tree

pytestmark = pytest.mark.django_db

ODD = (
    "\ufeff---\r\n"
    'title: "Odd \u2014 file"   # a comment\r\n'
    "date: 2022-8-13\r\n"
    "Author: Someone\r\n"
    "tags:\r\n"
    "    - a\r\n"
    "\r\n"
    "archives: '2022-08'\r\n"
    "---\r\n"
    "---\r\n"
    "Body with ![x](./pics//a b.png) and no final newline"
)


@pytest.fixture
def tree(tmp_path):
    return write_tree(
        tmp_path / "in",
        {
            "blog/odd post.md": ODD,
            "blog/pics/a b.png": image_bytes(),
            "news/2024-05-06-index/index.md": "# Heading only\n\ntext\n",
            "news/seed.md": "---\ntitle: 'Seed'\ndate: '2024-04-22'\ncategory: news\n"
            "tags:\n  - x\nbanner: 'img/b.jpg'\nauthor: 'openEuler'\nsummary: 's'\n---\n\nHi\n",
            "img/b.jpg": image_bytes("JPEG"),
        },
    )


def export_to(path):
    return export(posts_for_export(), DirectoryWriter(path))


def test_export_of_an_import_gives_the_same_bytes(tree, tmp_path):
    report = Importer().run([tree])
    assert report.failed == 0 and report.warnings == 0, report.problems
    export_to(tmp_path / "out")
    assert read_tree(tmp_path / "out") == read_tree(tree)


def test_edited_post_rewrites_only_the_changed_keys(tree, tmp_path):
    Importer().run([tree])
    post = Post.objects.get(source__path="blog/odd post.md")
    post.title = "New title"
    post.body = post.body.replace("no final newline", "an edit")
    post.save()
    export_to(tmp_path / "out")
    data = (tmp_path / "out/blog/odd post.md").read_bytes()
    expected = ODD.replace(
        '"Odd \u2014 file"   # a comment', '"New title"   # a comment'
    )
    expected = expected.replace("no final newline", "an edit")
    lines, old_lines = (
        data.decode("utf-8-sig").split("\r\n"),
        expected.lstrip("\ufeff").split("\r\n"),
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert [
        i for i, (a, b) in enumerate(zip(lines, old_lines, strict=True)) if a != b
    ] == [1]
    assert lines[1].startswith("title: ") and "New title" in lines[1]


def test_post_written_in_the_admin_gets_the_canonical_layout(tmp_path):
    image, _ = images.store(image_bytes())
    post = make_post(
        title="Made here",
        slug="made-here",
        body="Text ![alt](images/pic.png)\n",
        summary="Sum",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        extra={"sig": "Infra"},
    )
    PostImage.objects.create(post=post, image=image, reference="images/pic.png")
    post.tags.set(["one", "two"])
    set_authors(post, authors_named(["Ana"]))
    export_to(tmp_path / "out")
    text = (tmp_path / "out/made-here/index.md").read_text()
    assert text == (
        "---\ntitle: 'Made here'\ndate: '2024-05-01'\ntags:\n  - one\n  - two\n"
        "author: 'Ana'\nsummary: 'Sum'\nsig: Infra\n---\n\nText ![alt](images/pic.png)\n"
    )
    assert (
        tmp_path / "out/made-here/images/pic.png"
    ).read_bytes() == image.file.open().read()


def post_state():
    state = {}
    for post in posts_for_export():
        values = document_values(post)
        if not post.source.front:
            # A file without a date is dated when it is first imported.
            del values["date"]
        state[post.source.path] = (values, post.body)
    return state


def test_import_of_an_export_gives_equal_posts(tree, tmp_path):
    Importer().run([tree])
    export_to(tmp_path / "out")
    before = post_state()
    images_before = {link.path: link.image.sha256 for link in PostImage.objects.all()}
    Post.objects.all().delete()
    Importer().run([tmp_path / "out"])
    assert post_state() == before
    assert {
        link.path: link.image.sha256 for link in PostImage.objects.all()
    } == images_before


def test_export_is_a_fixed_point(tree, tmp_path):
    Importer().run([tree])
    post = Post.objects.get(source__path="news/seed.md")
    post.summary = "changed"
    post.save()
    export_to(tmp_path / "one")
    Post.objects.all().delete()
    Importer().run([tmp_path / "one"])
    export_to(tmp_path / "two")
    assert read_tree(tmp_path / "two") == read_tree(tmp_path / "one")


def test_zip_export_and_command_filters(tree, tmp_path):
    Importer().run([tree])
    buffer = io.BytesIO()
    export(posts_for_export(), ZipWriter(buffer))
    with zipfile.ZipFile(buffer) as zf:
        assert zf.read("blog/odd post.md") == ODD.encode()
        assert zf.read("blog/pics/a b.png") == (tree / "blog/pics/a b.png").read_bytes()
    call_command("export_markdown", str(tmp_path / "tagged"), "--tag", "x")
    assert list(read_tree(tmp_path / "tagged")) == ["img/b.jpg", "news/seed.md"]
    call_command(
        "export_markdown", str(tmp_path / "all.zip"), "--zip", "--status", "published"
    )
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        assert "news/2024-05-06-index/index.md" in zf.namelist()


# Property: for posts written in the admin, export -> import into an empty
# database gives equal posts, and export -> import -> export is a fixed point.

KNOWN_KEYS = {
    "title",
    "date",
    "category",
    "tags",
    "author",
    "authors",
    "summary",
    "description",
    "excerpt",
    "banner",
    "image",
    "cover",
    "featured_image",
    "slug",
    "draft",
    "lastmod",
    "updated",
    "aliases",
}
words = (
    st.text(
        st.characters(
            categories=["L", "N", "P", "S", "Zs"], exclude_characters="\x85\u2028\u2029"
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(
    lambda k: k not in KNOWN_KEYS
)
scalars = st.one_of(words, st.integers(-(10**6), 10**6), st.booleans())
posts = st.fixed_dictionaries(
    {
        "title": words,
        "summary": st.one_of(st.just(""), words),
        "body": st.lists(st.one_of(words, st.just("---"), st.just("")), max_size=6).map(
            # Blank lines before the body are layout: the importer keeps them
            # with the front matter, so a body starts with text.
            lambda lines: ("\n".join(lines) + "\n").lstrip("\n")
        ),
        "published_at": st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2030, 1, 1),
            timezones=st.just(UTC),
        ).map(lambda d: d.replace(microsecond=0)),
        "tags": st.lists(words, max_size=4, unique_by=str.casefold),
        "authors": st.lists(words, max_size=3, unique=True),
        "extra": st.dictionaries(
            keys, st.one_of(scalars, st.lists(words, max_size=3)), max_size=3
        ),
        "category": st.one_of(st.none(), words),
    }
)


def snapshot():
    return sorted(
        ((document_values(p), p.body) for p in posts_for_export()),
        key=lambda v: v[0]["slug"],
    )


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(generated=st.lists(posts, min_size=1, max_size=3))
def test_property_admin_posts_survive_export_and_import(generated, tmp_path_factory):
    Post.objects.all().delete()
    for n, values in enumerate(generated):
        post = make_post(
            title=values["title"],
            slug=f"post-{n}",
            body=values["body"],
            summary=values["summary"],
            published_at=values["published_at"],
            extra=values["extra"],
            category=category_named(values["category"]) if values["category"] else None,
        )
        post.tags.set(values["tags"])
        set_authors(post, authors_named(values["authors"]))
    before = snapshot()
    first, second = tmp_path_factory.mktemp("one"), tmp_path_factory.mktemp("two")
    export_to(first)
    Post.objects.all().delete()
    report = Importer().run([first])
    assert report.failed == 0, report.problems
    after = snapshot()
    assert after == before
    export_to(second)
    assert read_tree(second) == read_tree(first)
