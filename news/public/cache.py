"""The public pages' HTTP caching: a page cache, validators and Cache-Control.

Cached pages are keyed by a version kept in the configured cache. ``invalidate()``
drops the version, so every page made before it is abandoned at once. It runs
as a receiver of the domain signals (news.signals) that the workflow, revisions,
the importer and the renderer send on commit; register_signal_handlers(),
called from news.apps, connects them. The version also ends by itself when the
next scheduled post becomes due, so a scheduled post appears on time with no
cron and no stale list outlives it.

PageCacheMiddleware answers hits early in the middleware stack; the
public_page decorator marks the views whose pages it may keep and adds the
validators and Cache-Control to every public page.

The version lives in the cache, so processes see each other's invalidations only
through a shared cache (Redis): settings turn the page cache on by default only
then. ETag and Last-Modified need no shared state and are always sent.

With NEWSDESK_PAGE_CACHE_LOCAL (the default on SQLite), in front of the
shared cache each process keeps the pages it served last in
its own memory (``_Near``), filed under the site's freshness as it was when
the page was made, as fragments are (news.public.fragments): such a page shows
what the database still says as long as freshness() has not moved, so a hit
there costs the freshness query (an index lookup, in process on SQLite) and no
round trip to Redis. A page the shared cache kept from an older freshness is
still served from there (until invalidated), but never copied into memory.
"""

import hashlib
import threading
import uuid
from collections import OrderedDict
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date
from taggit.models import Tag

from .. import signals
from ..models import (
    Author,
    Category,
    Image,
    MenuItem,
    Post,
    SiteChange,
    SiteSettings,
    queries,
)
from . import fragments, theme

VERSION_KEY = "newsdesk:pages:version"
# Pages each process keeps in its own memory, the most recently served.
NEAR_PAGES = 500


class _Near:
    """A small least-recently-used store of pages in this process's memory."""

    def __init__(self, size):
        self.size = size
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def set(self, key, page):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


_near = _Near(NEAR_PAGES)


def invalidate():
    """Abandon every cached page: the next request of each page makes it anew."""
    cache.delete(VERSION_KEY)
    _near.clear()


def record_site_change():
    """Record that something readers see changed outside a post's own row (an
    author renamed, a post deleted...): Last-Modified moves, rendered fragments
    are made anew, and cached pages are dropped once the change commits."""
    now = timezone.now()
    if not SiteChange.objects.update(changed_at=now):
        SiteChange.objects.create(changed_at=now)
    transaction.on_commit(invalidate)


# Receivers of the domain signals; the signals are sent on commit.


def _post_moved(sender, post, **kwargs):
    invalidate()


def _post_changed(sender, post, **kwargs):
    if post.status == Post.Status.PUBLISHED:
        invalidate()


def _site_changed(sender, **kwargs):
    record_site_change()


def _renditions_made(sender, images, **kwargs):
    # Cards and article banners show pictures through the fragments, which a
    # new site version makes again with the srcset; bodies were re-rendered.
    record_site_change()


def _row_edited(sender, instance, created=False, raw=False, **kwargs):
    # Authors, categories, tags and images are edited through the stock admin
    # and django-taggit, which send no domain signal, and the app never writes
    # them in bulk. A new one shows nowhere until a post uses it, and saving
    # that post moves freshness by itself.
    if not created and not raw:
        record_site_change()
        if sender is Image:
            # The theme may show it as the logo.
            _forget_theme()


def _forget_theme():
    # Forgotten now, for this transaction's next page, and again on commit, in
    # case another process read the old row meanwhile.
    theme.forget()
    transaction.on_commit(theme.forget)


def _theme_edited(sender, instance, raw=False, **kwargs):
    # The site's name, logo and colours show on every page at once.
    if not raw:
        _forget_theme()
        record_site_change()


def _menu_edited(sender, instance, raw=False, **kwargs):
    # Unlike a new tag, a new menu item shows on every page at once.
    if not raw:
        record_site_change()


