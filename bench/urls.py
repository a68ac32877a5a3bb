"""The site's URLs plus the ceiling: a fixed 20 KB page through the same
middleware, with no database and no template. Bench only."""

from django.http import HttpResponse
from django.urls import include, path

CEILING_BODY = b"<!doctype html><title>ceiling</title><p>" + b"x" * (20 * 1024 - 40)


def ceiling(request):
    return HttpResponse(CEILING_BODY)


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("", include("cms.urls")),
]
