"""The public reader site in a real browser: Python Playwright driving Debian's Chromium.

Each page is checked at a phone and a desktop width for what a reader meets: it
loads, nothing errors or fails to load, every image shows, nothing scrolls
sideways on the phone, the skip link works from the keyboard, the headings
form an outline, and axe-core finds no accessibility violation. Screenshots are saved under ``var/test-artifacts/public``.
"""

from datetime import timedelta
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from news.documents import markdown
from news.media import images, renditions
from news.models import MenuItem, PostImage, SiteSettings

from .browser import ARTIFACT_ROOT
from .factories import (
    HOSTILE,
    add_authors,
    image_bytes,
    make_author,
    make_category,
    make_image,
    make_post,
)

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the browser fixture skips (or fails in CI)
    PlaywrightTimeoutError = TimeoutError
try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # skipped with the browser fixture when Playwright is missing
    Axe = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = ARTIFACT_ROOT / "public"
# Milliseconds: a local page that takes longer than this is a failure in itself.
ACTION_TIMEOUT = 5_000
NAVIGATION_TIMEOUT = 10_000

ARTICLE_TITLE = "Harbour reopens after the storm"
ARTICLE_TEXT = "The harbour opened again on Monday morning"
# Math (TeX to MathML) and a footnote's text, which the f-string above could
# not hold.
ARTICLE_MATH = r"""## Load

A ferry carries $n$ cars in $t$ hours, so the quay clears

$$
r = \frac{n}{t} \quad\text{cars per hour, with } \sum_{i=1}^{k} n_i \le N
$$

[^office]: Open 9:00 to 17:00.
"""
# Shaped like the imported openEuler posts: an HTML <img> with a width, Markdown
# images, and section headings written with "#" (141 of the 297 corpus files).
ARTICLE_BODY = (
    f"""{ARTICLE_TEXT}, three days after the storm.

<img src="images/quay.png" width="500">

# What changed

The ferries run to the summer timetable. ![The new pier](./images/pier.png)

## Who to ask

The harbour office answers questions every weekday.[^office]

## Timetable

| Route | First | Last | Every |
|-------|-------|------|-------|
| Town – Island | 06:10 | 22:40 | 40 min |
| Town – Point | 07:00 | 21:00 | 1 h |

```python
def next_ferry(now, departures):
    return min((d for d in departures if d > now), default=None)
```

"""
    + ARTICLE_MATH
)
XSS_BODY = """Nothing here may run.

<img src=x onerror="window.__xss=1">

[x](javascript:window.__xss=1)

<script>window.__xss=1</script>

<a href="JaVaScRiPt:window.__xss=1">y</a> <svg onload="window.__xss=1"></svg>
"""

PAGES = {
    "home": "/",
    "article": "/news/harbour-reopens/",
    "tag": "/tags/harbour/",
    "search": "/search/?q=harbour",
    "search-empty": "/search/?q=zeppelin",
    "tags": "/tags/",
    "categories": "/categories/",
    "category": "/categories/community/",
    "authors": "/authors/",
    # An author's page: avatar, bio and their own website's link.
    "author": "/authors/ana-lima/",
    "archive": "/archive/",
    "year": "/archive/{year}/",
    # The content API's reference page (news/api/docs.py).
    "api-docs": "/api/docs/",
}
# The index pages list names, not posts: of them only authors have pictures;
# a search that found nothing suggests tags and titles.
WITHOUT_IMAGES = {"tags", "categories", "archive", "search-empty", "api-docs"}

# Lazy images load only near the viewport: make them all eager, then wait (at
# most a few seconds) for each to load or fail.
LOAD_IMAGES = """async (timeout) => {
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  window.scrollTo(0, document.documentElement.scrollHeight);
  const settled = images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
  }));
  await Promise.race([
    Promise.all(settled),
    new Promise((done) => setTimeout(done, timeout)),
  ]);
  window.scrollTo(0, 0);
  return images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.outerHTML.slice(0, 200));
}"""

