"""The settings read from the environment: each test loads cms/settings.py afresh."""

import secrets
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from .services import environ_without, load_settings, manage_py

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
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_LOCATION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "DJANGO_CONN_MAX_AGE",
    "DJANGO_SECURE_PROXY_SSL_HEADER",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_SECURE_HSTS_PRELOAD",
    "DJANGO_SECURE_COOKIES",
    "NEWSDESK_LOGIN_FAILURE_LIMIT",
    "NEWSDESK_LOGIN_COOLOFF_MINUTES",
    "NEWSDESK_PROXY_COUNT",
    "NEWSDESK_MAX_IMAGE_PIXELS",
    "NEWSDESK_PAGE_CACHE",
    "NEWSDESK_PAGE_CACHE_TIMEOUT",
    "NEWSDESK_PAGE_CACHE_LOCAL",
    "NEWSDESK_FEED_FULL_CONTENT",
    "NEWSDESK_FRAGMENT_CACHE",
    "NEWSDESK_HTTP_MAX_AGE",
    "NEWSDESK_HTTP_S_MAXAGE",
    "STATIC_URL",
    "DJANGO_LOG_LEVEL",
    "NEWSDESK_TASKS",
    "NEWSDESK_TASKS_REDIS_URL",
    "NEWSDESK_SITE_URL",
    "NEWSDESK_WEBHOOK_ALLOWED_NETWORKS",
    "NEWSDESK_WEBHOOK_TIMEOUT",
    "NEWSDESK_WEBHOOK_MAX_ATTEMPTS",
    "NEWSDESK_WEBHOOK_RETRY_DELAY",
    "NEWSDESK_WEBHOOK_FAILURE_LIMIT",
    "NEWSDESK_CDN_PURGER",
    "NEWSDESK_CDN_LOCATION",
    "NEWSDESK_CDN_API_URL",
    "NEWSDESK_CDN_ZONE",
    "NEWSDESK_CDN_SERVICE",
    "NEWSDESK_CDN_TOKEN",
    "NEWSDESK_CDN_SOFT",
]


