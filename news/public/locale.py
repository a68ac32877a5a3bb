"""The public site's language comes from its URL, and from nothing else.

``language_patterns()`` is Django's ``i18n_patterns()`` with the languages'
short URL segments (``/zh/news/x/`` for ``zh-hans``,
news.languages.url_code()); the default language has none unless
``NEWSDESK_PREFIX_DEFAULT_LANGUAGE`` is on, so a single-language site keeps
its URLs.

``LanguageMiddleware`` activates the language the URL names. Unlike Django's
LocaleMiddleware it never reads Accept-Language or a cookie for a public page,
and never redirects a reader to a guessed language: the same URL is the same
page for everyone, which is also what lets the page cache and CDNs keep it.
The admin (and sign-in) follow the user's browser and language cookie, as
Django's admin expects.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import LocalePrefixPattern, URLResolver, is_valid_path, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .. import languages


class LanguagePrefixPattern(LocalePrefixPattern):
    """The active language's URL segment, or none for the default language
    when it is not prefixed."""

    @property
    def prefix_default_language(self):
        return settings.NEWSDESK_PREFIX_DEFAULT_LANGUAGE

    @prefix_default_language.setter
    def prefix_default_language(self, value):
        # LocalePrefixPattern.__init__ sets it; the setting decides.
        pass

    @property
    def language_prefix(self):
        code = languages.current()
        if code == languages.default() and not self.prefix_default_language:
            return ""
        return f"{languages.url_code(code)}/"


def language_patterns(urlconf, namespace):
    """Prefix the patterns of the module ``urlconf`` (an app's, named
    ``namespace``) with the active language's URL segment: as
    ``i18n_patterns(path("", include(urlconf)))``, without the extra level
    that every request would resolve through."""
    return [
        URLResolver(
            LanguagePrefixPattern(), urlconf, app_name=namespace, namespace=namespace
        )
    ]


def default_language_only(view):
    """Serve ``view`` at its default-language address only: in another
    language it answers 301 to that address. For what is one for the whole
    site, whatever the language: the sitemap (which names every language's
    pages, with hreflang alternates) and robots.txt."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if languages.current() == languages.default():
            return view(request, *args, **kwargs)
        match = request.resolver_match
        with translation.override(languages.default()):
            url = reverse(match.view_name, kwargs=match.captured_kwargs)
        return HttpResponsePermanentRedirect(url)

    return wrapped


# Pages in the user's language rather than the URL's: the admin's.
BROWSER_LANGUAGE_PATHS = ("/admin/",)


def follows_browser(path):
    return path.startswith(BROWSER_LANGUAGE_PATHS)


class LanguageMiddleware:
    """Activate the language named by the URL (the default when it names
    none); in the admin, the user's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not languages.is_multilingual():
            # Django's default language is the only one: nothing to choose,
            # and a single-language site pays nothing for languages.
            return self.get_response(request)
        path = request.path_info
        browser = follows_browser(path)
        if browser:
            code = translation.get_language_from_request(request)
        else:
            code = languages.from_url(path) or languages.default()
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if browser:
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
        elif response.status_code == 404 and languages.from_url(path) is None:
            response = self._prefixed(request, path) or response
        response.headers.setdefault("Content-Language", code)
        return response

    def _prefixed(self, request, path):
        """With the default language prefixed, send an address without a
        language to the default language's, when that is a page."""
        if not settings.NEWSDESK_PREFIX_DEFAULT_LANGUAGE:
            return None
        prefixed = f"/{languages.url_code(languages.default())}{path}"
        if not is_valid_path(prefixed, getattr(request, "urlconf", None)):
            return None
        url = request.path.removesuffix(path) + prefixed
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)
