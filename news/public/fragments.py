"""Rendered pieces of public pages, kept for the version of the site they show.

A post's list card, an article's page (its head tags, the article, and the
related and adjacent posts, in the page's frame) and the lists of the index
pages (tags, categories, authors, archive) are rendered once per version of
the site, then reused: the home page, the archives and every tag, category
and author list share the cards. The version is the site's last change from
``news.models.queries.freshness()``, which every post edit and publication,
and every author, category, tag or image edit and post deletion
(news.public.cache.record_site_change) moves. A fragment can therefore never
show what the database no longer says, whatever store holds it: nothing
invalidates fragments, and a key always names the same HTML, so the fragment
store is each process's own memory (the "fragments" entry of CACHES) and
reading a fragment costs no round trip.

Pages still ask live queries on every request (whether an article is
published, which posts a list shows and its pagination), so this works with
the page cache off: the page frame's parts (``frame()``, base.html's
``{% kept %}`` blocks) and then whole pages (``page()``) are kept under what
those queries answered, and a changed answer is another page. Read the
version before the rows a fragment is made from: a change in between then
files the new rows under the old version, which no request asks for again.

Fragments are the same for every reader of a language: their templates must
not use ``user``, ``perms`` or a CSRF token. Each is kept per language, as its
interface strings, dates and URLs are the language's.
"""

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe

from .. import languages
from ..documents import markdown
from ..media import renditions
from ..models import (
    Author,
    MenuItem,
    Post,
    PostImage,
    Rendition,
    Section,
    indexes,
)
from . import search

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
SUGGESTIONS_TEMPLATE = "news/includes/search_suggestions.html"
SUGGESTED_TAGS = 12
SUGGESTED_POSTS = 5
VOCABULARY_POSTS = 2000
INCLUDED_TEMPLATES = [
    # The frame's kept parts (news.templatetags.news's ``kept``).
    "base.html",
    "news/includes/breadcrumbs.html",
    "news/includes/byline.html",
    "news/includes/picture.html",
]
# Fragments of a version no request asks for any more just age out.
TIMEOUT = 24 * 60 * 60
RELATED_POSTS = 3


def cards(pks, changed, *, lead=False):
    """Return the list cards of the posts ``pks``, in order, as one piece of
    HTML, for the site as of ``changed``; with ``lead``, the first is the
    lead story: a large card whose picture loads at once.

    A list is kept whole; a list not seen yet is made from the cards, which
    lists share (a post's card is the same on the home page and its tags').
    """
    name = hashlib.sha256(repr([lead, pks]).encode()).hexdigest()
    key = _key("list", changed, name)
    html = _get_many([key]).get(key)
    if html is None:
        html = "\n".join(_cards(pks, changed, lead))
        _set_many({key: html})
    return mark_safe(html)  # noqa: S308


def _cards(pks, changed, lead):
    kinds = {pk: "lead" if lead and i == 0 else "card" for i, pk in enumerate(pks)}
    keys = {pk: _key(kind, changed, pk) for pk, kind in kinds.items()}
    found = _get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        made = {
            keys[post.pk]: render_to_string(
                CARD_TEMPLATE, {"post": post, "lead": kinds[post.pk] == "lead"}
            )
            for post in with_cards(Post.objects.filter(pk__in=missing))
        }
        _set_many(made)
        found.update(made)
    return [found[keys[pk]] for pk in pks]


def section(model, slug, changed):
    """Return the Section of the tag, category or author ``slug`` as of
    ``changed``: what its list page shows of it (with the picture of a
    category's image or an author's avatar, and an author's bio as
    Markdown); a 404 if there is none."""
    # The slug comes from the URL: hashed, it makes a valid key for any cache.
    name = hashlib.sha256(f"{model._meta.label_lower}:{slug}".encode()).hexdigest()
    key = _key("section", changed, name)
    found = _get_many([key]).get(key)
    if found is None:
        row = get_object_or_404(model, slug=slug)
        found = Section.of(row)
        image = getattr(row, "image", None) or getattr(row, "avatar", None)
        if image is not None:
            shown = renditions.picture(image, make=False)
            found = dataclasses.replace(found, picture=shown)
        if getattr(row, "bio", ""):
            found = dataclasses.replace(found, lede_html=_bio(row.bio))
        _set_many({key: found})
    return found


def _bio(text):
    """Return an author's bio as sanitised HTML, or "" for a bio too complex
    to render (the page then shows it as text)."""
    try:
        return mark_safe(markdown.render(text))  # noqa: S308 (sanitised)
    except markdown.MarkdownError:
        return ""


