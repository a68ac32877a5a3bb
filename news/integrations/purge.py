"""CDN purges: when a post changes, drop the CDN's copies of the pages it shows on.

Off unless ``NEWSDESK_CDN_PURGER`` names a purger class; its options are
``NEWSDESK_CDN_PURGE_OPTIONS`` (docs/integrations.md). A purger is given the
affected pages (news.integrations.payloads.affected()) as absolute URLs and as
surrogate keys, and uses the one its CDN purges by:

- HTTPPurger: an HTTP ``PURGE`` of each URL, sent to a cache server such as
  Varnish, nginx or Squid (``LOCATION``) with the site's Host header;
- CloudflarePurger: Cloudflare's purge-by-URL API, 30 URLs a request;
- FastlyPurger: Fastly's purge by surrogate key, which the public pages send
  (news.public.middleware.SurrogateKeyMiddleware), so pages past the first of a
  list and both languages of a page go too.

Receivers of the domain signals queue purge_task on commit; a worker purges.
Deletions are heard from Post's pre_delete, as in news.integrations.webhooks.
A change outside a post's row (``site_changed``; an author, category or tag
edited or deleted, which the page cache follows the same way) purges the
pages every such change shows on (payloads.site_pages()): by key, the whole
site.
"""

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from taggit.models import Tag

from .. import signals, workers
from ..models import Author, Category, Post
from . import http
from .payloads import Pages, affected, site_pages

logger = logging.getLogger(__name__)


class PurgeFailed(Exception):
    """The CDN refused a purge, or could not be reached."""


class Purger:
    """Purges pages from a CDN; ``options`` are NEWSDESK_CDN_PURGE_OPTIONS."""

    def __init__(self, **options):
        self.options = options

    def purge(self, pages):
        """Purge ``pages`` (a payloads.Pages); raise PurgeFailed if any
        request failed, after making the others."""
        raise NotImplementedError

    def _send(self, method, url, **kwargs):
        # The CDN's address is the operator's setting, not a user's: no guard.
        try:
            answer = http.send(method, url, guard=False, **kwargs)
        except (http.RequestFailed, http.Refused) as error:
            return str(error)
        if answer.status >= 400 and answer.status != 404:
            return f"HTTP {answer.status}: {answer.text[:200]}"
        return ""

    def _check(self, errors):
        errors = [error for error in errors if error]
        if errors:
            raise PurgeFailed("; ".join(errors))


class HTTPPurger(Purger):
    """``PURGE`` each URL at ``LOCATION`` (the cache server, e.g.
    ``http://127.0.0.1:6081``) with the page's own Host; without a LOCATION, at
    the URL itself. A 404 (not in the cache) is no failure."""

    def purge(self, pages):
        location = self.options.get("LOCATION", "").rstrip("/")
        errors = []
        for url in pages.urls:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            target = location + path if location else url
            error = self._send("PURGE", target, headers={"Host": parts.netloc})
            errors.append(error and f"{url}: {error}")
        self._check(errors)


class CloudflarePurger(Purger):
    """Cloudflare's purge by URL: ``ZONE`` (the zone id) and ``TOKEN`` (an API
    token allowed to purge it)."""

    api = "https://api.cloudflare.com/client/v4"
    per_request = 30

    def purge(self, pages):
        url = (
            f"{self.options.get('API_URL', self.api).rstrip('/')}"
            f"/zones/{self.options['ZONE']}/purge_cache"
        )
        headers = {
            "Authorization": f"Bearer {self.options['TOKEN']}",
            "Content-Type": "application/json",
        }
        errors = []
        for start in range(0, len(pages.urls), self.per_request):
            files = pages.urls[start : start + self.per_request]
            data = json.dumps({"files": files}).encode()
            errors.append(self._send("POST", url, body=data, headers=headers))
        self._check(errors)


