"""The site's theme as pages show it: its name, about line, logo and accent
colours, from the SiteSettings row with the NEWSDESK_SITE_NAME and
NEWSDESK_SITE_ABOUT settings as fallbacks.

current() reads the row once and keeps what pages need in the default cache
(Redis when configured, so every process sees an edit), so a page costs a
cache read and no query; the first page after a change (or after the cache
is emptied) reads it again, one query. news.public.cache's receiver of
SiteSettings' saves (and of images', one may be the logo) forgets it, now and
on commit, and moves the site's freshness, so fragments and cached pages are
made anew with it at once.
"""

import hashlib
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from ..models import SiteSettings
from ..models.navigation import HEX_COLOUR

KEY = "newsdesk:theme"


class Theme(NamedTuple):
    name: str
    about: str
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0
    accent: str = ""
    accent_dark: str = ""

    @property
    def css_version(self):
        """A short hash of the colours, "" when the site keeps site.css's: the
        theme's stylesheet URL carries it, so browsers may keep each for good."""
        if not (self.accent or self.accent_dark):
            return ""
        colours = f"{self.accent}:{self.accent_dark}"
        return hashlib.sha256(colours.encode()).hexdigest()[:10]


def current():
    """Return the site's Theme, read from the database at most once per change."""
    theme = cache.get(KEY)
    if theme is None:
        theme = _read()
        cache.set(KEY, theme, None)
    return theme


def forget():
    """Drop the cached theme: the next page reads the settings afresh."""
    cache.delete(KEY)


def fallback():
    """The theme of a site with no settings row: the environment's name and
    about line, site.css's colours."""
    return Theme(settings.NEWSDESK_SITE_NAME, settings.NEWSDESK_SITE_ABOUT)


def _read():
    row = SiteSettings.objects.select_related("logo").filter(pk=1).first()
    if row is None:
        return fallback()
    logo = row.logo
    return Theme(
        name=row.site_name or settings.NEWSDESK_SITE_NAME,
        about=row.footer_text or settings.NEWSDESK_SITE_ABOUT,
        logo_url=logo.file.url if logo else "",
        logo_width=logo.width if logo else 0,
        logo_height=logo.height if logo else 0,
        accent=_colour(row.accent),
        accent_dark=_colour(row.accent_dark),
    )


def _colour(value):
    # The form validates it; a row written otherwise must not put anything but
    # a colour into the stylesheet.
    return value.lower() if HEX_COLOUR.regex.fullmatch(value) else ""


def stylesheet(theme):
    """The CSS that gives site.css's links and buttons the theme's colours."""
    rules = []
    if theme.accent:
        rules.append(f":root {{ --link: {theme.accent}; }}")
    if theme.accent_dark:
        dark = f":root {{ --link: {theme.accent_dark}; }}"
        rules.append(f"@media (prefers-color-scheme: dark) {{ {dark} }}")
    return "\n".join(rules) + "\n"
