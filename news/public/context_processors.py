from functools import cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse


def site(request):
    return {
        "site_name": settings.NEWSDESK_SITE_NAME,
        "site_about": settings.NEWSDESK_SITE_ABOUT,
        "language": settings.LANGUAGE_CODE,
        # The search box's text; the search page sets it.
        "query": "",
        "links": _links(get_script_prefix()),
    }


@cache
def _links(script_prefix):
    """The URLs every page's frame links to: the same for every request under a
    script prefix, and reversing them was a tenth of rendering a page."""
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
        "css": static("css/site.css"),
        "favicon": static("favicon.svg"),
    }
