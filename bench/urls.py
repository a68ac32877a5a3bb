"""The site's URLs plus the ceiling: a fixed 20 KB page through the same
middleware, with no database and no template. Bench only."""

from django.http import HttpResponse
from django.urls import path

from cms import urls as site_urls

CEILING_BODY = b"<!doctype html><title>ceiling</title><p>" + b"x" * (20 * 1024 - 40)


def ceiling(request):
    return HttpResponse(CEILING_BODY)


# The site's patterns themselves, not an include(): the language-prefixed ones
# (i18n patterns) must be in the root URLconf.
urlpatterns = [path("bench/ceiling/", ceiling), *site_urls.urlpatterns]
handler403 = site_urls.handler403
