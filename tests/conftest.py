import os
from pathlib import Path

import pytest
from django.core.cache import caches

# Fixtures for the S3 server, Redis, PostgreSQL and the browser.
pytest_plugins = ["tests.services", "tests.browser"]


# A task backend that only keeps what is queued, as a queue no worker reads.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _find_corpus():
    """Return the openEuler corpus: $NEWSDESK_CORPUS, else ../shared/corpus beside
    the checkout, else the workplace's shared folder."""
    if os.environ.get("NEWSDESK_CORPUS"):
        return Path(os.environ["NEWSDESK_CORPUS"])
    beside = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    for root in (beside, Path("/work/shared/corpus")):
        if (root / "openeuler").is_dir():
            return root / "openeuler"
    return beside / "openeuler"


CORPUS = _find_corpus()
# Two more real sites, of other generators, beside it (the corpus README, section 9).
JEKYLL_CORPUS = CORPUS.parent / "jekyll"
NODEJS_CORPUS = CORPUS.parent / "nodejs"


def require_service(name, available, reason):
    """Skip when a service is absent, except in CI, where every test must run."""
    if available:
        return
    if os.environ.get("NEWSDESK_REQUIRE_SERVICES"):
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} is not available: {reason}")


@pytest.fixture
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"the openEuler corpus is not at {CORPUS}")
    return CORPUS


# Session-scoped, so that a module's one import of a whole corpus can use them.
@pytest.fixture(scope="session")
def jekyll_corpus():
    if not JEKYLL_CORPUS.is_dir():
        pytest.skip(f"the Jekyll corpus is not at {JEKYLL_CORPUS}")
    return JEKYLL_CORPUS


@pytest.fixture(scope="session")
def nodejs_corpus():
    if not NODEJS_CORPUS.is_dir():
        pytest.skip(f"the Node.js corpus is not at {NODEJS_CORPUS}")
    return NODEJS_CORPUS


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Give every test its own empty media directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    default = settings.STORAGES["default"]
    if default["BACKEND"].endswith("FileSystemStorage"):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **default,
                "OPTIONS": {"location": root, "base_url": "/media/"},
            },
        }
    return root


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: pages and fragments of an earlier
    test's rolled-back rows must not be found by this one's."""
    for cache in caches.all():
        cache.clear()
    # Every test's database starts with no site settings row: its theme is the
    # fallback, as the first page would read it. Kept, so that the query pins
    # count what every later page costs (tests/test_theme.py counts the read).
    from news.public import theme

    caches["default"].set(theme.KEY, theme.fallback(), None)
    yield
    for cache in caches.all():
        cache.clear()
