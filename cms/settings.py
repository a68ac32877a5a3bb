"""Newsdesk settings: one module, configured from environment variables.

Every variable is listed in docs/settings.md. Defaults give a working
single-machine site: SQLite in ``var/``, media on local disk, an in-process cache.
"""

import ipaddress
import logging
import os
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWSDESK_VAR_DIR") or BASE_DIR / "var")


def env(name, default, parse, expected):
    """Return the variable ``name`` converted by ``parse``, or ``default`` if unset.

    An empty value counts as unset. ``parse`` raises ValueError for a value it
    cannot take, which becomes an ImproperlyConfigured naming the variable, what
    it must be, and the value (less any password in a URL), instead of a
    traceback from deep inside Django.
    """
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return parse(value)
    except ValueError:
        shown = re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", value)
        raise ImproperlyConfigured(
            f"{name} must be {expected}, not {shown!r}."
        ) from None


def env_bool(name, default=False):
    def parse(value):
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(value)

    return env(name, default, parse, "a boolean (1/0, true/false)")


def env_int(name, default, *, minimum=0):
    """Read a whole number; none of ours makes sense below ``minimum``."""

    def parse(value):
        number = int(value)
        if number < minimum:
            raise ValueError(value)
        return number

    return env(name, default, parse, f"a whole number, {minimum} or more")


def parse_url(value, schemes=None):
    """Return ``value`` if it is a URL with one of ``schemes`` or, with none
    given, any URL or path; raise ValueError if not."""
    parts = urlsplit(value)  # ValueError for a malformed IPv6 host
    parts.port  # noqa: B018 (ValueError for a port that is not a number)
    if schemes and (parts.scheme not in schemes or not parts.netloc + parts.path):
        raise ValueError(value)
    return value


def redis_location(value):
    # Django's Redis backend takes several servers, the first the primary.
    for server in re.split("[;,]", value):
        parse_url(server.strip(), ["redis", "rediss", "unix"])
    return value


def env_url(name, default, schemes=None):
    if schemes:
        expected = f"a URL starting {' or '.join(s + '://' for s in schemes)}"
    else:
        expected = "a URL or a path"
    return env(name, default, lambda value: parse_url(value, schemes), expected)


def time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except zoneinfo.ZoneInfoNotFoundError:
        raise ValueError(value) from None
    return value


def log_level(value):
    if value.upper() not in logging.getLevelNamesMapping():
        raise ValueError(value)
    return value.upper()


def origin_of(url):
    """Return ``scheme://host[:port]`` of an absolute URL, or "" for a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, or set "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS. Off debug, every default passes `manage.py check --deploy`; each can be
# turned down for a setup that handles it elsewhere (docs/deploying.md).
# Behind a TLS-terminating proxy, name the header it sets (X-Forwarded-Proto) so
# that Django knows which requests came in over HTTPS.
PROXY_SSL_HEADER = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe app servers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG
)
SESSION_COOKIE_HTTPONLY = True
# Nothing here reads the CSRF cookie from JavaScript; the admin sends the token
# from its forms.
CSRF_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    # django.contrib.admin, on news.editorial.site.AdminSite.
    "news.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "news",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that looks the path or the query string up.
    "news.public.middleware.RefuseNulMiddleware",
    # Above the page cache, so that kept pages are compressed too; it leaves
    # anything with a CSRF token or a session alone (BREACH).
    "news.public.middleware.CompressionMiddleware",
    # Outside the page cache, so that cached pages are named too.
    "news.public.middleware.SurrogateKeyMiddleware",
    # The language comes from the URL (the admin's from the browser), and the
    # page cache resolves the URL under it (news/public/locale.py).
    "news.public.locale.LanguageMiddleware",
    # Before sessions and authentication, so that a cached page costs none of
    # their work (news/public/cache.py).
    "news.public.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "news.public.middleware.PostAliasMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it turns a lockout raised anywhere above into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "news.public.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another server.
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 60)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": env(
            "DATABASE_URL",
            None,
            lambda value: dj_database_url.parse(
                value, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            ),
            "a database URL such as postgres://user@host/name",
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # Opening a connection and running the PRAGMAs below costs about
            # as much as serving a cached page, so keep it across requests.
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer beside many readers: WAL lets reads proceed during a write,
    # IMMEDIATE takes the write lock up front so transactions queue on the busy
    # timeout instead of failing with "database is locked" on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]


def languages(value):
    """Read NEWSDESK_LANGUAGES: language codes as Django spells them (``en``,
    ``zh-hans``), the first the site's default."""
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    if not codes or any(
        not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", c) for c in codes
    ):
        raise ValueError(value)
    return [(code, LANG_INFO.get(code, {}).get("name_local", code)) for code in codes]


