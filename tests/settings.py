"""Test settings: the real settings, with what a test run must not depend on."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")

from cms.settings import *  # noqa: E402,F403
from cms.settings import STORAGES  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="newsdesk-test-media-")
if STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    STORAGES = {
        **STORAGES,
        "default": {**STORAGES["default"], "OPTIONS": {"location": MEDIA_ROOT}},
    }
# The manifest needs collectstatic; tests render templates without it.
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run where they are enqueued, so the suite needs no worker; the tests in
# tests/test_workers.py run real ones.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}
STATIC_ROOT = tempfile.mkdtemp(prefix="newsdesk-test-static-")
# The test client speaks plain HTTP; tests/test_settings.py checks the HTTPS
# settings with the production variables.
SECURE_SSL_REDIRECT = False
# Client.login() calls authenticate() without a request, which django-axes
# refuses; tests/test_security.py turns it on.
AXES_ENABLED = False
