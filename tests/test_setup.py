"""`make run`'s set-up steps (migrate, then load the samples) in a fresh directory."""

import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .services import environ_without, manage_py

ROOT = Path(__file__).resolve().parent.parent


def manage(var_dir, *args, languages="en"):
    env = environ_without("DJANGO_", "DATABASE_URL")
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="cms.settings",
        NEWSDESK_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        NEWSDESK_LANGUAGES=languages,
    )
    return manage_py(env, *args)


def rows(var_dir, sql):
    with sqlite3.connect(var_dir / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    migrate = manage(var_dir, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr
    load = manage(var_dir, "load_samples")
    return var_dir, load


def test_first_run_loads_the_samples_and_creates_a_demo_account(first_run):
    var_dir, load = first_run
    assert load.returncode == 0, load.stderr
    assert "4 created, 0 updated, 0 unchanged" in load.stdout
    assert "Menu: 6 links" in load.stdout
    assert "LOCAL DEMO superuser" in load.stdout
    password = (var_dir / "demo-login.txt").read_text().split("password: ")[1].strip()
    assert password in load.stdout
    assert rows(var_dir, "select username, is_superuser from auth_user") == [
        ("demo", 1)
    ]
    published = rows(
        var_dir, "select count(*) from news_post where status = 'published'"
    )
    assert published == [(4,)]
    # A header menu: home, the samples' two categories, tags, authors, archive.
    assert rows(var_dir, "select count(*) from news_menuitem") == [(6,)]
    assert list((var_dir / "media" / "images").rglob("*.png"))
    # Several authors with profiles and avatars.
    authors = rows(
        var_dir,
        "select name, avatar_id is not null, bio != '' from news_author order by name",
    )
    assert authors == [
        ("Ana Costa", 1, 1),
        ("Li Wei", 1, 1),
        ("Newsroom Team", 1, 1),
        ("Sam Okafor", 1, 1),
    ]
    # One language: none of the Chinese posts is loaded.
    assert rows(var_dir, "select distinct language from news_post") == [("en",)]


def test_second_run_reuses_everything_and_duplicates_nothing(first_run):
    var_dir, _ = first_run
    again = manage(var_dir, "load_samples")
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 4 unchanged" in again.stdout
    assert "Menu:" not in again.stdout
    assert "LOCAL DEMO superuser" not in again.stdout
    assert rows(var_dir, "select count(*) from auth_user") == [(1,)]
    assert rows(var_dir, "select count(*) from news_post") == [(4,)]
    assert rows(var_dir, "select count(*) from news_menuitem") == [(6,)]
    # Four posts' pictures and four avatars.
    assert rows(var_dir, "select count(*) from news_image") == [(11,)]


def test_a_site_in_english_and_chinese_gets_a_translation_pair(tmp_path):
    both = "en,zh-hans"
    assert manage(tmp_path, "migrate", "--noinput", languages=both).returncode == 0
    load = manage(tmp_path, "load_samples", languages=both)
    assert load.returncode == 0, load.stderr
    assert "6 created, 0 updated, 0 unchanged" in load.stdout
    # Each Chinese post in Chinese: the translation, and the Chinese desk's own.
    chinese = rows(
        tmp_path,
        "select title from news_post where language = 'zh-hans' order by title",
    )
    assert chinese == [("Newsdesk 正式上线",), ("社区动态：五月回顾",)]
    pair = rows(
        tmp_path,
        "select language, title from news_post where translation_key = "
        "'newsdesk-launch' and status = 'published' order by language",
    )
    assert pair == [
        ("en", "Newsdesk goes live for the newsroom"),
        ("zh-hans", "Newsdesk 正式上线"),
    ]
    again = manage(tmp_path, "load_samples", languages=both)
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 6 unchanged" in again.stdout
    assert rows(tmp_path, "select count(*) from news_post") == [(6,)]


def test_no_demo_account_when_users_exist(tmp_path):
    assert manage(tmp_path, "migrate", "--noinput").returncode == 0
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute(
            "insert into auth_user (username, password, is_superuser, is_staff, is_active,"
            " first_name, last_name, email, date_joined) values"
            " ('editor', '!', 0, 1, 1, '', '', '', '2024-01-01')"
        )
    load = manage(tmp_path, "load_samples")
    assert load.returncode == 0, load.stderr
    assert "LOCAL DEMO" not in load.stdout
    assert rows(tmp_path, "select username from auth_user") == [("editor",)]


def _make_run(tmp_path, **variables):
    """`make run` with a stand-in for the venv's python that records how it
    was called; setup (migrate, samples) is taken as done (-o setup)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls.txt"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(calls))}\n')
    python.chmod(0o755)
    assigned = [f"{name}={value}" for name, value in variables.items()]
    done = subprocess.run(
        ["make", "-s", "-o", "setup", "run", f"VENV={venv}", *assigned],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, calls.read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
@pytest.mark.parametrize(
    ("variables", "url", "address"),
    [
        ({}, "http://127.0.0.1:8000/", "127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123/", "127.0.0.1:8123"),
        ({"HOST": "0.0.0.0", "PORT": "9001"}, "http://0.0.0.0:9001/", "0.0.0.0:9001"),
    ],
)
def test_make_run_prints_the_url_it_serves(tmp_path, variables, url, address):
    done, calls = _make_run(tmp_path, **variables)
    assert done.returncode == 0, done.stderr
    assert f"Newsdesk is served at {url}" in done.stdout
    # The server is started on that very address.
    assert f"manage.py runserver {address}" in calls
