"""Files at the edges of what can be stored: each fails alone, with the same
message on SQLite and PostgreSQL, and the files after it still import."""

import contextlib
import subprocess
import sys
import zipfile

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from news.documents import markdown
from news.documents.importer import Importer
from news.documents.importer import lock as lock_module
from news.documents.importer.lock import import_lock
from news.models import Post, Revision

from .factories import make_user, write_tree
from .services import ROOT, environ_without, manage_py

pytestmark = pytest.mark.django_db


def import_one(tmp_path, text, name="a-edge.md"):
    """Import ``text`` as a file followed by a good one; return the report
    lines of the first."""
    root = write_tree(
        tmp_path / "site", {name: text, "z-after.md": "---\ntitle: After\n---\nok\n"}
    )
    report = Importer().run([root])
    assert Post.objects.filter(title="After").exists(), report.problems
    return [str(p) for p in report.problems if p.path == name and p.level == "error"]


@pytest.mark.parametrize(
    "front, expected",
    [
        ("date: 9999-12-31T23:00:00-05:00", "is out of range"),
        ("date: 0001-01-01T00:00:00+14:00", "is out of range"),
        ("date: '9999-12-31 23:59 -0500'", "is out of range"),
        ("updated: 9999-12-31T23:00:00-05:00", "is out of range"),
        ("date: 99999-01-01", "cannot read date"),
        ("date: [2024, 1, 1]", "cannot read date"),
        ("date: {year: 2024}", "cannot read date"),
    ],
)
def test_dates_past_the_calendar_fail_the_file(tmp_path, front, expected):
    problems = import_one(tmp_path, f"---\ntitle: T\n{front}\n---\nbody\n")
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].startswith("a-edge.md:3: error:")
    assert not Post.objects.filter(title="T").exists()


@pytest.mark.parametrize(
    "front, field, shown",
    [
        ("author: 42", "authors", ["42"]),
        ("author: 4.5", "authors", ["4.5"]),
        ("author: true", "authors", ["true"]),
        ("author: 2024-01-02", "authors", ["2024-01-02"]),
        ("tags: 2024", "tags", ["2024"]),
        ("aliases: 7", "aliases", ["/7/"]),
    ],
)
def test_a_single_value_of_another_type_is_its_text(tmp_path, front, field, shown):
    problems = import_one(tmp_path, f"---\ntitle: T\n{front}\n---\nbody\n")
    assert problems == []
    post = Post.objects.get(title="T")
    names = {
        "authors": [a.name for a in post.authors.all()],
        "tags": [t.name for t in post.tags.all()],
        "aliases": [a.path for a in post.aliases.all()],
    }
    assert names[field] == shown


@pytest.mark.parametrize(
    "front, expected",
    [
        # {name: Ana} is an inline author (Docusaurus's); without a name it is
        # no author at all.
        ("author: {email: a@b.c}", "'author' must be a list or text, not a mapping"),
        ("tags: [{slug: x}]", "'tags' must list text, but an item is a mapping"),
        ("author: [[a, b]]", "'author' must list text, but an item is a list"),
        ("summary: {a: 1}", "'summary' must be text, not a mapping"),
        ("category: [{a: 1}]", "'category' must be text, not a mapping"),
        ("draft: {}", "'draft' must be true or false, not a mapping"),
    ],
)
def test_values_of_the_wrong_shape_fail_the_file(tmp_path, front, expected):
    problems = import_one(tmp_path, f"---\ntitle: T\n{front}\n---\nbody\n")
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize(
    "front, expected",
    [
        (
            "category: " + "c" * 5000,
            "'category' is 5,000 characters long; the limit is 200",
        ),
        ("title: " + "t" * 301, "'title' is 301 characters long; the limit is 300"),
        (
            "tags: [" + "x" * 101 + "]",
            "'tags' is 101 characters long; the limit is 100",
        ),
        ("author: " + "a" * 201, "'author' is 201 characters long; the limit is 200"),
        (
            "aliases: [" + "p" * 999 + "]",
            "'aliases' is 999 characters long; the limit is 998",
        ),
        ("slug: " + "s" * 201, "'slug' is 201 characters long; the limit is 200"),
    ],
)
def test_values_longer_than_their_column_fail_the_file(tmp_path, front, expected):
    title = "" if front.startswith("title:") else "title: T\n"
    problems = import_one(tmp_path, f"---\n{title}{front}\n---\nbody\n")
    assert problems == [f"a-edge.md: error: {expected}"]


