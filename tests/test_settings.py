"""The settings read from the environment: each test loads cms/settings.py afresh."""

import importlib.util
import itertools
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parent.parent / "cms" / "settings.py"
VARIABLES = [
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "MEDIA_ROOT",
    "MEDIA_URL",
    "TIME_ZONE",
    "AWS_STORAGE_BUCKET_NAME",
    "REDIS_URL",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_CUSTOM_DOMAIN",
]
counter = itertools.count()


def load(monkeypatch, **env):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(f"settings_{next(counter)}", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_secret_key_is_required_without_debug(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is not set"):
        load(monkeypatch)


def test_debug_is_off_by_default(monkeypatch):
    settings = load(monkeypatch, DJANGO_SECRET_KEY="x" * 50)
    assert settings.DEBUG is False


def test_debug_runs_without_a_secret_key(monkeypatch):
    assert load(monkeypatch, DJANGO_DEBUG="1").DEBUG is True


def test_bad_boolean_is_a_clear_error(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG must be a boolean"):
        load(monkeypatch, DJANGO_DEBUG="maybe")


def test_default_database_is_sqlite_in_var_with_wal(monkeypatch):
    db = load(monkeypatch, DJANGO_DEBUG="1").DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]).name == "db.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] == 20


def test_database_url_selects_postgresql(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://u:p@db.example:5433/news",
    )
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.example", 5433, "news")
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["CONN_MAX_AGE"] == 60


def test_hosts_media_and_time_zone(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="news.example, www.news.example",
        MEDIA_ROOT="/srv/media",
        MEDIA_URL="https://cdn.example/media/",
        TIME_ZONE="Asia/Shanghai",
    )
    assert settings.ALLOWED_HOSTS == ["news.example", "www.news.example"]
    assert str(settings.MEDIA_ROOT) == "/srv/media"
    assert (
        settings.STORAGES["default"]["OPTIONS"]["base_url"]
        == "https://cdn.example/media/"
    )
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_static_files_use_whitenoise_manifest(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1")
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings.MIDDLEWARE[1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_bucket_selects_s3_media(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    storage = settings.STORAGES["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"


def test_redis_url_selects_redis_cache(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/1")
    assert (
        settings.CACHES["default"]["BACKEND"]
        == "django.core.cache.backends.redis.RedisCache"
    )
    assert settings.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
