"""The admin lives in news.editorial.admin; Django's autodiscovery imports this."""

from .editorial import admin  # noqa: F401
