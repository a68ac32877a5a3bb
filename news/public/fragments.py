"""Rendered pieces of public pages, kept for the version of the site they show.

A post's list card, an article's parts (its head tags, the article, and the
related and adjacent posts) and the lists of the index pages (tags,
categories, authors, archive) are rendered once per version of the site, then
reused: the home page, the archives and every tag, category and author list
share the cards. The version is the site's last change from
``news.models.queries.freshness()``, which every post edit and publication,
and every author, category, tag or image edit and post deletion
(news.public.cache.record_site_change) moves. A fragment can therefore never
show what the database no longer says, whatever store holds it: nothing
invalidates fragments, and a key always names the same HTML, so the fragment
store is each process's own memory (the "fragments" entry of CACHES) and
reading a fragment costs no round trip.

Pages are still put together on every request from live queries (whether an
article is published, which posts a list shows and its pagination), so this
works with the page cache off. Read the version before the rows a fragment is
made from: a change in between then files the new rows under the old version,
which no request asks for again.

Fragments are the same for every reader: their templates must not use
``user``, ``perms`` or a CSRF token.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import get_template, render_to_string
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe

from ..models import Author, Post, Rendition, Section, indexes

CARD_TEMPLATE = "news/includes/post_card.html"
ARTICLE_TEMPLATES = {
    "head": "news/includes/article_head.html",
    "article": "news/includes/article.html",
}
INDEX_TEMPLATES = {
    "tags": "news/includes/section_index.html",
    "categories": "news/includes/section_index.html",
    "authors": "news/includes/section_index.html",
    "archive": "news/includes/archive_index.html",
}
INDEX_ENTRIES = {
    "tags": indexes.tags,
    "categories": indexes.categories,
    "authors": indexes.authors,
    "archive": indexes.archive,
}
INCLUDED_TEMPLATES = [
    "news/includes/breadcrumbs.html",
    "news/includes/byline.html",
    "news/includes/picture.html",
]
# Fragments of a version no request asks for any more just age out.
TIMEOUT = 24 * 60 * 60
RELATED_POSTS = 3


def cards(pks, changed):
    """Return the list cards of the posts ``pks``, in order, as one piece of
    HTML, for the site as of ``changed``.

    A list is kept whole; a list not seen yet is made from the cards, which
    lists share (a post's card is the same on the home page and its tags').
    """
    key = _key("list", changed, hashlib.sha256(repr(pks).encode()).hexdigest())
    html = _get_many([key]).get(key)
    if html is None:
        html = "\n".join(_cards(pks, changed))
        _set_many({key: html})
    return mark_safe(html)  # noqa: S308


def _cards(pks, changed):
    keys = {pk: _key("card", changed, pk) for pk in pks}
    found = _get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        made = {
            keys[post.pk]: render_to_string(CARD_TEMPLATE, {"post": post})
            for post in with_cards(Post.objects.filter(pk__in=missing))
        }
        _set_many(made)
        found.update(made)
    return [found[keys[pk]] for pk in pks]


def section(model, slug, changed):
    """Return the Section of the tag, category or author ``slug`` as of
    ``changed``: what its list page shows of it; a 404 if there is none."""
    # The slug comes from the URL: hashed, it makes a valid key for any cache.
    name = hashlib.sha256(f"{model._meta.label_lower}:{slug}".encode()).hexdigest()
    key = _key("section", changed, name)
    found = _get_many([key]).get(key)
    if found is None:
        found = Section.of(get_object_or_404(model, slug=slug))
        _set_many({key: found})
    return found


def index(kind, changed):
    """Return the list of an index page (``"tags"``, ``"categories"``,
    ``"authors"`` or ``"archive"``) as HTML, for the site as of ``changed``."""
    key = _key("index", changed, kind)
    html = _get_many([key]).get(key)
    if html is None:
        context = {"kind": kind, "entries": INDEX_ENTRIES[kind]()}
        html = render_to_string(INDEX_TEMPLATES[kind], context)
        _set_many({key: html})
    return mark_safe(html)  # noqa: S308


def kept(kind, changed, names, made_by):
    """Return ``{name: value}`` for each of ``names``, each kept for the site
    as of ``changed``; ``made_by(missing)`` returns ``{name: value}`` for the
    names not kept yet, and may leave out any it finds gone. For what follows
    the site's version as the HTML fragments do but is not HTML: the content
    API's posts (news.api)."""
    keys = {name: _key(kind, changed, name) for name in names}
    found = _get_many(keys.values())
    missing = [name for name, key in keys.items() if key not in found]
    if missing:
        made = {keys[name]: value for name, value in made_by(missing).items()}
        _set_many(made)
        found.update(made)
    return {name: found[key] for name, key in keys.items() if key in found}


