"""An SVG that slipped past the checks runs nothing in a real browser: neither
opened on its own from /media/ nor shown in an article.

The probe is written straight into the media storage, as a file put there by
hand or by an older release would be, so what is tested is how /media/ serves
it (news.public.media) and how pages show it, not news.media.svg. A control
serves the same bytes without the policy, to show that the probe does run when
nothing stops it.
"""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from news.media import images, renditions
from news.models import Image
from news.models.relations import add_image_links

from .factories import make_post

try:
    from django.test.testcases import _MediaFilesHandler
except ImportError:  # a Django without it serves /media/ through the app
    _MediaFilesHandler = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Milliseconds: a local page that takes longer than this is a failure in itself.
TIMEOUT = 10_000
PROBE = b"""<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"
     onload="alert('onload ran')">
  <title>Probe</title>
  <script>document.title = "script ran"; alert("script ran");</script>
  <rect width="120" height="60" fill="teal"/>
</svg>
"""
ARTICLE = "A chart of the tides"


@pytest.fixture
def probe(live_server, monkeypatch):
    """Store PROBE as a content-addressed image, unchecked; show it as the
    banner and in the body of a published post. Return the server's address
    and the image."""
    if _MediaFilesHandler is not None:
        # Django's live server answers MEDIA_URL itself (django.views.static,
        # with none of the headers under test): hand /media/ to the app, as a
        # deployment does.
        monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda *_: False)
    cache.clear()
    digest = images.sha256(PROBE)
    name = default_storage.save(images.storage_name(digest, "SVG"), ContentFile(PROBE))
    image = Image(sha256=digest, width=120, height=60, alt="The tides")
    image.file.name = name
    image.save()
    post = make_post(
        title=ARTICLE, slug="tides", body="High water at noon.\n\n![](chart.svg)"
    )
    add_image_links(post, [("chart.svg", image, "")])
    post.banner = image
    renditions.render(post)
    post.save()
    return live_server.url.replace("//localhost:", "//127.0.0.1:"), image


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT)
    context.set_default_navigation_timeout(TIMEOUT)
    page = context.new_page()
    page.dialogs = []

    def dismiss(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page
    context.close()


def test_the_probe_runs_when_served_without_the_policy(probe, tab):
    site, _ = probe
    tab.route(
        f"{site}/control/probe.svg",
        lambda route: route.fulfill(
            status=200, content_type="image/svg+xml", body=PROBE
        ),
    )
    tab.goto(f"{site}/control/probe.svg")
    assert tab.title() == "script ran"
    assert "script ran" in tab.dialogs


def test_an_svg_opened_from_media_runs_no_script(probe, tab):
    site, image = probe
    response = tab.goto(f"{site}{image.file.url}")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in response.headers["content-security-policy"]
    assert tab.title() == "Probe"
    assert tab.dialogs == []


def test_an_article_showing_the_svg_runs_no_script(probe, tab):
    site, image = probe
    assert tab.goto(f"{site}/news/tides/").status == 200
    assert tab.title().startswith(ARTICLE)
    assert tab.dialogs == []
    shown = tab.locator(f'img[src="{image.file.url}"]')
    assert shown.count() == 2  # the banner and the body's
    # Drawn as a picture, never inlined as markup that could run.
    for index in range(2):
        shown.nth(index).scroll_into_view_if_needed()
        assert (
            shown.nth(index).evaluate(
                "(img) => img.decode().then(() => img.naturalWidth)"
            )
            == 120
        )
    assert tab.locator("svg script, svg title").count() == 0
    assert tab.dialogs == []
