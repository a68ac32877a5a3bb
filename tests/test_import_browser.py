"""The admin's import page in Chromium, with the options of the command line:
empty, refusing a field mapping it cannot read, and showing a report. Each
state passes axe-core with no violation."""

import pytest

from news.models import Post

from .factories import image_bytes, make_user
from .test_desk_browser import sign_in

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # skipped with the browser fixture when Playwright is missing
    Axe = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def violations(page):
    results = Axe().run(page)
    return [
        f"{page.url}: axe {v['id']} ({v['impact']}): {v['help']} at {n['target']}"
        for v in results.response["violations"]
        for n in v["nodes"]
    ]


def test_the_import_page_with_its_options_passes_axe(live_server, browser, tmp_path):
    make_user("pat", "Editors", "Publishers")
    # Markdown files with their images import here; a .zip goes to a worker.
    (tmp_path / "launch.md").write_text(
        "---\ntitle: Launch\nwhen: 2022-07-08\nhero: p.png\n---\n"
    )
    (tmp_path / "p.png").write_bytes(image_bytes())
    (tmp_path / "tabs.mdx").write_text("---\ntitle: Tabs\n---\n<Tabs/>\n")
    files = [str(tmp_path / name) for name in ("launch.md", "p.png", "tabs.mdx")]
    page = sign_in(browser, live_server.url, "pat")
    page.goto(f"{live_server.url}/admin/news/post/import/")
    for label in ("Old URL pattern", "Field mapping", "Include .mdx files"):
        assert page.get_by_label(label).count() == 1
    problems = violations(page)

    page.set_input_files("#id_files", files)
    page.fill("#id_field_map", "hero=bannr")
    page.click("input[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "unknown field 'bannr'" in page.inner_text(".errorlist")
    problems += violations(page)

    page.set_input_files("#id_files", files)
    page.fill("#id_field_map", "hero=banner\nwhen=date")
    page.fill("#id_old_url", "/blog/:slug/")
    page.click("input[type=submit]")
    page.wait_for_selector("#report-heading")
    assert "1 created" in page.inner_text(".import-report")
    assert "tabs.mdx" in page.inner_text(".import-report table")
    problems += violations(page)
    assert problems == [], "\n".join(problems)
    assert Post.objects.get().banner is not None