# The elements that reach past the right edge, innermost first.
OVERFLOWING = """() => {
  const edge = window.innerWidth;
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
    .filter((el) => ![...el.children].some(
      (child) => child.getBoundingClientRect().right > edge + 0.5))
    .slice(0, 5)
    .map((el) => `${el.outerHTML.slice(0, 160)} (right edge ${
      Math.round(el.getBoundingClientRect().right)}px)`);
}"""

HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


def store_image(color, alt, size=(640, 360)):
    image, _ = images.store(image_bytes("PNG", size, color), alt=alt)
    return image


def link_images(post, references):
    """Make the post's Markdown image references resolve to stored images."""
    for src, image in references.items():
        PostImage.objects.create(
            post=post, image=image, reference=markdown.image_key(src)
        )
    renditions.render(post)
    post.save()
    return post


@pytest.fixture
def site(live_server, settings):
    """Publish three illustrated posts, with authors, a category and tags, and a
    hostile one, and a menu; return the live server's address."""
    cache.clear()
    # The article is short: give it its table of contents all the same.
    settings.NEWSDESK_TOC_MIN_WORDS = 0
    now = timezone.now()
    community = make_category("Community")
    ana, li = make_author("Ana Lima"), make_author("Li Wei")
    ana.bio = "Ana covers the harbour and the ferries."
    ana.url = "https://example.org/ana"
    ana.avatar = make_image(size=(300, 300), alt="Ana Lima", color=(200, 160, 120))
    ana.save()
    community.description = "What the town does together."
    community.image = make_image(size=(1200, 500), alt="The town square")
    community.save()
    MenuItem.objects.create(position=1, page=MenuItem.Page.HOME)
    MenuItem.objects.create(position=2, category=community)
    MenuItem.objects.create(position=3, page=MenuItem.Page.TAGS)
    MenuItem.objects.create(position=4, page=MenuItem.Page.AUTHORS)
    MenuItem.objects.create(position=5, page=MenuItem.Page.ARCHIVE)
    article = make_post(
        title=ARTICLE_TITLE,
        slug="harbour-reopens",
        summary="Ships are back in port.",
        body=ARTICLE_BODY,
        category=community,
        banner=make_image(size=(960, 540), alt="The quay at dawn"),
        published_at=now - timedelta(hours=1),
    )
    link_images(
        article,
        {
            "images/quay.png": store_image((20, 120, 60), "Boats at the quay"),
            "./images/pier.png": store_image((120, 60, 20), "The new pier"),
        },
    )
    article.tags.add("Harbour", "Community")
    add_authors(article, ana, li)
    ferry = make_post(
        title="Ferry timetable for the harbour summer",
        slug="ferry-timetable",
        body="Boats leave every hour.\n\n![Ferry](ferry.png)",
        category=community,
        banner=make_image(size=(960, 540), alt="A ferry", color=(90, 30, 160)),
        published_at=now - timedelta(hours=2),
    )
    link_images(ferry, {"ferry.png": store_image((60, 60, 200), "A ferry")})
    ferry.tags.add("Harbour")
    add_authors(ferry, li)
    meetup = make_post(
        title="Community meetup in March",
        slug="meetup",
        body="Bring a friend.",
        banner=make_image(size=(960, 540), alt="The hall", color=(160, 90, 30)),
        published_at=now - timedelta(hours=3),
    )
    meetup.tags.add("Community")
    add_authors(meetup, ana)
    make_post(
        title=HOSTILE,
        slug="hostile",
        body=XSS_BODY,
        published_at=now - timedelta(hours=4),
    )
    # The live server listens on IPv4 loopback; name it so.
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