def test_a_path_longer_than_its_column_fails_the_file(tmp_path):
    name = "/".join(["d" * 200] * 5) + "/post.md"
    problems = import_one(tmp_path, "---\ntitle: Deep\n---\nbody\n", name=name)
    assert problems == [
        f"{name}: error: the path is 1,012 characters long; the limit is 1,000"
    ]


def test_a_long_path_under_the_limit_imports_with_a_revision(tmp_path):
    name = "/".join(["d" * 200] * 4) + "/" + "p" * 180 + ".md"  # 987 characters
    assert import_one(tmp_path, "---\ntitle: Deep\n---\nbody\n", name=name) == []
    revision = Revision.objects.get(post__title="Deep")
    assert revision.reason.startswith("import of dddd") and len(revision.reason) == 300


def test_an_image_reference_longer_than_its_column_fails_the_file(tmp_path):
    body = "![x](" + "i" * 1001 + ".png)\n"
    problems = import_one(tmp_path, f"---\ntitle: T\n---\n{body}")
    assert len(problems) == 1, problems
    assert (
        "an image reference is 1,005 characters long; the limit is 1,000" in problems[0]
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("---\ntitle: T\n---\nbody \x00 text\n", "a-edge.md:4: error: holds a NUL"),
        ("---\ntitle: T\x00\n---\nbody\n", "a-edge.md:2: error: holds a NUL"),
        ('---\ntitle: "T\\0"\n---\nbody\n', "'title' holds a NUL character"),
        ('---\ntitle: T\nsig: "a\\x00b"\n---\n', "'sig' holds a NUL character"),
        ('---\ntitle: T\nextra: {"\\0": 1}\n---\n', "'extra' holds a NUL character"),
        ('---\ntitle: T\ntags: ["a\\0"]\n---\n', "'tags' holds a NUL character"),
        ('---\ntitle: T\nsummary: "\\ud800"\n---\n', "a lone surrogate"),
        ('{"title": "T", "summary": "\\u0000"}\n\nbody\n', "'summary' holds a NUL"),
        ("---\ntitle: T\nscore: .nan\n---\n", "'score' is nan, which cannot be stored"),
        (
            "---\ntitle: T\nscore: [.inf]\n---\n",
            "'score' is inf, which cannot be stored",
        ),
    ],
)
def test_characters_and_numbers_no_database_can_hold_fail_the_file(
    tmp_path, text, expected
):
    problems = import_one(tmp_path, text)
    assert len(problems) == 1 and expected in problems[0], problems
    assert not Post.objects.filter(title__startswith="T").exists()


def test_a_body_too_complex_to_render_fails_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(markdown, "RENDER_SECONDS", 0.2)
    problems = import_one(tmp_path, "---\ntitle: T\n---\n" + "[" * 20000 + "\n")
    assert len(problems) == 1, problems
    assert "the body is too complex to render in 0.2 s" in problems[0]


# -- archives -------------------------------------------------------------------


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_duplicate_zip_members_are_reported_and_neither_is_imported(tmp_path):
    archive = write_zip(
        tmp_path / "posts.zip",
        [
            ("a.md", "---\ntitle: One\n---\n"),
            ("./a.md", "---\ntitle: Two\n---\n"),
            ("b.md", "---\ntitle: B\n---\n"),
        ],
    )
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive = write_zip(
            tmp_path / "same.zip",
            [("a.md", "---\ntitle: One\n---\n"), ("a.md", "---\ntitle: Two\n---\n")],
        )
    for path in (tmp_path / "posts.zip", archive):
        report = Importer().run([path])
        assert "a.md: error: more than one file has this name; none was imported" in [
            str(p) for p in report.problems
        ]
    assert list(Post.objects.values_list("title", flat=True)) == ["B"]


def test_a_corrupt_zip_is_a_failed_file_with_exit_status_1(tmp_path, capsys):
    good = write_tree(tmp_path / "site", {"p.md": "---\ntitle: Good\n---\n"})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not an archive")
    with pytest.raises(CommandError) as error:
        call_command("import_markdown", str(broken), str(good))
    assert error.value.returncode == 1
    assert f"{broken}: error: not a readable zip archive" in capsys.readouterr().err
    assert Post.objects.get().title == "Good"


