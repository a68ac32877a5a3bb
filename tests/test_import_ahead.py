"""What makes an import fast must not change what it does.

Reading ahead in helper processes (news.documents.importer.reading): an
import with helpers ends exactly as one without them, with the same posts,
HTML, images and report, and survives a helper that dies. Writing images on
threads (news.media.images.Writes): a post shows its image where the file
ended up, and a file whose image cannot be written fails alone.
"""

import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import Tag

from news.documents import markdown
from news.documents.importer import DirectorySource, Importer, ImportFailure
from news.documents.importer import references as refs
from news.media import images
from news.models import Author, Category, Image, Post, SourceFile
from tests.conftest import QUEUED_ONLY

from .factories import image_bytes, write_tree

pytestmark = pytest.mark.django_db


def post(title, body, **front):
    lines = [f"title: {title}", "date: 2024-05-01"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


@pytest.fixture
def tree(tmp_path, monkeypatch):
    # A body this long cannot be converted: the importer must fail its file
    # where it renders it, whoever tried first.
    monkeypatch.setattr(markdown, "MAX_BODY_CHARS", 500)
    files = {
        "news/a.md": post("A", "![one](img/1.png) and $x^2$\n", banner="/b.png"),
        "news/b.md": post(
            "B", "![two](img/2.jpg)\n\n```py\nx = 1\n```\n", banner="/b.png"
        ),
        "news/c.md": post("C", "![bad](img/bad.png) ![gone](img/gone.png)\n"),
        "news/d.md": post("D", "word " * 200),
        "news/e.md": "---\ntitle: [unclosed\n---\nbody\n",
        "news/f.md": post("F", "A page.\n", layout="page"),
        "news/g.mdx": post("G", "MDX.\n"),
        "news/h.md": b"---\ntitle: H\n---\n\xff\xfe\n",
        "news/img/1.png": image_bytes(),
        "news/img/2.jpg": image_bytes("JPEG", color=(0, 0, 200)),
        "news/img/bad.png": b"not a picture",
        "b.png": image_bytes(color=(0, 200, 0)),
    }
    files |= {f"more/{n:02}.md": post(f"More {n}", f"Text {n}.\n") for n in range(40)}
    return write_tree(tmp_path / "site", files)


def outcome(report):
    posts = [
        (
            p.slug,
            p.title,
            p.status,
            p.body_html,
            p.banner.sha256 if p.banner else None,
            sorted(p.tags.names()),
        )
        for p in Post.objects.order_by("slug")
    ]
    stored = sorted(Image.objects.values_list("sha256", "width", "height"))
    return dict(report.outcomes), [str(p) for p in report.problems], posts, stored


def empty_site():
    for model in (Post, SourceFile, Image, Author, Category, Tag):
        model.objects.all().delete()


def test_helpers_end_where_reading_in_turn_does(tree):
    alone = Importer(processes=0).run([tree])
    expected = outcome(alone)
    assert alone.created == 43 and alone.failed == 3, expected[1]
    empty_site()

    helped = Importer(processes=1).run([tree])

    assert outcome(helped) == expected
    assert expected[1] == [
        "news/c.md:6: warning: image not found: img/gone.png",
        "news/c.md:6: warning: img/bad.png: not a recognised image file",
        "news/d.md: error: the body is 1,000 characters long; the limit is 500",
        "news/e.md:3: error: cannot read YAML: expected ',' or ']', but got "
        "'<stream end>'",
        "news/f.md: info: layout 'page' is a page, not a post; --include-layout "
        "page imports it",
        "news/g.mdx: info: an MDX file (Markdown with JSX), not imported; --mdx "
        "reads it as Markdown",
        "news/h.md:4: error: not valid UTF-8 at byte 17",
    ]


@pytest.mark.parametrize("processes", [0, 1])
def test_an_unchanged_tree_stays_unchanged(tree, processes):
    # c.md shows an image that is refused: still the same file, still unchanged.
    Importer(processes=processes).run([tree])
    again = Importer(processes=processes).run([tree])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 43)


class Recording(DirectorySource):
    """Notes which process read each document; the helper dies reading
    ``dies_at``."""

    def __init__(self, root, notes, dies_at=None):
        super().__init__(root)
        self.notes, self.dies_at, self.parent = Path(notes), dies_at, os.getpid()

    def read(self, relpath, limit):
        in_helper = os.getpid() != self.parent
        if in_helper and relpath == self.dies_at:
            os._exit(1)
        with self.notes.open("a") as notes:
            notes.write(f"{relpath} {'helper' if in_helper else 'importer'}\n")
        return super().read(relpath, limit)


def readers(notes):
    """Return who read each file: {path: {"helper", "importer"}}."""
    read_by: dict = {}
    for line in Path(notes).read_text().splitlines():
        path, reader = line.split()
        read_by.setdefault(path, set()).add(reader)
    return read_by


def test_files_are_read_by_the_helper(tree, tmp_path):
    notes = tmp_path / "notes"
    report = Importer(processes=1).run([Recording(tree, notes)])
    assert report.created == 43
    read_by = readers(notes)
    assert {path: read_by[path] for path in read_by if path.endswith(".md")} == {
        path: {"helper"} for path in read_by if path.endswith(".md")
    }
    # Small new images are handed over with their check, not read again.
    assert read_by["news/img/1.png"] == {"helper"}
    assert read_by["news/img/2.jpg"] == {"helper"}