def register_signal_handlers():
    """Drop cached pages when what readers see changes (news.apps calls this)."""
    signals.post_published.connect(_post_moved, dispatch_uid="cache-published")
    signals.post_unpublished.connect(_post_moved, dispatch_uid="cache-unpublished")
    signals.post_changed.connect(_post_changed, dispatch_uid="cache-changed")
    signals.site_changed.connect(_site_changed, dispatch_uid="cache-site")
    signals.renditions_made.connect(_renditions_made, dispatch_uid="cache-renditions")
    for model in (Author, Category, Tag, Image):
        name = model.__name__
        post_save.connect(_row_edited, sender=model, dispatch_uid=f"site-{name}")
        post_delete.connect(
            _row_edited, sender=model, dispatch_uid=f"site-delete-{name}"
        )
    post_delete.connect(_row_edited, sender=Post, dispatch_uid="site-delete-Post")
    post_save.connect(_menu_edited, sender=MenuItem, dispatch_uid="site-menu")
    post_delete.connect(_menu_edited, sender=MenuItem, dispatch_uid="site-delete-menu")
    post_save.connect(_theme_edited, sender=SiteSettings, dispatch_uid="site-theme")
    post_delete.connect(
        _theme_edited, sender=SiteSettings, dispatch_uid="site-delete-theme"
    )
    setting_changed.connect(_setting_changed, dispatch_uid="cache-settings")


def _setting_changed(setting, **kwargs):
    # Tests turn the page cache on and off; a page kept in memory under one
    # test's database must not answer another's.
    if setting.startswith("NEWSDESK_") or setting == "CACHES":
        _near.clear()
    if setting.startswith("NEWSDESK_SITE_"):
        # The theme falls back to these names.
        theme.forget()


def _current(state, request, now):
    """Return the page version ``state`` if it still holds, else start a new one:
    when there is none, or when a scheduled post has become due since."""
    if state is not None and (state["due"] is None or state["due"] > now):
        return state
    _, due = freshness(request)
    state = {"token": uuid.uuid4().hex, "due": due}
    cache.set(VERSION_KEY, state, timeout=None)
    return state


def _seconds_until(moment, now, limit):
    if moment is None:
        return limit
    return max(0, min(limit, int((moment - now).total_seconds())))


def _key(request):
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"newsdesk:page:{url}"


def _cacheable(response):
    return (
        response.status_code == 200
        and not response.cookies
        and "Cookie" not in response.get("Vary", "")
        and not response.streaming
    )


def _cache_control(response, due, now):
    """Let browsers and CDNs keep the page briefly, never past the next
    scheduled post."""
    max_age = _seconds_until(due, now, settings.NEWSDESK_HTTP_MAX_AGE)
    s_maxage = _seconds_until(due, now, settings.NEWSDESK_HTTP_S_MAXAGE)
    response["Cache-Control"] = f"public, max-age={max_age}, s-maxage={s_maxage}"


def public_page(view=None, *, cache_page=True):
    """Decorate a public view, or a class-based view's class: conditional GET
    (ETag, Last-Modified, 304) and CDN-friendly Cache-Control. With
    ``cache_page``, PageCacheMiddleware keeps its pages when the
    ``NEWSDESK_PAGE_CACHE`` setting allows it."""

    def decorator(view):
        if isinstance(view, type):
            view.dispatch = _validated_method(view.dispatch)
        else:
            view = _validated(view)
        view.page_cache = cache_page
        return view

    return decorator(view) if view is not None else decorator


