"""The admin site: branded with the site's name, opening on the editor's desk."""

from django.conf import settings
from django.contrib import admin

from . import desk


class DeskSite(admin.AdminSite):
    index_template = "admin/desk.html"
    # The models' sidebar took a quarter of a 1280 px screen from every list;
    # the desk lists them on the home page.
    enable_nav_sidebar = False

    def each_context(self, request):
        # Read per request, not at import: settings are never read at import time
        # in news/, and tests override the name.
        name = settings.NEWSDESK_SITE_NAME
        return {
            **super().each_context(request),
            "site_header": name,
            "site_title": name,
        }

    def index(self, request, extra_context=None):
        """Open on the desk: what this person has to do next, above the models."""
        context = {**(extra_context or {}), "desk": desk.desk(request.user)}
        return super().index(request, context)