# The site's own pages, the menus' links when editors have set none.
DEFAULT_MENUS = {
    MenuItem.Menu.HEADER: [
        MenuItem.Page.HOME,
        MenuItem.Page.CATEGORIES,
        MenuItem.Page.TAGS,
        MenuItem.Page.AUTHORS,
        MenuItem.Page.ARCHIVE,
    ],
    MenuItem.Menu.FOOTER: [
        MenuItem.Page.ARCHIVE,
        MenuItem.Page.SITEMAP,
        MenuItem.Page.SEARCH,
    ],
}
FOOTER_SECTIONS = 8


def menus(changed):
    """Return the links of the header and footer menus, ``{"header": [(text,
    url), ...], "footer": [...], "sections": [...]}``, as of ``changed``.

    Editors' items (news.models.MenuItem) for every language or for the
    page's, in their order, or the site's own pages when a menu has none;
    "sections" are the categories with the most published posts in the
    page's language, for the footer.
    """
    key = _key("menus", changed, "all")
    found = _get_many([key]).get(key)
    if found is None:
        items = MenuItem.objects.filter(
            Q(language="") | Q(language=languages.current())
        ).select_related("category", "tag", "post")
        links = {menu: [] for menu in MenuItem.Menu.values}
        for item in items:
            # The site's own pages are named in the active language
            # (MenuItem.Page's labels are translated).
            if (link := item.link()) is not None:
                links[item.menu].append(link)
        for menu, pages in DEFAULT_MENUS.items():
            if not links[menu]:
                links[menu] = [(str(page.label), reverse(page.value)) for page in pages]
        busiest = sorted(
            indexes.categories(languages.current()), key=lambda entry: -entry.count
        )
        found = {
            **links,
            "sections": [(e.name, e.url) for e in busiest[:FOOTER_SECTIONS]],
        }
        _set_many({key: found})
    return found


def index(kind, changed):
    """Return the list of an index page (``"tags"``, ``"categories"``,
    ``"authors"`` or ``"archive"``) as HTML, for the site as of ``changed``."""
    key = _key("index", changed, kind)
    html = _get_many([key]).get(key)
    if html is None:
        entries = INDEX_ENTRIES[kind](languages.current())
        context = {"kind": kind, "entries": entries}
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


def suggestions(changed):
    """Return what a search that found nothing offers instead, as HTML: the
    tags with the most published posts and the latest posts in the page's
    language, as of ``changed``."""
    language = languages.current()
    key = _key("suggestions", changed, language)
    html = _get_many([key]).get(key)
    if html is None:
        tags = sorted(indexes.tags(language), key=lambda entry: -entry.count)
        recent = (
            Post.objects.published()
            .in_language(language)
            .only("title", "slug", "language", "published_at")[:SUGGESTED_POSTS]
        )
        context = {"tags": tags[:SUGGESTED_TAGS], "recent": recent}
        html = render_to_string(SUGGESTIONS_TEMPLATE, context)
        _set_many({key: html})
    return mark_safe(html)  # noqa: S308


def vocabulary(changed):
    """Return the words readers may mean, for close spellings: those of the
    titles of the latest published posts in the page's language and of its
    tags, as of ``changed``."""
    language = languages.current()
    key = _key("vocabulary", changed, language)
    found = _get_many([key]).get(key)
    if found is None:
        titles = (
            Post.objects.published()
            .in_language(language)
            .values_list("title", flat=True)[:VOCABULARY_POSTS]
        )
        tags = [entry.name for entry in indexes.tags(language)]
        found = search.vocabulary([*titles, *tags])
        _set_many({key: found})
    return found


def page(request, changed, name, render):
    """Return the page ``name`` at the request's site address as of
    ``changed``: kept whole, or made by ``render()`` (the view's response)
    when not kept yet. Only a 200 answer is kept, and only its body and
    Content-Type: the middleware adds the rest on every request.

    ``name`` holds whatever the page shows that the site's version does not
    decide: its path, and what the live queries that chose its content
    answered (a post's id, a list's ids). Feeds, articles and list pages are
    kept so; a request for one costs those queries and a memory read.
    """
    site = f"{request.scheme}://{request.get_host()}"
    key = _key("page", changed, hashlib.sha256(f"{site} {name}".encode()).hexdigest())
    found = _get_many([key]).get(key)
    if found is not None:
        content, content_type, etag = found
        return HttpResponse(content, content_type=content_type, headers={"ETag": etag})
    response = render()
    if callable(getattr(response, "render", None)):
        response.render()
    if response.status_code == 200:
        response["ETag"] = etag = content_etag(response.content)
        _set_many({key: (response.content, response["Content-Type"], etag)})
    return response