def test_a_damaged_zip_member_fails_only_its_file(tmp_path):
    archive = write_zip(
        tmp_path / "posts.zip",
        [
            ("a.md", "---\ntitle: A\n---\n" + "text " * 200),
            ("b.md", "---\ntitle: B\n---\n"),
        ],
    )
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("a.md")
    start = info.header_offset + 30 + len("a.md")  # a.md's compressed stream
    data[start + 2 : start + info.compress_size - 2] = b"\xff" * (
        info.compress_size - 4
    )
    archive.write_bytes(bytes(data))
    report = Importer().run([archive])
    problems = [str(p) for p in report.problems]
    assert any(
        p.startswith("a.md: error: cannot be read from the archive") for p in problems
    ), problems
    assert list(Post.objects.values_list("title", flat=True)) == ["B"]


def test_a_zip_bomb_is_refused_saying_its_size_and_the_limit(tmp_path):
    archive = write_zip(
        tmp_path / "bomb.zip",
        [("bomb.md", b"---\ntitle: Bomb\n---\n" + b"0" * (11 * 1024 * 1024))],
    )
    assert archive.stat().st_size < 100_000
    report = Importer().run([archive])
    assert [str(p) for p in report.problems] == [
        "bomb.md: error: the file is 11,534,356 bytes uncompressed; "
        "the limit is 10 MB (10,485,760 bytes)"
    ]


# -- one import at a time -------------------------------------------------------


def test_a_second_import_waits_then_is_refused_with_exit_status_1(tmp_path):
    root = write_tree(tmp_path / "site", {"p.md": "---\ntitle: P\n---\n"})
    with other_import(), pytest.raises(CommandError) as error:
        call_command("import_markdown", str(root), "--wait", "0.5")
    assert error.value.returncode == 1
    assert str(error.value) == (
        "another import is running on this database; waited 0.5 s for it to "
        "finish. Try again when it has finished."
    )
    assert not Post.objects.exists()
    call_command("import_markdown", str(root), "--wait", "0")  # the lock is free
    assert Post.objects.get().title == "P"


def test_the_admin_refuses_an_import_while_another_runs(client):
    client.force_login(make_user("boss", superuser=True))
    upload = SimpleUploadedFile("p.md", b"---\ntitle: P\n---\n")
    with other_import():
        response = client.post(
            "/admin/news/post/import/", {"files": [upload], "status": "draft"}
        )
    assert response.status_code == 200
    assert "another import is running on this database" in response.content.decode()
    assert not Post.objects.exists()


@contextlib.contextmanager
def other_import():
    """Hold the import lock as another process would: from another connection
    on PostgreSQL (advisory locks are per session), another open file on SQLite."""
    if connection.vendor != "postgresql":
        with import_lock():
            yield
        return
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_module._KEY])
        yield


def test_the_admin_refuses_a_site_root_outside_the_upload(client):
    client.force_login(make_user("boss", superuser=True))
    for site_root in ["../..", "..", "/../x", "a/../../b"]:
        upload = SimpleUploadedFile("p.md", b"---\ntitle: P\n---\n")
        response = client.post(
            "/admin/news/post/import/",
            {"files": [upload], "status": "draft", "site_root": site_root},
        )
        assert response.status_code == 200
        assert f"{site_root} leaves the upload." in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a file database of its own; run once"
)
def test_two_imports_started_at_once_on_sqlite_both_finish(tmp_path):
    """Two real processes on one SQLite file: the second waits for the first;
    neither dies with "database is locked"."""
    root = write_tree(
        tmp_path / "site",
        {
            f"post-{n:02}.md": f"---\ntitle: Post {n}\ndate: 2024-01-{n:02}\n---\n"
            + "Some text with *emphasis*.\n\n" * 40
            for n in range(1, 29)
        },
    )
    env = environ_without("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "NEWSDESK_")
    (tmp_path / "var").mkdir()
    env |= {"NEWSDESK_VAR_DIR": str(tmp_path / "var"), "DJANGO_DEBUG": "1"}
    migrated = manage_py(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    command = [sys.executable, "manage.py", "import_markdown", str(root)]
    both = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=240) for p in both]
    for process, (_, err) in zip(both, outputs, strict=True):
        assert process.returncode == 0, err
        assert "locked" not in err
    summaries = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert summaries[0].startswith("0 created, 0 updated, 28 unchanged")
    assert summaries[1].startswith("28 created, 0 updated, 0 unchanged")
