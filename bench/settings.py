"""Settings for bench/serve_bench.py: the production settings, plus the ceiling
view's URLconf. The database, cache and page-cache switch come from the
environment the bench sets (NEWSDESK_VAR_DIR, REDIS_URL, NEWSDESK_PAGE_CACHE)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")

from cms.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# Plain HTTP on 127.0.0.1: production terminates TLS in front of the app.
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
