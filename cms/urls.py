import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from news.public import media
from news.public.health import healthz
from news.public.locale import language_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("news.api.urls", namespace="api")),
    # /zh/news/x/; the default language's have no prefix unless
    # NEWSDESK_PREFIX_DEFAULT_LANGUAGE says so.
    *language_patterns("news.public.urls", "news"),
]

# Local media are served by the app, in production too, unless they are in a
# bucket or on another host (docs/deploying.md). The view refuses to serve
# anything when the storage in use is not the local one.
if settings.MEDIA_URL.startswith("/") and not settings.AWS_STORAGE_BUCKET_NAME:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.insert(
        0, re_path(rf"^{media_prefix}(?P<path>.+)\Z", media.serve, name="media")
    )

# A refusal inside the admin is an admin page saying what was refused.
handler403 = "news.editorial.admin_views.permission_denied"