def with_cards(posts):
    """Load what a post card shows, in a fixed number of queries."""
    return posts.select_related("banner").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("name", "slug")),
        Prefetch("banner__renditions", queryset=Rendition.objects.all()),
    )


def article(pk, changed, request):
    """Return the parts of the page of post ``pk`` (title, head and article),
    for the site as of ``changed``; the head holds absolute URLs, so they are
    kept per site address."""
    site = hashlib.sha256(request.build_absolute_uri("/").encode()).hexdigest()
    key = _key("article", changed, f"{pk}:{site}")
    parts = _get_many([key]).get(key)
    if parts is None:
        parts = render_article(article_context(pk), request)
        _set_many({key: parts})
    return parts


def render_article(context, request):
    """Render the parts of the article ``context["post"]``; previews use this
    too, and keep nothing. The title is text, for the page to escape."""
    html = {
        name: mark_safe(render_to_string(template, context, request))  # noqa: S308
        for name, template in ARTICLE_TEMPLATES.items()
    }
    return {"title": context["post"].title, **html}


def article_context(pk):
    """Load everything the article templates show of post ``pk``."""
    post = (
        Post.objects.select_related("category", "banner")
        .prefetch_related(
            Prefetch("authors", queryset=Author.objects.only("name", "slug")),
            "tags",
            Prefetch("banner__renditions", queryset=Rendition.objects.all()),
        )
        .get(pk=pk)
    )
    published = Post.objects.published().only(
        "title", "slug", "language", "published_at"
    )
    return {
        "post": post,
        "related": published.related_to(post)[:RELATED_POSTS],
        "previous": published.before(post).first(),
        "next": published.after(post).first(),
    }


def _get_many(keys):
    if not settings.NEWSDESK_FRAGMENT_CACHE:
        return {}
    return _store().get_many(keys)


def _set_many(values):
    if settings.NEWSDESK_FRAGMENT_CACHE:
        _store().set_many(values, timeout=TIMEOUT)


def _store():
    """Return where fragments are kept: the "fragments" entry of CACHES if
    settings define one, else the default."""
    return caches["fragments" if "fragments" in settings.CACHES else "default"]


def _key(kind, changed, name):
    stamp = changed.timestamp() if changed else ""
    return f"newsdesk:fragment:{_render_version()}:{stamp}:{kind}:{name}"


@functools.cache
def _render_version():
    """What else a fragment depends on: its templates and the settings that
    shape URLs and dates. A deploy that changes any of them starts afresh."""
    templates = [
        CARD_TEMPLATE,
        *ARTICLE_TEMPLATES.values(),
        *INDEX_TEMPLATES.values(),
        *INCLUDED_TEMPLATES,
    ]
    sources = [get_template(name).template.source for name in templates]
    shaped_by = [
        settings.NEWSDESK_SITE_NAME,
        settings.MEDIA_URL,
        settings.STORAGES["default"],
        settings.TIME_ZONE,
        settings.LANGUAGE_CODE,
    ]
    return hashlib.sha256(repr([sources, shaped_by]).encode()).hexdigest()[:12]


def _template_changed(sender, file_path, **kwargs):
    # runserver's autoreloader resets the template loaders when a template
    # changes, without restarting the process: forget the templates' hash too.
    if Path(file_path).suffix in (".html", ".txt"):
        _render_version.cache_clear()


def register_signal_handlers():
    """Follow template edits under runserver (news.apps calls this)."""
    file_changed.connect(_template_changed, dispatch_uid="fragments-templates")
