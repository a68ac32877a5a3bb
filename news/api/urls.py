"""The content API's URLs, under /api/ (cms.urls).

Every one of them, the schema and the reference page included, is a public
page to news.public.cache: the page cache keeps its answers, and each carries
an ETag, Last-Modified and the pages' Cache-Control, and answers 304 to a
request that already has it. API answers change exactly when pages do: both
come from the published content.
"""

from functools import partial, wraps

from ..public import fragments
from ..public.cache import freshness, public_page
from .views import api


def kept(view):
    """Keep each answer whole per site version and address
    (news.public.fragments.page, as pages and feeds are), looked up before
    django-ninja parses and validates the query: a kept answer costs the
    site's freshness and a memory read. Only a 200 is kept."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        changed, _ = freshness(request)
        name = f"api {request.get_full_path()}"
        return fragments.page(
            request, changed, name, partial(view, request, *args, **kwargs)
        )

    return wrapped


def answers_head(view):
    """Answer HEAD as GET, as Django's own views do: django-ninja routes only
    the methods an operation names. The body stays for the page cache, which
    keeps GET and HEAD alike; the server leaves it out (RFC 9110)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            return view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"

    return wrapped


urlpatterns, app_name, namespace = api.urls
for pattern in urlpatterns:
    pattern.callback = public_page(answers_head(kept(pattern.callback)))