def _validated(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return _validate(request, view(request, *args, **kwargs))

    return wrapped


def _validated_method(dispatch):
    # As method_decorator(_validated), without the wrapper that builds on
    # every request.
    @wraps(dispatch)
    def wrapped(self, request, *args, **kwargs):
        return _validate(request, dispatch(self, request, *args, **kwargs))

    return wrapped


def _validate(request, response):
    """Give ``response`` to a GET or HEAD its validators (ETag,
    Last-Modified) and Cache-Control, and answer a conditional request 304."""
    if request.method not in ("GET", "HEAD") or not _cacheable(response):
        return response
    now = timezone.now()
    if hasattr(response, "render") and callable(response.render):
        response.render()
    changed, due = freshness(request)
    if not response.has_header("ETag"):
        # Kept pages bring the ETag they were kept with.
        response["ETag"] = fragments.content_etag(response.content)
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    _cache_control(response, due, now)
    return _conditional(request, response)


def freshness(request):
    """Return the site's ``(last_changed, next_due)``, read at most once per
    request and only when asked: the view and the page cache share it."""
    if not hasattr(request, "_newsdesk_freshness"):
        request._newsdesk_freshness = queries.freshness()
    return request._newsdesk_freshness


def published_id(request, slug, language):
    """Return the id of the published post ``slug`` in ``language``, or None;
    with the site's freshness in the same statement when the request has not
    read it yet (every article page asks both)."""
    if hasattr(request, "_newsdesk_freshness"):
        return queries.published_id(slug, language)
    pk, request._newsdesk_freshness = queries.published_id_and_freshness(slug, language)
    return pk


def _page_cache_allows(request):
    """Whether the URL is served by a view that public_page lets be cached."""
    return _cacheable_path(request.path_info, get_urlconf(settings.ROOT_URLCONF))


@lru_cache(maxsize=4096)
def _cacheable_path(path, urlconf):
    # Resolving costs as much as the rest of a hit; a path's view never changes.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    view = getattr(match.func, "view_class", match.func)
    return getattr(view, "page_cache", False)


class PageCacheMiddleware:
    """Serve public pages from the versioned page cache.

    It sits before the session, authentication and CSRF middleware, so a hit
    costs one cache round trip and none of their work; a miss stores the
    response as the rest of the stack made it, headers included (CSP,
    X-Frame-Options). Only GET and HEAD of views that public_page allows are
    cached, and only 200 responses that set no cookie and do not vary by one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.NEWSDESK_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or not _page_cache_allows(request)
        ):
            return self.get_response(request)
        now = timezone.now()
        key = _key(request)
        stamp = None
        if settings.NEWSDESK_PAGE_CACHE_LOCAL:
            # Read before the page is made (by the view, which reuses it): a
            # change in between files the new page under the old freshness.
            changed, due = freshness(request)
            stamp = changed.timestamp() if changed else None
            near = _near.get((key, stamp))
            if near is not None:
                return _hit(request, near, due, now)
        # One round trip for the version and the page. A page stored under
        # another version is a miss, so an invalidation is seen by every
        # process at once, and a late write of a page made before it can never
        # be served after it.
        found = cache.get_many([VERSION_KEY, key])
        state = _current(found.get(VERSION_KEY), request, now)
        entry = found.get(key)
        if entry is not None and entry[0] == state["token"]:
            if stamp is not None and entry[3:] == (stamp,):
                _near.set((key, stamp), entry[1:3])
            return _hit(request, entry[1:3], state["due"], now)
        response = self.get_response(request)
        timeout = _seconds_until(
            state["due"], now, settings.NEWSDESK_PAGE_CACHE_TIMEOUT
        )
        if response.status_code == 200 and _cacheable(response) and timeout > 0:
            page = (response.content, dict(response.items()))
            cache.set(key, (state["token"], *page, stamp), timeout=timeout)
            if stamp is not None:
                _near.set((key, stamp), page)
        return response


def _hit(request, page, due, now):
    content, headers = page
    response = HttpResponse(content, headers=headers)
    _cache_control(response, due, now)
    return _conditional(request, response)


_CONDITIONS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _conditional(request, response):
    if not any(name in request.META for name in _CONDITIONS):
        return response
    last_modified = response.get("Last-Modified")
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date(last_modified) if last_modified else None,
        response=response,
    )