def test_a_helper_that_dies_leaves_the_rest_to_the_importer(tree, tmp_path):
    notes = tmp_path / "notes"
    report = Importer(processes=1).run([Recording(tree, notes, dies_at="more/05.md")])
    assert (report.created, report.failed) == (43, 3)
    assert Post.objects.filter(title="More 5").exists()
    read_by = readers(notes)
    assert read_by["more/00.md"] == {"helper"}
    assert read_by["more/05.md"] == {"importer"}


def test_a_check_made_of_other_bytes_is_not_trusted(tmp_path):
    root = write_tree(tmp_path, {"p.md": "x", "p.png": image_bytes()})
    found = {"p.png": refs.Reference("p.png", 1, "p.png", ["p.png"], path="p.png")}
    # Checked before the file changed: refused then, fine now.
    stale = {"p.png": refs.Checked("0" * 64, None, "not a recognised image file")}
    warnings = []
    mapping = refs.store(
        DirectorySource(root),
        "p.md",
        found,
        dry_run=False,
        stored=[],
        warnings=warnings,
        checked=stale,
    )
    assert warnings == []
    assert mapping["p.png"].sha256 == images.sha256(image_bytes())


def test_the_command_refuses_a_negative_number_of_processes(tree):
    with pytest.raises(CommandError, match="--processes cannot be negative") as caught:
        call_command("import_markdown", str(tree), "--processes", "-1")
    assert caught.value.returncode == 2
    assert not Post.objects.exists()


def test_an_image_stored_under_another_name_is_shown_there(tree, monkeypatch, settings):
    # No worker makes renditions: the body shows the original.
    settings.TASKS = QUEUED_ONLY
    written = images.write

    def elsewhere(name, data, digest):
        # As when the name was taken between the look and the write.
        return written(name.replace("images/", "images/x-"), data, digest)

    monkeypatch.setattr(images, "write", elsewhere)
    report = Importer(processes=0).run([tree / "news" / "a.md"])
    assert report.created == 1, report.problems
    post = Post.objects.get(title="A")
    shown = Image.objects.get(sha256=images.sha256(image_bytes()))
    assert shown.file.name.startswith("images/x-")
    assert default_storage.exists(shown.file.name)
    assert f'src="{shown.file.url}"' in post.body_html
    given = images.storage_name(images.sha256(image_bytes()), "PNG")
    assert f"/media/{given}" not in post.body_html


def test_an_image_that_cannot_be_written_fails_its_file_alone(tree, monkeypatch):
    written = images.write

    def full_disk(name, data, digest):
        if digest == images.sha256(image_bytes("JPEG", color=(0, 0, 200))):
            raise images.StorageError(f"the media storage could not store {name}")
        return written(name, data, digest)

    monkeypatch.setattr(images, "write", full_disk)
    report = Importer(processes=1).run([tree])
    assert report.created == 42
    failed = [str(p) for p in report.problems if p.path == "news/b.md"]
    assert failed == [
        "news/b.md: error: the media storage could not store "
        f"{images.storage_name(images.sha256(image_bytes('JPEG', color=(0, 0, 200))), 'JPEG')}"
    ]
    assert not Post.objects.filter(title="B").exists()
    assert not Image.objects.filter(
        sha256=images.sha256(image_bytes("JPEG", color=(0, 0, 200)))
    ).exists()
    # The banner it shares with a.md, stored before it failed, stays.
    assert Post.objects.get(title="A").banner is not None


def test_what_a_failed_file_created_is_made_again_by_the_next(tmp_path, monkeypatch):
    # Tags and authors are remembered for the run only once their file
    # commits: the rows a failed file made were rolled back with it.
    from news.documents.importer import addresses

    set_aliases = addresses.set_aliases

    def fails_for_a(post, relpath, *args):
        if relpath == "a.md":
            raise ImportFailure("failed after its tags and authors were written")
        return set_aliases(post, relpath, *args)

    monkeypatch.setattr(addresses, "set_aliases", fails_for_a)
    root = write_tree(
        tmp_path,
        {
            name: post(name, "Text.\n", tags="[fresh]", author="Zed")
            for name in ("a.md", "b.md")
        },
    )
    report = Importer(processes=0).run([root])
    assert (report.created, report.failed) == (1, 1), report.problems
    b = Post.objects.get(title="b.md")
    assert list(b.tags.names()) == ["fresh"]
    assert [author.name for author in b.authors.all()] == ["Zed"]


@pytest.mark.parametrize("processes", [0, 1])
def test_one_image_at_two_paths_of_a_file_is_stored_once(tmp_path, processes):
    same = image_bytes(color=(9, 9, 9))
    root = write_tree(
        tmp_path,
        {
            "p.md": post("P", "![a](img/a.png) ![b](copy/a.png)\n", banner="img/a.png"),
            "img/a.png": same,
            "copy/a.png": same,
        },
    )
    report = Importer(processes=processes).run([root])
    assert (report.created, report.failed) == (1, 0), report.problems
    image = Image.objects.get()
    assert default_storage.exists(image.file.name)
    links = Post.objects.get().image_links.order_by("reference")
    assert [(link.reference, link.image_id) for link in links] == [
        ("copy/a.png", image.pk),
        ("img/a.png", image.pk),
    ]
