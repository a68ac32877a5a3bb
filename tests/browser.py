"""The browser fixture: Python Playwright driving Debian's Chromium.

``playwright install`` cannot download a browser here, so the fixture launches
the system's Chromium and skips (or fails in CI) when either is missing.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

from .conftest import require_service

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACT_ROOT = Path(
    os.environ.get(
        "NEWSDESK_ARTIFACT_DIR",
        Path(__file__).resolve().parent.parent / "var" / "test-artifacts",
    )
)


@pytest.fixture
def browser(monkeypatch):
    """Yield a fresh Chromium for the test (a shared one would ask for
    /favicon.ico only once, hiding a missing icon from every later page)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require_service("Playwright", sync_playwright is not None, "pip install playwright")
    require_service(
        "Chromium",
        os.path.exists(CHROMIUM) or shutil.which("chromium"),
        "apt-get install chromium",
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between steps are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server's request threads must not keep connections open past the
    # test, or PostgreSQL refuses to drop the test database.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