def load(monkeypatch, **env):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


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
    # Kept across requests: opening one costs as much as serving a cached page.
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
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
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_REGION_NAME="eu-west-1",
        AWS_S3_CUSTOM_DOMAIN="cdn.news.example",
    )
    storage = settings.STORAGES["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert (options["access_key"], options["secret_key"]) == ("key-id", "secret")
    assert options["region_name"] == "eu-west-1"
    assert options["custom_domain"] == "cdn.news.example"
    assert options["querystring_auth"] is False
    assert options["client_config"].connect_timeout == 5
    # Images may come from the storage's origins under the CSP.
    images = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert {"http://127.0.0.1:9000", "https://cdn.news.example"} <= set(images)


def test_redis_url_selects_redis_cache(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/1")
    assert settings.CACHES["default"]["BACKEND"] == "cms.redis_cache.RedisCache"
    assert settings.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    # Rendered fragments stay in each process: a key always names the same HTML.
    fragments = settings.CACHES["fragments"]["BACKEND"]
    assert fragments == "django.core.cache.backends.locmem.LocMemCache"


def test_tasks_default_to_the_database_backend(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1")
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in settings.INSTALLED_APPS
    assert "django_rq" not in settings.INSTALLED_APPS


def test_tasks_on_rq_use_the_cache_redis_unless_given_their_own(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        NEWSDESK_TASKS="rq",
        REDIS_URL="redis://cache:6379/1,redis://replica:6379/1",
    )
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert settings.RQ_QUEUES == {"default": {"URL": "redis://cache:6379/1"}}
    assert {"django_rq", "django_tasks_rq"} <= set(settings.INSTALLED_APPS)
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        NEWSDESK_TASKS="rq",
        NEWSDESK_TASKS_REDIS_URL="redis://queue:6379/2",
    )
    assert settings.RQ_QUEUES == {"default": {"URL": "redis://queue:6379/2"}}


def test_tasks_on_rq_without_a_redis_is_a_clear_error(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="NEWSDESK_TASKS=rq needs a Redis"):
        load(monkeypatch, DJANGO_DEBUG="1", NEWSDESK_TASKS="rq")


def test_an_unknown_task_backend_is_a_clear_error(monkeypatch):
    with pytest.raises(
        ImproperlyConfigured,
        match="NEWSDESK_TASKS must be one of database, rq or immediate, not 'celery'",
    ):
        load(monkeypatch, DJANGO_DEBUG="1", NEWSDESK_TASKS="celery")


def test_sessions_stay_in_the_database_without_redis(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1")
    assert not hasattr(settings, "SESSION_ENGINE")


def test_conn_max_age_is_configurable(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://u@db.example/news",
        DJANGO_CONN_MAX_AGE="600",
    )
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 600


def test_production_defaults_are_secure(monkeypatch):
    settings = load(monkeypatch, DJANGO_SECRET_KEY="x" * 50)
    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SECURE_HSTS_SECONDS == 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert settings.SECURE_HSTS_PRELOAD is True
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert not hasattr(settings, "SECURE_PROXY_SSL_HEADER")


def test_debug_turns_https_requirements_off(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1")
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SESSION_COOKIE_SECURE is False


def test_https_settings_behind_a_tls_terminating_proxy(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_PRELOAD="0",
        NEWSDESK_PROXY_COUNT="1",
    )
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SECURE_HSTS_SECONDS == 3600
    assert settings.SECURE_HSTS_PRELOAD is False
    assert settings.AXES_IPWARE_PROXY_COUNT == 1


def test_login_throttling_is_configurable(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        NEWSDESK_LOGIN_FAILURE_LIMIT="3",
        NEWSDESK_LOGIN_COOLOFF_MINUTES="60",
    )
    assert settings.AXES_FAILURE_LIMIT == 3
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 3600


def test_bad_number_is_a_clear_error(monkeypatch):
    with pytest.raises(
        ImproperlyConfigured, match="DJANGO_SECURE_HSTS_SECONDS must be a whole number"
    ):
        load(monkeypatch, DJANGO_DEBUG="1", DJANGO_SECURE_HSTS_SECONDS="1y")


@pytest.mark.parametrize(
    "name",
    [
        "DJANGO_CONN_MAX_AGE",
        "NEWSDESK_LOGIN_FAILURE_LIMIT",
        "NEWSDESK_LOGIN_COOLOFF_MINUTES",
        "NEWSDESK_PROXY_COUNT",
        "NEWSDESK_MAX_IMAGE_PIXELS",
        "NEWSDESK_PAGE_CACHE_TIMEOUT",
        "NEWSDESK_HTTP_MAX_AGE",
        "NEWSDESK_HTTP_S_MAXAGE",
    ],
)
@pytest.mark.parametrize("value", ["ten", "1.5", "-1"])
def test_every_number_rejects_a_bad_or_negative_value_by_name(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured) as raised:
        load(monkeypatch, DJANGO_DEBUG="1", **{name: value})
    message = str(raised.value)
    assert message.startswith(f"{name} must be a whole number")
    assert repr(value) in message


def test_numbers_that_must_be_positive_refuse_zero(monkeypatch):
    for name in ["NEWSDESK_MAX_IMAGE_PIXELS", "NEWSDESK_LOGIN_FAILURE_LIMIT"]:
        with pytest.raises(
            ImproperlyConfigured, match=f"{name} must be a whole number, 1 or more"
        ):
            load(monkeypatch, DJANGO_DEBUG="1", **{name: "0"})


def test_caching_numbers_are_read_from_the_environment(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        NEWSDESK_MAX_IMAGE_PIXELS="1000",
        NEWSDESK_PAGE_CACHE_TIMEOUT="0",
        NEWSDESK_HTTP_MAX_AGE="30",
        NEWSDESK_HTTP_S_MAXAGE="",
    )
    assert settings.NEWSDESK_MAX_IMAGE_PIXELS == 1000
    assert settings.NEWSDESK_PAGE_CACHE_TIMEOUT == 0
    assert settings.NEWSDESK_HTTP_MAX_AGE == 30
    # Empty is unset.
    assert settings.NEWSDESK_HTTP_S_MAXAGE == 120


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("NEWSDESK_PAGE_CACHE", "sometimes", "a boolean"),
        ("NEWSDESK_FRAGMENT_CACHE", "2", "a boolean"),
        ("DJANGO_SECURE_COOKIES", "enabled", "a boolean"),
        ("DATABASE_URL", "mysqlx://db.example/news", "a database URL"),
        ("DATABASE_URL", "postgres://db.example:port/news", "a database URL"),
        ("REDIS_URL", "cache.internal:6379", "a URL starting redis://"),
        ("REDIS_URL", "redis://a:6379/0,redis://b:x/0", "a URL starting redis://"),
        ("AWS_S3_ENDPOINT_URL", "minio:9000", "a URL starting http://"),
        ("MEDIA_URL", "https://[::1/media/", "a URL or a path"),
        ("STATIC_URL", "https://cdn.example:abc/", "a URL or a path"),
        ("TIME_ZONE", "Mars/Olympus", "a time zone name"),
        ("DJANGO_LOG_LEVEL", "LOUD", "a level such as INFO"),
    ],
)
def test_bad_typed_value_is_a_clear_error_naming_the_variable(
    monkeypatch, name, value, expected
):
    with pytest.raises(ImproperlyConfigured) as raised:
        load(monkeypatch, DJANGO_DEBUG="1", **{name: value})
    message = str(raised.value)
    assert message.startswith(f"{name} must be {expected}")
    assert message.endswith(f"not {value!r}.")


def test_a_bad_url_is_reported_without_its_password(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as raised:
        load(monkeypatch, DJANGO_DEBUG="1", DATABASE_URL="mysqlx://u:hunter2@db/news")
    assert "'mysqlx://u:***@db/news'" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_log_level_is_case_insensitive(monkeypatch):
    settings = load(monkeypatch, DJANGO_DEBUG="1", DJANGO_LOG_LEVEL="debug")
    assert settings.LOGGING["root"]["level"] == "DEBUG"


def test_manage_py_stops_on_a_bad_value_with_the_variables_name(tmp_path):
    result = manage_py(
        {
            **environ_without("DJANGO_", "NEWSDESK_", *VARIABLES),
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_DEBUG": "1",
            "NEWSDESK_VAR_DIR": str(tmp_path),
            "NEWSDESK_HTTP_MAX_AGE": "1m",
        },
        "check",
        timeout=120,
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: NEWSDESK_HTTP_MAX_AGE must be "
        "a whole number, 0 or more, not '1m'."
    )


def manage_check_deploy(tmp_path, **env):
    """Run `manage.py check --deploy` with only ``env`` set among our variables."""
    return manage_py(
        {
            **environ_without("DJANGO_", "NEWSDESK_", *VARIABLES),
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "NEWSDESK_VAR_DIR": str(tmp_path),
            **env,
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "news.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://news.example",
    "DATABASE_URL": "postgres://newsdesk@db.internal:5432/newsdesk",
    "AWS_STORAGE_BUCKET_NAME": "newsdesk-media",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_S3_CUSTOM_DOMAIN": "media.news.example",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def test_check_deploy_passes_with_the_production_variables(tmp_path):
    result = manage_check_deploy(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_reports_debug_left_on(tmp_path):
    result = manage_check_deploy(tmp_path, **PRODUCTION, DJANGO_DEBUG="1")
    assert result.returncode == 1
    assert "security.W018" in result.stderr


def test_webhooks_go_to_public_addresses_only_and_purging_is_off_by_default(
    monkeypatch,
):
    settings = load(monkeypatch, DJANGO_DEBUG="1")
    assert settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS == []
    assert settings.NEWSDESK_CDN_PURGER == ""
    assert settings.NEWSDESK_CDN_PURGE_OPTIONS == {}
    assert settings.NEWSDESK_SITE_URL == "http://localhost:8000"


def test_webhook_and_purge_settings_are_read(monkeypatch):
    settings = load(
        monkeypatch,
        DJANGO_DEBUG="1",
        NEWSDESK_SITE_URL="https://news.example.com/",
        NEWSDESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8, ::1",
        NEWSDESK_WEBHOOK_FAILURE_LIMIT="3",
        NEWSDESK_CDN_PURGER="news.integrations.purge.FastlyPurger",
        NEWSDESK_CDN_SERVICE="svc",
        NEWSDESK_CDN_TOKEN="t",
    )
    assert settings.NEWSDESK_SITE_URL == "https://news.example.com"
    assert settings.NEWSDESK_WEBHOOK_ALLOWED_NETWORKS == ["127.0.0.0/8", "::1"]
    assert settings.NEWSDESK_WEBHOOK_FAILURE_LIMIT == 3
    assert settings.NEWSDESK_CDN_PURGE_OPTIONS == {"SERVICE": "svc", "TOKEN": "t"}


def test_a_network_that_is_none_is_a_clear_error(monkeypatch):
    with pytest.raises(
        ImproperlyConfigured,
        match="NEWSDESK_WEBHOOK_ALLOWED_NETWORKS must be networks separated by "
        "commas, such as 127.0.0.0/8,::1, not 'localhost'",
    ):
        load(
            monkeypatch, DJANGO_DEBUG="1", NEWSDESK_WEBHOOK_ALLOWED_NETWORKS="localhost"
        )
