"""The feeds opened in a browser: Chromium applies static/news/feed.xsl to RSS
and Atom, and the reader gets a page that says what a feed is and how to
subscribe, lists the posts, and has no accessibility violation (axe-core)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from .factories import make_post
from .test_public_browser import ACTION_TIMEOUT, Axe, heading_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


def axe_problems(page):
    """Return axe-core's violations on the page, leaving out the banner
    Chromium (from 155) puts above any page made by XSLT to say that browsers
    are dropping it: the browser's element, not the site's."""
    results = Axe().run(page, context={"exclude": [["xslt-warning-banner"]]})
    return [
        f"axe {violation['id']}: {violation['help']} at {node['target']}:"
        f" {node['html'][:160]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture
def feeds(live_server):
    cache.clear()
    now = timezone.now()
    make_post(
        title="Harbour reopens",
        slug="harbour",
        summary="Ferries run again.",
        published_at=now - timedelta(hours=1),
    )
    make_post(
        title="Q&A: <the storm>", slug="storm", published_at=now - timedelta(hours=2)
    )
    return live_server.url


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
def test_a_feed_opened_in_a_browser_is_a_readable_page(browser, feeds, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.set_default_timeout(ACTION_TIMEOUT)
    response = page.goto(feeds + path)
    assert response.status == 200
    heading = page.locator("h1")
    assert heading.inner_text() == "Newsdesk: web feed"
    assert "copy this page's address into your feed reader" in page.inner_text("main")
    assert page.inner_text("code") == feeds + path
    links = page.locator("main ol a")
    assert links.all_inner_texts() == ["Harbour reopens", "Q&A: <the storm>"]
    assert links.first.get_attribute("href") == feeds + "/news/harbour/"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert heading_problems(page.evaluate(HEADINGS)) == []
    if width == 375:
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
    assert axe_problems(page) == []
    # The stylesheet's own style element applies under the site's CSP.
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "672px"
    # Chromium's banner carries style attributes, which the CSP refuses (the
    # XSLT's output has none).
    assert [error for error in errors if "style attributes" not in error] == []
    context.close()
