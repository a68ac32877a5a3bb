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
        from .integrations import purge, webhooks
        from .public import cache, fragments, search

        cache.register_signal_handlers()
        fragments.register_signal_handlers()
        search.register_signal_handlers()
        notifications.register_signal_handlers()
        webhooks.register_signal_handlers()
        purge.register_signal_handlers()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that every admin page goes through."""

    default = False  # news' own config is NewsConfig

    default_site = "news.editorial.site.AdminSite"
