from functools import cache, partial
from typing import NamedTuple

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation

from .. import languages
from . import fragments, theme
from .cache import freshness


def site(request):
    language = languages.current()
    # The admin's settings, or the environment's (news.public.theme): a cache
    # read, no query.
    site_theme = theme.current()
    return {
        "site_name": site_theme.name,
        "site_about": site_theme.about,
        "theme": site_theme,
        # The page's language; an article's is its post's, which is the same.
        "language": language,
        # The search box's text; the search page sets it.
        "query": "",
        "links": _links(get_script_prefix(), language),
        # Called only by the templates that show the menus (base.html), so
        # other pages (the admin's) run no query for them.
        "menus": partial(_menus, request),
    }


def _menus(request):
    changed, _ = freshness(request)
    return fragments.menus(changed)


@cache
def _links(script_prefix, language):
    """The URLs every page's frame links to: the same for every request under a
    script prefix in a language, and reversing them was a tenth of rendering a
    page."""
    return {
        "home": reverse("news:post_list"),
        "search": reverse("news:search"),
        "categories": reverse("news:category_index"),
        "tags": reverse("news:tag_index"),
        "authors": reverse("news:author_index"),
        "archive": reverse("news:archive"),
        "sitemap": reverse("news:sitemap"),
        "rss": reverse("news:feed"),
        "atom": reverse("news:feed_atom"),
        "json_feed": reverse("news:feed_json"),
        # Each language's home page, the default first (hreflang, the
        # language suggestion); none on a single-language site.
        "homes": _homes() if languages.is_multilingual() else [],
        "language_js": static("js/language.js"),
        "css": static("css/site.css"),
        # The article's: highlighted code and its copy button.
        "code_css": static("css/code.css"),
        "code_js": static("news/code-copy.js"),
        "theme_css": reverse("news:theme_css"),
        "favicon": static("favicon.svg"),
    }


class Home(NamedTuple):
    language: str
    name: str
    url: str


def _homes():
    homes = []
    for code in languages.codes():
        with translation.override(code):
            homes.append(Home(code, languages.name(code), reverse("news:post_list")))
    return homes