# The languages posts are written in, and the public site's interface with them.
# One language (the default) is a site with no language in its URLs.
LANGUAGES = env(
    "NEWSDESK_LANGUAGES",
    [("en", "English")],
    languages,
    "language codes separated by commas, the default first (en,zh-hans)",
)
LANGUAGE_CODE = LANGUAGES[0][0]
# Whether the default language's URLs start with its code too (/en/news/x/);
# the other languages' always do (/zh/news/x/).
NEWSDESK_PREFIX_DEFAULT_LANGUAGE = env_bool(
    "NEWSDESK_PREFIX_DEFAULT_LANGUAGE", default=False
)
# The public templates' interface strings (English, Simplified Chinese).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC", time_zone, "a time zone name such as Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = env_url("STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise knows no .xsl; browsers apply a feed's XSLT stylesheet only when
# it comes with an XSLT or XML type.
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}

MEDIA_URL = env_url("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Media go to local disk, or to S3-compatible object storage when a bucket is
# named. The variable names are django-storages' own.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = env_url("AWS_S3_ENDPOINT_URL", None, ["http", "https"])
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotocoreConfig

    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Public URLs: the bucket (or the CDN in front of it) serves media.
            "querystring_auth": False,
            "file_overwrite": False,
            # Names are content hashes, so a stored file never changes.
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
            },
            # Fail fast when the storage is down (imports, /healthz) instead of
            # hanging a worker on botocore's defaults (60 s, more retries).
            "client_config": BotocoreConfig(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "news.media.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# One cache shared by every app server when REDIS_URL is set; otherwise each
# process has its own.
REDIS_URL = env(
    "REDIS_URL", "", redis_location, "a URL starting redis://, rediss:// or unix://"
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cms.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are read on every admin request: from Redis, written through to
    # the database so that a Redis restart logs nobody out. A per-process cache
    # would serve a session another server has already ended, so only here.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments (news/public/fragments.py) in each process's memory, whatever the
# default cache: a key always names the same HTML, so nothing needs sharing,
# and reading them here costs no round trip. About 1 KB per card, 5-20 KB per
# article.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "newsdesk-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# The admin is the only place to sign in: a login whose next= is refused (off
# site) or empty lands on its index, not on Django's /accounts/profile/.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Admin logins: django-axes refuses a username from an address after this many
# failures, for the cool-off time, in the database so every app server agrees.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("NEWSDESK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NEWSDESK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Not a banner on every manage.py command; failures are still logged.
AXES_VERBOSE = False
# Behind N proxies the client's address is the Nth from the right of
# X-Forwarded-For; REMOTE_ADDR would be the load balancer's for everyone.
PROXY_COUNT = env_int("NEWSDESK_PROXY_COUNT", 0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Content-Security-Policy (django-csp): scripts and styles only from this site,
# which the admin needs too. Images may also come from the media storage and,
# for remote images in imported posts, any HTTPS origin.
MEDIA_ORIGINS = [
    origin
    for origin in [
        origin_of(MEDIA_URL),
        origin_of(AWS_S3_ENDPOINT_URL or ""),
        f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}"
        if os.environ.get("AWS_S3_CUSTOM_DOMAIN")
        else "",
    ]
    if origin
]
# The hash of the <style> in static/news/feed.xsl (tests/test_feeds.py checks it).
FEED_STYLE_HASH = "'sha256-PBKX1FC6XbrP9QPtITgTbnXW4YzYlhQvux6MQTPug7E='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The admin's change list inlines one <style> when a list has no action
        # bar (actions_on_top and actions_on_bottom off).
        # The feeds' page in a browser (static/news/feed.xsl) has one style element.
        "style-src": [
            SELF,
            "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='",
            FEED_STYLE_HASH,
        ],
        "img-src": [SELF, "https:", *MEDIA_ORIGINS],
        "media-src": [SELF, "https:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsdesk@localhost")
# Where the file-based email backend writes its messages.
EMAIL_FILE_PATH = Path(os.environ.get("DJANGO_EMAIL_FILE_PATH", VAR_DIR / "mail"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env(
            "DJANGO_LOG_LEVEL", "INFO", log_level, "a level such as INFO or DEBUG"
        ),
    },
}

# Newsdesk's own settings.
NEWSDESK_SITE_NAME = os.environ.get("NEWSDESK_SITE_NAME", "Newsdesk")
# A sentence or two about the site for the footer of every public page.
NEWSDESK_SITE_ABOUT = os.environ.get("NEWSDESK_SITE_ABOUT", "")
# Pre-publish checks (news.editorial.checks) that refuse submit and publish;
# the others only warn. Names: alt_text, summary, banner, title_length,
# internal_links, missing_images.
NEWSDESK_PREPUBLISH_ERRORS = [
    name.strip()
    for name in os.environ.get(
        "NEWSDESK_PREPUBLISH_ERRORS", "alt_text,internal_links,missing_images"
    ).split(",")
    if name.strip()
]
# Search results cut titles after about this many characters.
NEWSDESK_TITLE_MAX_LENGTH = env_int("NEWSDESK_TITLE_MAX_LENGTH", 60, minimum=10)

# Fonts for the social cards of posts without a picture (news/media/social.py),
# the first that exists wins: a CJK font first (Debian's fonts-wqy-microhei or
# fonts-noto-cjk), so that Chinese titles draw; NEWSDESK_SOCIAL_FONT before all.
NEWSDESK_SOCIAL_FONTS = [
    path
    for path in [
        os.environ.get("NEWSDESK_SOCIAL_FONT", ""),
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ]
    if path
]
# Articles of at least this many words (a CJK character counts as one), with
# two sections or more, open with a table of contents.
NEWSDESK_TOC_MIN_WORDS = env_int("NEWSDESK_TOC_MIN_WORDS", 600, minimum=0)
# Images: formats accepted (Pillow opens the bitmaps, news.media.svg checks SVG),
# and a cap on decoded pixels (decompression bombs).
NEWSDESK_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "SVG")
NEWSDESK_MAX_IMAGE_PIXELS = env_int("NEWSDESK_MAX_IMAGE_PIXELS", 40_000_000, minimum=1)

TAGGIT_CASE_INSENSITIVE = True

# The public site's caching (news/public/cache.py). The page cache keys pages by a
# version kept in the cache, so it is on by default only with a cache that all
# processes share (Redis); the in-process default would let one process serve a
# page another has invalidated.
NEWSDESK_PAGE_CACHE = env_bool("NEWSDESK_PAGE_CACHE", default=bool(REDIS_URL))
NEWSDESK_PAGE_CACHE_TIMEOUT = env_int("NEWSDESK_PAGE_CACHE_TIMEOUT", 600)
# Each process also keeps the pages it served last in memory, checked by the
# site's freshness instead of a round trip to the cache (news/public/cache.py).
# On by default with SQLite, where that check is an in-process index lookup;
# on a database server it would be a query per hit.
NEWSDESK_PAGE_CACHE_LOCAL = env_bool(
    "NEWSDESK_PAGE_CACHE_LOCAL",
    default=DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
)
# Post cards and article parts rendered once per version of the site
# (news/public/fragments.py), kept in the "fragments" cache.
NEWSDESK_FRAGMENT_CACHE = env_bool("NEWSDESK_FRAGMENT_CACHE", default=True)
# Feeds carry the whole article (absolute URLs) beside the summary, not only
# the summary (news/public/feeds.py).
NEWSDESK_FEED_FULL_CONTENT = env_bool("NEWSDESK_FEED_FULL_CONTENT", default=False)
# Cache-Control for browsers (max-age) and shared caches such as a CDN (s-maxage).
NEWSDESK_HTTP_MAX_AGE = env_int("NEWSDESK_HTTP_MAX_AGE", 60)
NEWSDESK_HTTP_S_MAXAGE = env_int("NEWSDESK_HTTP_S_MAXAGE", 120)

# Background tasks: the Tasks API of Django 6 through its backport,
# django-tasks. "database" keeps the queue in the site's own database and needs
# nothing else (a worker: `manage.py run_worker`); "rq" puts it on Redis for
# many workers; "immediate" runs each task in the process that enqueues it, as
# before there were workers.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def task_backend(value):
    if value not in TASK_BACKENDS:
        raise ValueError(value)
    return value


NEWSDESK_TASKS = env(
    "NEWSDESK_TASKS", "database", task_backend, "one of database, rq or immediate"
)
TASKS = {"default": {"BACKEND": TASK_BACKENDS[NEWSDESK_TASKS]}}
# The Redis that RQ keeps its queue in: its own variable, else the cache's.
NEWSDESK_TASKS_REDIS_URL = env_url(
    "NEWSDESK_TASKS_REDIS_URL",
    re.split("[;,]", REDIS_URL)[0].strip(),
    ["redis", "rediss", "unix"],
)
if NEWSDESK_TASKS == "rq":
    if not NEWSDESK_TASKS_REDIS_URL:
        raise ImproperlyConfigured(
            "NEWSDESK_TASKS=rq needs a Redis: set NEWSDESK_TASKS_REDIS_URL or "
            "REDIS_URL."
        )
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": NEWSDESK_TASKS_REDIS_URL}}

# Webhooks and CDN purges (news/integrations, docs/integrations.md).
# The site's own address, for the absolute URLs that webhooks and purges carry.
NEWSDESK_SITE_URL = env_url(
    "NEWSDESK_SITE_URL", "http://localhost:8000", ["http", "https"]
).rstrip("/")


def networks(value):
    """Read a comma-separated list of networks (``127.0.0.0/8,::1``)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        ipaddress.ip_network(item, strict=False)  # ValueError if not one
    return items


# Deliveries go only to public addresses, unless their network is listed here.
NEWSDESK_WEBHOOK_ALLOWED_NETWORKS = env(
    "NEWSDESK_WEBHOOK_ALLOWED_NETWORKS",
    [],
    networks,
    "networks separated by commas, such as 127.0.0.0/8,::1",
)
NEWSDESK_WEBHOOK_TIMEOUT = env_int("NEWSDESK_WEBHOOK_TIMEOUT", 10, minimum=1)
# Attempts of each delivery; the waits between them double from the first.
NEWSDESK_WEBHOOK_MAX_ATTEMPTS = env_int("NEWSDESK_WEBHOOK_MAX_ATTEMPTS", 5, minimum=1)
NEWSDESK_WEBHOOK_RETRY_DELAY = env_int("NEWSDESK_WEBHOOK_RETRY_DELAY", 60, minimum=1)
# Deliveries failed in a row (each after all its attempts) that turn one off.
NEWSDESK_WEBHOOK_FAILURE_LIMIT = env_int("NEWSDESK_WEBHOOK_FAILURE_LIMIT", 5, minimum=1)
# The CDN purger: a dotted path to a class of news.integrations.purge, or
# empty (the default) for none. Its options come from the variables below.
NEWSDESK_CDN_PURGER = os.environ.get("NEWSDESK_CDN_PURGER", "")
# How many pages of each list a purge by URL reaches (?page=2 and on): later
# pages wait out s-maxage. Purges by surrogate key (Fastly) reach them all.
NEWSDESK_CDN_PURGE_LIST_PAGES = env_int("NEWSDESK_CDN_PURGE_LIST_PAGES", 5, minimum=1)
# Attempts of each purge; the waits between them double from the first.
NEWSDESK_CDN_PURGE_MAX_ATTEMPTS = env_int(
    "NEWSDESK_CDN_PURGE_MAX_ATTEMPTS", 5, minimum=1
)
NEWSDESK_CDN_PURGE_RETRY_DELAY = env_int(
    "NEWSDESK_CDN_PURGE_RETRY_DELAY", 30, minimum=1
)
NEWSDESK_CDN_PURGE_OPTIONS = {
    option: os.environ[f"NEWSDESK_CDN_{option}"]
    for option in ("LOCATION", "API_URL", "ZONE", "SERVICE", "TOKEN", "SOFT")
    if os.environ.get(f"NEWSDESK_CDN_{option}")
}
