"""Redirect front-matter aliases and old URLs of published posts (PostAlias) to
the post.

Like django.contrib.redirects, the lookup runs only for requests that would
otherwise be a 404, so it costs nothing on pages that exist.
"""

from django.http import HttpResponsePermanentRedirect

from ..models import Post


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