class Reader:
    """One browser tab that records everything that went wrong while it was open."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(**context_options)
        self.context.set_default_timeout(ACTION_TIMEOUT)
        self.context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
        self.page = self.context.new_page()
        self.problems = []
        self.dialogs = []
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.url} ({request.failure})"
            ),
        )
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _request(self, request):
        # Only noted, not blocked: routing requests would stop Chromium asking
        # for the favicon, and with it the console error a reader's browser logs.
        if urlsplit(request.url).hostname not in (None, "127.0.0.1"):
            self.problems.append(f"request off the test server: {request.url}")

    def _console(self, message):
        if message.type == "error":
            where = message.location.get("url", "")
            self.problems.append(f"console error: {message.text} ({where})")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url):
        response = self.page.goto(url)
        try:
            self.page.wait_for_load_state("networkidle", timeout=ACTION_TIMEOUT)
        except PlaywrightTimeoutError as exc:
            self.problems.append(f"network not idle after {ACTION_TIMEOUT} ms: {exc}")
        return response

    def shot(self, name):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def reader_factory(browser):
    readers = []

    def open_reader(**context_options):
        readers.append(Reader(browser, **context_options))
        return readers[-1]

    yield open_reader
    for reader in readers:
        reader.close()


def heading_problems(headings):
    """Return what is wrong with the outline ``headings``: [(level, text), ...]."""
    problems = []
    h1s = [text for level, text in headings if level == 1]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} <h1> elements, expected one: {h1s}")
    for (before, before_text), (level, text) in pairwise(headings):
        if level > before + 1:
            problems.append(
                f"heading jumps from h{before} {before_text!r} to h{level} {text!r}"
            )
    return problems


def axe_problems(page):
    """Return axe-core's violations on the page (its default rules: WCAG 2 A
    and AA and best practices), one line per rule and element."""
    results = Axe().run(page)
    return [
        f"axe {violation['id']}: {violation['help']} at {node['target']}:"
        f" {node['html'][:160]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def skip_link_problems(page):
    problems = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
          const el = document.activeElement;
          const box = el.getBoundingClientRect();
          return {
            text: el.textContent.trim(), href: el.getAttribute("href"),
            visible: box.width > 0 && box.left >= 0 && box.top >= 0
              && box.right <= window.innerWidth,
          };
        }"""
    )
    if focused["href"] != "#main":
        return [f"the first Tab focuses {focused}, not the skip link to #main"]
    if not focused["visible"]:
        problems.append(f"the focused skip link is not on screen: {focused}")
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.closest('#main')",
            timeout=ACTION_TIMEOUT,
        )
    except PlaywrightTimeoutError:
        where = page.evaluate(
            "() => [location.hash, document.activeElement.outerHTML.slice(0, 120)]"
        )
        problems.append(f"after Enter on the skip link, focus is not in #main: {where}")
    return problems


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_public_page_works_for_readers(site, reader_factory, name, width):
    reader = reader_factory(viewport={"width": width, "height": 800})
    page = reader.page
    response = reader.open(site + PAGES[name].format(year=timezone.now().year))
    assert response.status == 200
    # The reader's list: console errors and failed requests keep arriving in it.
    problems = reader.problems

    if name not in WITHOUT_IMAGES:
        assert page.locator("main img").count() > 0, "this page shows images"
    broken = page.evaluate(LOAD_IMAGES, ACTION_TIMEOUT)
    problems += [f"image did not load: {img}" for img in broken]
    reader.shot(f"{name}-{width}")

    if width == 375:
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            problems.append(
                f"scrolls sideways: {scroll_width}px wide in a {inner_width}px"
                f" viewport; overflowing: {page.evaluate(OVERFLOWING)}"
            )

    problems += heading_problems(page.evaluate(HEADINGS))
    problems += skip_link_problems(page)
    problems += axe_problems(page)
    # axe-core does not tell two unnamed search landmarks apart: count them.
    searches = page.locator("[role=search]").count()
    if searches != 1:
        problems.append(f"{searches} search forms, expected one")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_not_found_page_works_for_readers(site, reader_factory, width):
    reader = reader_factory(viewport={"width": width, "height": 800})
    page = reader.page
    response = reader.open(site + "/news/no-such-post/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    # The browser reports the page's own 404; anything else is a problem.
    missing = site + "/news/no-such-post/"
    problems = [p for p in reader.problems if missing not in p]
    problems += heading_problems(page.evaluate(HEADINGS))
    problems += skip_link_problems(page)
    problems += axe_problems(page)
    assert not problems, "\n".join(problems)
    page.get_by_role("link", name="See the latest news").click()
    page.wait_for_url(site + "/")


def test_hostile_post_runs_no_script(site, reader_factory):
    reader = reader_factory(viewport={"width": 1280, "height": 800})
    page = reader.page
    for url in ["/", "/news/hostile/"]:
        assert reader.open(site + url).status == 200
        page.wait_for_timeout(500)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert reader.dialogs == []
    reader.shot("hostile-article")

    assert page.locator("h1").inner_text() == HOSTILE
    body = page.locator("article .body")
    assert "Nothing here may run." in body.inner_text()
    assert body.locator("script").count() == 0
    dangerous = body.evaluate(
        """(body) => [...body.querySelectorAll("*")].flatMap((el) =>
          [...el.attributes]
            .filter((a) => a.name.startsWith("on") || /^\\s*javascript:/i.test(a.value))
            .map((a) => `${el.tagName} ${a.name}="${a.value}"`))"""
    )
    assert dangerous == []


def test_article_reads_without_javascript(site, reader_factory):
    reader = reader_factory(
        viewport={"width": 375, "height": 800}, java_script_enabled=False
    )
    page = reader.page
    assert reader.open(site + PAGES["article"]).status == 200
    reader.shot("article-375-no-js")
    assert page.locator("article h1").first.inner_text() == ARTICLE_TITLE
    assert ARTICLE_TEXT in page.locator("article .body").inner_text()
    assert page.locator("article .body img[alt='The new pier']").is_visible()


@pytest.mark.parametrize(
    ("width", "rendition"), [(1280, "960.webp"), (375, "640.webp")]
)
def test_body_images_are_fetched_at_the_width_they_are_shown(
    site, reader_factory, width, rendition
):
    # 1000 px wide: shown 46rem (736 px) wide in the column, or 100vw on a phone.
    # Were sizes unreadable, Chromium would take 100vw, and the 1000 px copy.
    chart = make_post(title="Chart", slug="chart", body="![Sales](chart.png)")
    link_images(chart, {"chart.png": store_image((10, 80, 10), "Sales", (1000, 500))})
    reader = reader_factory(viewport={"width": width, "height": 800})
    assert reader.open(f"{site}/news/chart/").status == 200
    assert reader.page.evaluate(LOAD_IMAGES, ACTION_TIMEOUT) == []
    chosen = reader.page.locator("article .body img").evaluate("img => img.currentSrc")
    assert chosen.endswith(f"-{rendition}"), chosen
    assert reader.problems == []


TIDE_BODY = """# Tide tables for the harbour

![Low tide at the quay](low.png)

The tables for the coming week, as the harbour office publishes them.

```text
MON 04:12 LOW 0.4m  10:31 HIGH 4.1m  16:40 LOW 0.6m  22:58 HIGH 3.9m  (all times local, summer)
```

| Day | Low | High | Low | High | Coefficient | Sunrise | Sunset |
|-----|-----|------|-----|------|-------------|---------|--------|
| Monday | 04:12 | 10:31 | 16:40 | 22:58 | 87 | 05:41 | 21:12 |

![High tide at the pier](high.png)
"""


@pytest.mark.parametrize("width", [375, 1280])
def test_article_shows_its_title_once_and_its_first_image_at_once(
    site, reader_factory, width
):
    # No banner: the body's first image is the first thing readers see.
    tide = make_post(title="Tide tables for the harbour", slug="tides", body=TIDE_BODY)
    link_images(
        tide,
        {
            "low.png": store_image((10, 60, 120), "Low tide at the quay"),
            "high.png": store_image((120, 10, 60), "High tide at the pier"),
        },
    )
    reader = reader_factory(viewport={"width": width, "height": 800})
    page = reader.page
    assert reader.open(f"{site}/news/tides/").status == 200
    reader.shot(f"article-first-image-{width}")

    headings = page.evaluate(HEADINGS)
    assert [text for _, text in headings].count("Tide tables for the harbour") == 1
    assert heading_problems(headings) == []
    images = page.locator("article .body img")
    assert images.nth(0).get_attribute("loading") == "eager"
    assert images.nth(0).get_attribute("fetchpriority") == "high"
    assert images.nth(1).get_attribute("loading") == "lazy"
    # Eager and above the fold, it has loaded without scrolling.
    assert images.nth(0).evaluate("img => img.complete && img.naturalWidth > 0")
    # The wide code block and table scroll on a phone; keyboard users can
    # reach them to scroll them.
    code = page.locator("article .body pre")
    assert code.get_attribute("tabindex") == "0"
    code.focus()
    assert page.evaluate("() => document.activeElement.tagName") == "PRE"
    assert page.locator("article .body table").get_attribute("tabindex") == "0"
    assert axe_problems(page) == []
    assert reader.problems == []


def test_article_parts_work_for_readers(site, reader_factory):
    """Math drawn from MathML, the table of contents and heading anchors, and
    the copy button the script adds to code blocks."""
    reader = reader_factory(viewport={"width": 1280, "height": 800})
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = reader.page
    assert reader.open(site + PAGES["article"]).status == 200

    # Math is MathML that Chromium lays out: no raw TeX, real boxes.
    body = page.locator("article .body")
    assert "$$" not in body.inner_text() and "\\frac" not in body.inner_text()
    formula = body.locator("math[display=block]")
    assert formula.locator("mfrac").count() == 1
    box = formula.bounding_box()
    assert box["height"] > 30 and box["width"] > 100
    assert body.locator("math[display=inline]").count() == 2

    # The contents lead to the sections.
    toc = page.locator("nav.toc")
    assert toc.locator("a").all_inner_texts() == [
        "What changed",
        "Who to ask",
        "Timetable",
        "Load",
    ]
    toc.locator("a", has_text="Timetable").click()
    page.wait_for_function("() => location.hash === '#timetable'")
    assert page.locator("#timetable").evaluate(
        "h => h.getBoundingClientRect().top >= 0 && h.getBoundingClientRect().top < 200"
    )

    # The copy button copies the code, and says so.
    button = page.locator("article .body button.copy-code")
    assert button.count() == 1 and button.inner_text() == "Copy"
    button.click()
    page.wait_for_function(
        "() => document.querySelector('button.copy-code').textContent === 'Copied'"
    )
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("def next_ferry(now, departures):")
    assert page.locator("[role=status]", has_text="Code copied").count() == 1
    reader.shot("article-parts-1280")
    assert axe_problems(page) == []
    assert reader.problems == []


def test_home_leads_with_a_story_and_cards_show_pictures(site, reader_factory):
    reader = reader_factory(viewport={"width": 1280, "height": 800})
    page = reader.page
    assert reader.open(site + "/").status == 200
    lead = page.locator(".lead-story img")
    assert lead.get_attribute("loading") == "eager"
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    cards = page.locator("article.post-card")
    # The meetup has a banner, the ferry one too; every card has a picture
    # but the hostile post's, which has none.
    assert cards.locator(".thumb img").count() == cards.count() - 1
    assert "min read" in cards.first.inner_text()
    menu = page.locator("nav.site-nav a").all_inner_texts()
    assert menu == ["Home", "Community", "Tags", "Authors", "Archive"]
    footer = page.locator("footer.site-footer")
    assert footer.locator("a", has_text="Community").count() == 1
    assert reader.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_themed_home_page_shows_the_logo_and_colours(site, reader_factory, scheme):
    settings_row = SiteSettings.load()
    settings_row.site_name = "Harbour Times"
    settings_row.logo = make_image(
        size=(96, 96), fmt="PNG", alt="", color=(139, 28, 28)
    )
    settings_row.accent, settings_row.accent_dark = "#8a1c1c", "#ffb4a8"
    settings_row.footer_text = "Independent news from the harbour since 1901."
    settings_row.full_clean()
    settings_row.save()
    reader = reader_factory(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    page = reader.page
    assert reader.open(site + "/").status == 200
    logo = page.locator("header .site-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 96
    assert page.locator("header .site-name").inner_text() == "Harbour Times"
    colour = page.locator("main a").first.evaluate("a => getComputedStyle(a).color")
    expected = "rgb(138, 28, 28)" if scheme == "light" else "rgb(255, 180, 168)"
    assert colour == expected
    assert "since 1901" in page.locator("footer").inner_text()
    reader.shot(f"themed-home-{scheme}")
    problems = reader.problems + axe_problems(page)
    assert not problems, "\n".join(problems)
