"""The site's theme: name, logo, colours and footer text from the settings the
admin edits, with the environment's as fallbacks, on every page at once."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from news.media import social
from news.models import SiteSettings

from .factories import make_image, make_post, make_user

pytestmark = pytest.mark.django_db


def themed(**fields):
    """Save the site's settings as the admin would (one row, save())."""
    row = SiteSettings.load()
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def stylesheets(content):
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', content)


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("chief", superuser=True))
    return client


def test_without_settings_pages_show_the_environments_name_and_about(client, settings):
    settings.NEWSDESK_SITE_NAME = "Harbour Times"
    settings.NEWSDESK_SITE_ABOUT = "News from the harbour."
    content = client.get("/").content.decode()
    assert '<a class="site-name" href="/">Harbour Times</a>' in content
    assert '<p class="about">News from the harbour.</p>' in content
    assert 'class="site-logo"' not in content
    # The site's own colours: no theme stylesheet.
    assert len(stylesheets(content)) == 1


def test_the_admins_settings_change_every_page_at_once(client):
    make_post(title="Ferries resume", slug="ferries")
    # Seen once, so the page and its fragments are cached under the old theme.
    assert "Newsdesk" in client.get("/news/ferries/").content.decode()
    logo = make_image(size=(120, 40), fmt="PNG", alt="Lighthouse")
    themed(
        site_name="Harbour Times",
        logo=logo,
        accent="#8a1c1c",
        accent_dark="#ffb4a8",
        footer_text="Independent news since 1901.",
    )
    for url in ("/", "/news/ferries/"):
        content = client.get(url).content.decode()
        header = content[content.index('<header class="site-header">') :]
        header = header[: header.index("</header>")]
        assert ">Harbour Times</a>" in header
        # The logo, decorative beside the name that follows it.
        assert re.search(
            rf'<img class="site-logo" src="{re.escape(logo.file.url)}" '
            r'width="120" height="40" alt="">',
            header,
        )
        assert "Independent news since 1901." in content
        assert "© " in content and "Harbour Times</p>" in content
        theme_css = stylesheets(content)[1]
        assert theme_css.startswith("/theme.css?v=")
    css = client.get(theme_css)
    assert css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    text = css.content.decode()
    assert ":root { --link: #8a1c1c; }" in text
    assert "@media (prefers-color-scheme: dark) { :root { --link: #ffb4a8; } }" in text
    # Another colour, another address: browsers keep no stale colours.
    themed(accent="#0b6e4f")
    assert stylesheets(client.get("/").content.decode())[1] != theme_css
    assert "#0b6e4f" in client.get("/theme.css").content.decode()


def test_feeds_and_the_admin_header_use_the_settings_name(admin_client):
    make_post(title="Ferries resume", slug="ferries")
    themed(site_name="Harbour Times")
    assert "<title>Harbour Times</title>" in admin_client.get("/feed/").content.decode()
    admin = admin_client.get("/admin/").content.decode()
    assert '<div id="site-name"><a href="/admin/">Harbour Times</a></div>' in admin


def test_the_admin_edits_the_one_row_and_refuses_bad_colours(admin_client):
    listing = admin_client.get("/admin/news/sitesettings/")
    assert listing.status_code == 302
    url = listing["Location"]
    assert url == "/admin/news/sitesettings/1/change/"
    form = {"site_name": "Harbour Times", "footer_text": "", "accent_dark": ""}
    # Not a colour.
    page = admin_client.post(url, {**form, "accent": "red"})
    assert page.status_code == 200
    assert "Enter a colour as # and six hex digits" in page.content.decode()
    # A colour too light for text on white: AA needs 4.5:1.
    page = admin_client.post(url, {**form, "accent": "#ffcc00"})
    assert page.status_code == 200
    assert "#ffcc00 contrasts only 1.5:1 with white" in page.content.decode()
    # Too dark for the dark scheme.
    page = admin_client.post(url, {**form, "accent": "", "accent_dark": "#202060"})
    assert "contrasts only" in page.content.decode()
    assert SiteSettings.objects.get().site_name == ""
    done = admin_client.post(url, {**form, "accent": "#0b57d0"})
    assert done.status_code == 302
    row = SiteSettings.objects.get()
    assert (row.site_name, row.accent) == ("Harbour Times", "#0b57d0")
    assert SiteSettings.objects.count() == 1
    # Never a second row, never none.
    assert admin_client.get("/admin/news/sitesettings/add/").status_code == 403
    assert admin_client.get(f"{url[:-7]}delete/").status_code == 403


def test_an_editor_without_the_permission_cannot_open_the_settings(client):
    client.force_login(make_user("reporter", "Authors"))
    assert client.get("/admin/news/sitesettings/").status_code == 403
    assert not SiteSettings.objects.exists()


def test_social_cards_are_drawn_on_the_accent_colour():
    default = PILImage.open(io.BytesIO(social.draw("Ferries resume")))
    assert default.getpixel((5, 5)) == (0x0B, 0x57, 0xD0)
    themed(site_name="Harbour Times", accent="#8a1c1c")
    card = PILImage.open(io.BytesIO(social.draw("Ferries resume")))
    assert card.getpixel((5, 5)) == (0x8A, 0x1C, 0x1C)
    post = make_post(title="Ferries resume", slug="ferries")
    # Another colour, another card file.
    before = social._name(post.title, None)
    themed(accent="#0b6e4f")
    assert social._name(post.title, None) != before


def test_a_themed_page_costs_one_query_after_an_edit_and_none_after(client):
    make_post(title="Ferries resume", slug="ferries")
    client.get("/")
    with CaptureQueriesContext(connection) as unthemed:
        client.get("/")
    themed(site_name="Harbour Times", accent="#8a1c1c", logo=make_image(fmt="PNG"))
    with CaptureQueriesContext(connection) as first:
        assert "Harbour Times" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as later:
        assert "Harbour Times" in client.get("/").content.decode()
    # The settings row, with its logo, read once.
    assert [q["sql"] for q in first if "news_sitesettings" in q["sql"]]
    assert not [q["sql"] for q in later if "news_sitesettings" in q["sql"]]
    assert len(later) == len(unthemed)


def test_a_colour_written_around_the_form_never_reaches_the_stylesheet(client):
    # save() without full_clean(), as a shell or a script might.
    SiteSettings.objects.create(accent="};x{", accent_dark="#FFB4A8")
    text = client.get("/theme.css").content.decode()
    assert "};x{" not in text
    assert ":root { --link: #ffb4a8; }" in text
