"""Middleware of the public site.

- RefuseNulMiddleware: a NUL character in the path or the query string is a
  400, before any view or the page cache sees it.
- CompressionMiddleware: public pages and feeds compressed (zstd, Brotli or
  gzip, as the client accepts), never a response that depends on who asks.
- PostAliasMiddleware: redirect front-matter aliases and old URLs of
  published posts (PostAlias) to the post. Like django.contrib.redirects, the
  lookup runs only for requests that would otherwise be a 404, so it costs
  nothing on pages that exist.
- SurrogateKeyMiddleware: a ``Surrogate-Key`` header on every public page,
  naming what it shows, so a CDN that purges by key (Fastly) drops exactly the
  pages a change touches (news.integrations.purge).
"""

from functools import lru_cache

from compression_middleware.middleware import (
    CompressionMiddleware as BaseCompressionMiddleware,
)
from django.conf import settings
from django.http import (
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, get_urlconf, resolve, reverse

from ..integrations.payloads import page_keys
from ..models import Post


class RefuseNulMiddleware:
    """Answer 400 to a URL with a NUL character in it.

    No address of the site has one, and PostgreSQL refuses NUL in any text
    parameter: a slug, a media path, an admin object id or search term with
    %00 in it was a 500 wherever it reached a query. Forms reject NUL already
    ("Null characters are not allowed."); this covers what comes by the URL.
    The content API's addresses get it as JSON, as the API answers every error.
    """

    MESSAGE = "A NUL character is not allowed in an address."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path_info.startswith(reverse("api:api-root")):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain")
        return self.get_response(request)


class CompressionMiddleware(BaseCompressionMiddleware):
    """Compress responses that are the same for every reader, and no other.

    A compressed response that holds a secret (a CSRF token, anything of a
    session) beside text an attacker can put in it (a search query) leaks the
    secret through its length (BREACH). So a response is left as it is when its
    page used a CSRF token, sets a cookie or varies by the cookie (the session
    was read: the admin, previews, anything logged in). Public pages and feeds
    do none of these.
    """

    def process_response(self, request, response):
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or response.cookies
            or "cookie" in response.get("Vary", "").lower()
        ):
            return response
        return super().process_response(request, response)


class PostAliasMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        # Aliases are stored as "/path/"; accept the path without its slash too.
        path = request.path if request.path.endswith("/") else request.path + "/"
        post = Post.objects.published().filter(aliases__path=path).first()
        if post is None:
            return response
        # The query string goes along: campaign tags and the like on an old
        # link still reach the post.
        query = request.META.get("QUERY_STRING", "")
        url = post.get_absolute_url() + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirect(url)


class SurrogateKeyMiddleware:
    """Name a public page's surrogate keys (news.integrations.payloads): the
    site's, and the page's own (``home``, ``post-<slug>``, ``tag-<slug>``,
    ``feeds``...). It sits outside the page cache, so cached pages get them too;
    only pages a CDN may keep (``Cache-Control: public``) are named."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", "") or response.has_header(
            "Surrogate-Key"
        ):
            return response
        keys = _surrogate_keys(request)
        if keys:
            response["Surrogate-Key"] = keys
        return response


def _surrogate_keys(request):
    # A page from the page cache was never resolved (no view ran); either
    # way, a path's keys are worked out once per process.
    return _keys_of_path(request.path_info, get_urlconf(settings.ROOT_URLCONF))


@lru_cache(maxsize=4096)
def _keys_of_path(path, urlconf):
    # Resolving costs as much as the rest of a page cache hit; a path's keys
    # never change.
    try:
        return _keys_of_match(resolve(path, urlconf))
    except Resolver404:
        return ""


def _keys_of_match(match):
    if match.namespace not in ("news", "api"):
        return ""
    return " ".join(page_keys(match.url_name, match.kwargs, match.namespace))