def content_etag(content):
    """Return the strong ETag of a body."""
    # SHA-256 (hardware-accelerated) is twice as fast as MD5 here.
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def frame(changed, vary, render):
    """Return a part of the page frame (news.templatetags.news's ``kept``)
    as of ``changed``, for the values ``vary`` (its name, the page's
    template...): kept, or made by ``render()``."""
    name = hashlib.sha256(repr(vary).encode()).hexdigest()
    key = _key("frame", changed, name)
    html = _get_many([key]).get(key)
    if html is None:
        html = render()
        _set_many({key: html})
    return html


def with_cards(posts):
    """Load what a post card shows, in a fixed number of queries: the
    category, the authors, and the banner, or without one the body's images
    (the first is the thumbnail), with their renditions."""
    return posts.select_related("banner", "category").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("name", "slug")),
        Prefetch("banner__renditions", queryset=Rendition.objects.all()),
        Prefetch("image_links", queryset=_body_images().select_related("image")),
        Prefetch("image_links__image__renditions", queryset=Rendition.objects.all()),
    )


def _body_images():
    # Only posts without a banner show one of their body's images for it.
    return PostImage.objects.filter(post__banner__isnull=True)


def render_article(context, request):
    """Render the parts of the article ``context["post"]``: kept only as part
    of the article's page (views.PostDetailView, page()); previews use this
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
            # The byline shows the authors' avatars.
            Prefetch(
                "authors",
                queryset=Author.objects.only("name", "slug", "avatar").select_related(
                    "avatar"
                ),
            ),
            Prefetch("authors__avatar__renditions", queryset=Rendition.objects.all()),
            "tags",
            Prefetch("banner__renditions", queryset=Rendition.objects.all()),
            # The body's first image stands for a post without a banner.
            Prefetch("image_links", queryset=_body_images().select_related("image")),
            Prefetch(
                "image_links__image__renditions", queryset=Rendition.objects.all()
            ),
        )
        .get(pk=pk)
    )
    published = Post.objects.published().only(
        "title", "slug", "language", "published_at"
    )
    context = {"post": post, "translations": [], "alternates": []}
    if languages.is_multilingual():
        context.update(translated(post, published))
    published = published.in_language(post.language)
    return {
        **context,
        "related": published.related_to(post)[:RELATED_POSTS],
        "previous": published.before(post).first(),
        "next": published.after(post).first(),
    }


def translated(post, published):
    """Return what an article shows of its translations: ``translations``, a
    link to each other language of the site (the published translation, else
    that language's home page), and ``alternates``, the URLs of the article
    and of its published translations by language, and ``x_default``, for
    hreflang.

    One query, whether or not the post has translations, so that every
    article costs the same."""
    # An empty key is no group: filtering on None matches no row.
    found = {
        other.language: other
        for other in published.filter(translation_key=post.translation_key or None)
        .exclude(pk=post.pk)
        .order_by()
    }
    links = []
    for code in languages.codes():
        if code == post.language:
            continue
        other = found.get(code)
        with translation.override(code):
            url = other.get_absolute_url() if other else reverse("news:post_list")
        links.append(
            Translation(code, languages.name(code), url, other.title if other else "")
        )
    versions = {**found, post.language: post}
    alternates = [
        (code, versions[code].get_absolute_url())
        for code in languages.codes()
        if code in versions
    ]
    # Readers of any other language get the default language's version.
    default = versions.get(languages.default(), post)
    return {
        "translations": links,
        "alternates": alternates,
        "x_default": default.get_absolute_url(),
    }


@dataclass(frozen=True)
class Translation:
    """A link of an article's language switcher."""

    language: str
    name: str
    url: str
    title: str  # the translation's; empty when the link is to a home page


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
    # Interface strings, dates and URLs are the active language's.
    stamp = changed.timestamp() if changed else ""
    language = translation.get_language()
    return f"newsdesk:fragment:{_render_version()}:{stamp}:{language}:{kind}:{name}"


@functools.cache
def _render_version():
    """What else a fragment depends on: its templates and the settings that
    shape URLs and dates. A deploy that changes any of them starts afresh."""
    templates = [
        CARD_TEMPLATE,
        *ARTICLE_TEMPLATES.values(),
        *INDEX_TEMPLATES.values(),
        SUGGESTIONS_TEMPLATE,
        *INCLUDED_TEMPLATES,
    ]
    sources = [get_template(name).template.source for name in templates]
    shaped_by = [
        settings.NEWSDESK_SITE_NAME,
        settings.MEDIA_URL,
        settings.STORAGES["default"],
        settings.TIME_ZONE,
        settings.LANGUAGE_CODE,
        settings.NEWSDESK_FEED_FULL_CONTENT,
        settings.STATIC_URL,
        settings.NEWSDESK_TOC_MIN_WORDS,
        settings.LANGUAGES,
        settings.NEWSDESK_PREFIX_DEFAULT_LANGUAGE,
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
