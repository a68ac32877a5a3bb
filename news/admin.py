"""The admin lives in news.editorial.admin and news.integrations.admin; Django's
autodiscovery imports this."""

from .editorial import admin  # noqa: F401
from .integrations import admin as integrations_admin  # noqa: F401
