"""What other systems are told about a post, and which pages a change touches.

``post_fields()`` is a post as a webhook delivers it: its public fields only,
every URL absolute under ``NEWSDESK_SITE_URL``. ``identity()`` is what is said
of a post that has left the public site. ``affected()`` lists the pages a
change of a post shows on, as absolute URLs (for purgers that purge URLs) and
as surrogate keys (for those that purge by key); ``page_keys()`` gives the keys
a page sends, from its URL name, so the two agree.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .. import languages

# Every public page carries this key too: purging it purges the whole site.
SITE_KEY = "newsdesk"

# The sections whose pages (and feeds) are keyed by their slug.
_SECTIONS = ("tag", "category", "author")
_FEED_FORMATS = ("feed", "feed_atom", "feed_json")


def _page_kind(url_name):
    """Return the key of the news page named ``url_name``, with "{slug}" where
    the page's slug goes, or "" for a page of no kind (search, robots.txt)."""
    if url_name == "post_list":
        return "home"
    if url_name == "post_detail":
        return "post-{slug}"
    for section in _SECTIONS:
        if url_name == section or url_name.startswith(f"{section}_feed"):
            return section + "-{slug}"
    if url_name.endswith("_index") or url_name.startswith("archive"):
        return "indexes"
    if url_name.startswith("feed"):
        return "feeds"
    if url_name.startswith("sitemap"):
        return "sitemap"
    return ""


# src="/..." and href="/..." in rendered HTML, and each "/..." of a srcset.
_RELATIVE = re.compile(r'(\s(?:src|href)=")/(?!/)')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute(path):
    """Return ``path`` (a URL path of this site) as an absolute URL."""
    return settings.NEWSDESK_SITE_URL.rstrip("/") + path


def _absolute_html(html):
    base = settings.NEWSDESK_SITE_URL.rstrip("/")

    def srcset(match):
        items = [item.strip() for item in match.group(2).split(",")]
        items = [base + item if item.startswith("/") else item for item in items]
        return f'{match.group(1)}{", ".join(items)}"'

    return _SRCSET.sub(srcset, _RELATIVE.sub(rf"\1{base}/", html))


def _key(kind, slug):
    # Keys are space-separated ASCII tokens; slugs may be Unicode.
    return kind.format(slug=quote(slug, safe=""))


def page_keys(url_name, kwargs, namespace="news"):
    """Return the surrogate keys of the page at ``namespace:url_name`` with
    ``kwargs``: a public page's, or the content API's (news.api), whose answers
    all carry ``api`` and a post's its ``post-<slug>`` too."""
    if namespace == "api":
        keys = [SITE_KEY, "api"]
        if url_name == "post":
            keys.append(_key("post-{slug}", str(kwargs.get("slug", ""))))
        return keys
    kind = _page_kind(url_name or "")
    keys = [SITE_KEY]
    if kind:
        keys.append(_key(kind, str(kwargs.get("slug", ""))))
    return keys


def _section(item, url_name):
    return {
        "name": item.name,
        "slug": item.slug,
        "url": absolute(reverse(f"news:{url_name}", kwargs={"slug": item.slug})),
    }


def _image(image):
    url = image.file.url  # a path under MEDIA_URL, or a bucket's absolute URL
    return {
        "url": absolute(url) if url.startswith("/") else url,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
    }


def post_fields(post):
    """Return the public fields of ``post`` with absolute URLs, as JSON values.

    Only for a post readers may see: the caller checks that it is published."""
    with translation.override(post.language):
        category = post.category
        return {
            "id": post.pk,
            "title": post.title,
            "slug": post.slug,
            "language": post.language,
            "url": absolute(post.get_absolute_url()),
            "summary": post.summary,
            "html": _absolute_html(post.body_html),
            "published_at": post.published_at.isoformat(),
            "updated_at": (post.lastmod or post.updated_at).isoformat(),
            "image": _image(post.banner) if post.banner_id else None,
            "category": _section(category, "category") if category else None,
            "tags": [_section(tag, "tag") for tag in post.tags.order_by("name")],
            "authors": [
                _section(byline.author, "author")
                for byline in post.bylines.select_related("author")
            ],
        }


def identity(post):
    """Return what is said of a post that left the public site: its id, slug,
    language and the URL it had."""
    with translation.override(post.language):
        url = absolute(post.get_absolute_url())
    return {"id": post.pk, "slug": post.slug, "language": post.language, "url": url}


@dataclass
class Pages:
    urls: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def affected(post):
    """Return the pages a change of ``post`` shows on: the article, home, its
    tags', category's and authors' pages and feeds, the index pages and its
    archive month, the feeds, the sitemap, and the content API's answers."""
    pages: list[tuple[str, dict]] = [("post_detail", {"slug": post.slug})]
    slugs = [("tag", tag.slug) for tag in post.tags.all()]
    if post.category_id:
        slugs.append(("category", post.category.slug))
    slugs += [
        ("author", byline.author.slug)
        for byline in post.bylines.select_related("author")
    ]
    pages += [(name, {"slug": slug}) for kind, slug in slugs for name in _FEEDS[kind]]
    pages += [(name, {}) for name in _SITE_PAGES]
    if post.published_at:
        year, month = post.published_at.year, post.published_at.month
        pages += [
            ("archive_year", {"year": year}),
            ("archive_month", {"year": year, "month": month}),
        ]
    pages.append(("sitemap_section", {"section": "posts"}))
    found = Pages()
    with translation.override(post.language):
        for name, kwargs in pages:
            found.urls += _with_pages(name, reverse(f"news:{name}", kwargs=kwargs))
            found.keys += page_keys(name, kwargs)
    # The content API's lists (without their filters) and the post's answer.
    api = [(name, {}) for name in ("posts", "tags", "categories", "authors")]
    api.append(("post", {"language": post.language, "slug": post.slug}))
    for name, kwargs in api:
        found.urls.append(absolute(reverse(f"api:{name}", kwargs=kwargs)))
        found.keys += page_keys(name, kwargs, namespace="api")
    found.keys = sorted(set(found.keys) - {SITE_KEY})
    return found


_FEEDS = {
    kind: [kind] + [f"{kind}_{feed}" for feed in _FEED_FORMATS] for kind in _SECTIONS
}
# The paginated lists (?page=N) among the pages above.
_LISTS = {"post_list", *_SECTIONS, "archive_year", "archive_month"}
_SITE_PAGES = [
    "post_list",
    *_FEED_FORMATS,
    "tag_index",
    "category_index",
    "author_index",
    "archive",
    "sitemap",
]


def _with_pages(name, path):
    """Return the absolute URL of page ``name`` at ``path``; for a list, and
    those of its next pages up to NEWSDESK_CDN_PURGE_LIST_PAGES in all: a new
    post moves every page of its lists down a place."""
    url = absolute(path)
    if name not in _LISTS:
        return [url]
    last = settings.NEWSDESK_CDN_PURGE_LIST_PAGES
    return [url, *(f"{url}?page={number}" for number in range(2, last + 1))]


def site_pages():
    """Return the pages every change outside a post's own row can show on (an
    author renamed, a tag edited, every body rendered again): home, the index
    pages, the feeds and the sitemap in each language by URL, and the whole
    site by its key."""
    found = Pages(keys=[SITE_KEY])
    for code in languages.codes():
        with translation.override(code):
            for name in _SITE_PAGES:
                found.urls += _with_pages(name, reverse(f"news:{name}"))
    found.urls = list(dict.fromkeys(found.urls))
    return found
