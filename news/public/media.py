"""``/media/...``: the local media files, for a site without a bucket or a web
server in front that serves them (docs/deploying.md).

The rules of what is served are in news.media.serving; this view speaks HTTP:
conditional requests, ranges, caching and the headers that keep a file from
running as a page of the site.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from ..media import serving


@require_safe
def serve(request, path):
    storage = storages["default"]
    # A bucket serves its own files; this view serves only the local storage.
    if not isinstance(storage, FileSystemStorage):
        raise Http404("Media are not stored on this server.")
    found = serving.locate(storage.location, path)
    if found is None:
        raise Http404("No such file.")
    if request.headers.get("If-None-Match") == found.etag or (
        "If-None-Match" not in request.headers
        and not was_modified_since(
            request.headers.get("If-Modified-Since"), found.mtime
        )
    ):
        return _headers(HttpResponse(status=304), found)
    ranged = None
    if request.headers.get("If-Range") in (None, found.etag):
        try:
            ranged = serving.byte_range(request.headers.get("Range"), found.size)
        except serving.Unsatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{found.size}"
            return _headers(response, found)
    if ranged is None:
        # FileResponse closes the file when the response is done.
        response = FileResponse(
            open(found.path, "rb"),  # noqa: SIM115
            content_type=found.content_type,
        )
        response["Content-Length"] = str(found.size)
    else:
        first, last = ranged
        response = StreamingHttpResponse(
            serving.read(found.path, first, last),
            status=206,
            content_type=found.content_type,
        )
        response["Content-Range"] = f"bytes {first}-{last}/{found.size}"
        response["Content-Length"] = str(last - first + 1)
    return _headers(response, found)


def _headers(response, found):
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = found.cache_control
    response["ETag"] = found.etag
    response["Last-Modified"] = http_date(found.mtime)
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page of the site: no scripts, no forms, its own origin.
    response["Content-Security-Policy"] = found.content_security_policy
    if not found.inline:
        response["Content-Disposition"] = "attachment"
    return response
