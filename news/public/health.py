"""``/healthz``: whether this app server can reach what it needs, for a load balancer.

Each check is one cheap round trip. The answer says which check failed and
nothing else: no host names, no exception texts (those go to the log).
"""

import logging
import os

from botocore.exceptions import BotoCoreError, ClientError
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_KEY = "newsdesk:healthz"
# A name that is never stored: asking for it is a cheap read of the storage.
STORAGE_PROBE = "healthz"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache():
    cache.set(CACHE_KEY, "ok", timeout=30)
    return cache.get(CACHE_KEY) == "ok"


def check_storage():
    if isinstance(default_storage, FileSystemStorage):
        # The local storage would create a missing root on the first upload,
        # e.g. on the disk under a volume that is not mounted: say so now.
        root = default_storage.location
        if not os.path.isdir(root) or not os.access(root, os.W_OK | os.X_OK):
            logger.warning("MEDIA_ROOT %s is not a writable directory", root)
            return False
        return True
    default_storage.exists(STORAGE_PROBE)
    return True


# Each check catches only the failures of its own service (the database's, the
# Redis client's, the file system's and botocore's error families): a bug in
# this module should still surface as a 500 in tests, not as "fail".
CHECKS = {
    "database": (check_database, (DatabaseError,)),
    "cache": (check_cache, (RedisError, OSError)),
    "storage": (check_storage, (OSError, BotoCoreError, ClientError)),
}


def run_checks():
    """Return ``{name: "ok" or "fail"}`` for every check, logging each failure."""
    results = {}
    for name, (check, errors) in CHECKS.items():
        try:
            ok = check()
        except errors:
            logger.warning("health check %s failed", name, exc_info=True)
            ok = False
        results[name] = "ok" if ok else "fail"
    return results


@never_cache
def healthz(request):
    results = run_checks()
    ok = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": results},
        status=200 if ok else 503,
    )
