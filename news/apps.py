from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The receivers of the domain signals (news.signals): the only import
        # inside a function in the app, because models must be ready first.
        from .editorial import notifications
        from .public import cache, fragments

        cache.register_signal_handlers()
        fragments.register_signal_handlers()
        notifications.register_signal_handlers()


class DeskAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with news.editorial.site.DeskSite as admin.site."""

    # NewsConfig stays the app's own configuration for "news".
    default = False

    default_site = "news.editorial.site.DeskSite"
