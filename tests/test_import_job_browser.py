"""An editor uploads a zip of 300 posts in the admin, in Chromium, and watches
the progress page move until it ends on the report.

The site runs as it is deployed: gunicorn and a task worker (the database
backend) as separate processes over one SQLite file, so the upload only queues
the job and the worker imports it while the page shows how far it got. axe-core
finds no violation on the progress page, running or done.
"""

import secrets
import subprocess
import sys
import time
import zipfile

import pytest

from .browser import ARGS, CHROMIUM, browser  # noqa: F401 (the fixture)
from .services import ROOT, environ_without, free_port, manage_py, stop, wait_for

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # skipped with the browser fixture when Playwright is missing
    Axe = None

POSTS = 300
EDITOR = """
from tests.factories import make_user
make_user("ivy", "Editors")
"""


def archive(path):
    with zipfile.ZipFile(path, "w") as zf:
        for n in range(POSTS):
            zf.writestr(
                f"news/{n // 100}/report-{n:03}.md",
                f"---\ntitle: Report {n}\ndate: 2024-{n % 12 + 1:02}-{n % 28 + 1:02}\n"
                f"tags: [harbour, report-{n % 7}]\nauthor: Ivy\n---\n\n"
                + "The council met again about the quay. " * 20
                + f"\n\n## Item {n}\n\n- one\n- two\n",
            )
    return path


@pytest.fixture
def site(tmp_path):
    var = tmp_path / "var"
    (var / "media").mkdir(parents=True)
    env = {
        **environ_without("DJANGO_", "NEWSDESK_", "AWS_", "DATABASE_URL", "REDIS_URL"),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "NEWSDESK_VAR_DIR": str(var),
        "NEWSDESK_TASKS": "database",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_CSRF_COOKIE_SECURE": "0",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage_py(env, *command, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
    result = manage_py(env, "shell", "--no-imports", "-c", EDITOR, timeout=120)
    assert result.returncode == 0, result.stderr
    port = free_port()
    processes = []
    with open(tmp_path / "gunicorn.log", "wb") as out:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "cms.wsgi"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    with open(tmp_path / "worker.log", "wb") as out:
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for(f"{url}/healthz", timeout=60, process=processes[0]), (
            tmp_path / "gunicorn.log"
        ).read_text()
        yield url
    finally:
        for process in processes:
            stop(process)


def axe_violations(page):
    results = Axe().run(page)
    return [
        f"{page.url}: axe {violation['id']} ({violation['impact']}):"
        f" {violation['help']} at {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_an_editor_watches_a_zip_of_300_posts_import(browser, site, tmp_path):  # noqa: F811
    zip_path = archive(tmp_path / "reports.zip")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "ivy")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{site}/admin/news/post/import/")
    page.set_input_files("#id_files", str(zip_path))
    page.select_option("#id_status", "draft")
    started = time.monotonic()
    page.click("input[type=submit][value=Import]")
    page.wait_for_url("**/admin/news/post/import/*/")
    # The upload returned before the import was done.
    assert page.inner_text('[data-field="files_total"]') == str(POSTS)
    problems = axe_violations(page)

    seen = []
    while time.monotonic() - started < 240:
        if page.locator("#report-heading").inner_text() == "Report":
            break  # the job ended and the page reloaded on the report
        done = page.locator('[data-field="files_done"]').inner_text()
        if done.isdigit() and (not seen or seen[-1] != int(done)):
            seen.append(int(done))
        page.wait_for_timeout(100)
    assert page.locator("#report-heading").inner_text() == "Report"
    # It moved: the page showed files done part way, in order.
    assert any(0 < count < POSTS for count in seen), seen
    assert seen == sorted(seen)

    assert "Done" in page.inner_text(".import-progress")
    assert f"{POSTS} of {POSTS} done" in page.inner_text(".import-progress")
    summary = page.inner_text('[data-field="summary"]')
    assert summary.startswith(
        f"{POSTS} created, 0 updated, 0 unchanged, 0 conflicts, 0 failed"
    ), summary
    problems += axe_violations(page)
    assert problems == [], "\n".join(problems)