class FastlyPurger(Purger):
    """Fastly's purge by surrogate key: ``SERVICE`` (the service id), ``TOKEN``
    (an API token) and ``SOFT`` (mark stale rather than drop)."""

    api = "https://api.fastly.com"
    per_request = 256

    def purge(self, pages):
        url = (
            f"{self.options.get('API_URL', self.api).rstrip('/')}"
            f"/service/{self.options['SERVICE']}/purge"
        )
        errors = []
        for start in range(0, len(pages.keys), self.per_request):
            headers = {
                "Fastly-Key": self.options["TOKEN"],
                "Surrogate-Key": " ".join(pages.keys[start : start + self.per_request]),
            }
            if self.options.get("SOFT"):
                headers["Fastly-Soft-Purge"] = "1"
            errors.append(self._send("POST", url, headers=headers))
        self._check(errors)


def purger():
    """Return the configured purger, or None when purging is off."""
    if not settings.NEWSDESK_CDN_PURGER:
        return None
    return import_string(settings.NEWSDESK_CDN_PURGER)(
        **settings.NEWSDESK_CDN_PURGE_OPTIONS
    )


@task()
def purge_task(urls, keys, attempt=1):
    """Purge these pages from the CDN, on a worker. Safe to run again: a purge
    of a page that is not cached is no error. A failed purge is tried again
    later, each wait twice the last, up to NEWSDESK_CDN_PURGE_MAX_ATTEMPTS
    attempts; then it is logged and dropped (the pages wait out s-maxage)."""
    configured = purger()
    if configured is None:
        return
    try:
        configured.purge(Pages(urls=urls, keys=keys))
    except PurgeFailed as error:
        if attempt >= settings.NEWSDESK_CDN_PURGE_MAX_ATTEMPTS:
            logger.error("CDN purge failed %s times, given up: %s", attempt, error)
            return
        delay = http.retry_delay(attempt, settings.NEWSDESK_CDN_PURGE_RETRY_DELAY)
        logger.warning("CDN purge failed, tried again in %s: %s", delay, error)
        workers.enqueue_after(
            purge_task, timezone.now() + delay, urls, keys, attempt + 1
        )


def queue(post):
    """Queue a purge of the pages ``post`` shows on, if purging is on."""
    if settings.NEWSDESK_CDN_PURGER:
        pages = affected(post)
        purge_task.enqueue(pages.urls, pages.keys)


def queue_site():
    """Queue a purge of the pages a change outside a post's row shows on, once
    the current transaction commits, if purging is on."""
    if settings.NEWSDESK_CDN_PURGER:
        pages = site_pages()
        transaction.on_commit(lambda: purge_task.enqueue(pages.urls, pages.keys))


# Receivers of the domain signals; they run on commit.


def _moved(sender, post, **kwargs):
    # A scheduled post shows nowhere yet, and no page is cached past its time
    # (news.public.cache bounds s-maxage by it).
    if post.is_published or post.status != Post.Status.PUBLISHED:
        queue(post)


def _changed(sender, post, **kwargs):
    if post.is_published:
        queue(post)


def _deleting(sender, instance, **kwargs):
    if settings.NEWSDESK_CDN_PURGER and instance.is_published:
        pages = affected(instance)
        transaction.on_commit(lambda: purge_task.enqueue(pages.urls, pages.keys))


def _site_changed(sender, **kwargs):
    queue_site()


def _section_edited(sender, instance, created=False, raw=False, **kwargs):
    # As news.public.cache follows them: the stock admin and django-taggit
    # send no domain signal. A new one shows nowhere until a post uses it.
    if not created and not raw:
        queue_site()


def register_signal_handlers():
    """Purge the CDN when what readers see changes (news.apps calls this)."""
    signals.post_published.connect(_moved, dispatch_uid="purge-published")
    signals.post_unpublished.connect(_moved, dispatch_uid="purge-unpublished")
    signals.post_changed.connect(_changed, dispatch_uid="purge-changed")
    pre_delete.connect(_deleting, sender=Post, dispatch_uid="purge-deleted")
    signals.site_changed.connect(_site_changed, dispatch_uid="purge-site")
    for model in (Author, Category, Tag):
        name = model.__name__
        post_save.connect(_section_edited, sender=model, dispatch_uid=f"purge-{name}")
        post_delete.connect(
            _section_edited, sender=model, dispatch_uid=f"purge-delete-{name}"
        )
