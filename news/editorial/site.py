"""The admin site: branded with the site's name, opening on the editor's desk."""

from django.conf import settings
from django.contrib import admin


class DeskSite(admin.AdminSite):
    def each_context(self, request):
        # Read per request, not at import: settings are never read at import time
        # in news/, and tests override the name.
        name = settings.NEWSDESK_SITE_NAME
        return {
            **super().each_context(request),
            "site_header": name,
            "site_title": name,
        }
