"""The shared cache: Django's Redis backend on the Redis at 127.0.0.1:6379, and
sessions cached there in front of the database."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from .factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, redis_url):
    prefix = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield prefix
    # Only this test's keys: the Redis is shared, so never FLUSHDB.
    client = cache._cache.get_client()
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_values_round_trip_through_redis(redis_cache):
    cache.set("greeting", {"text": "héllo"}, timeout=30)
    assert cache.get("greeting") == {"text": "héllo"}
    assert cache._cache.get_client().exists(cache.make_key("greeting"))


def test_admin_sessions_live_in_redis_and_the_database(
    client, django_user_model, redis_cache
):
    user = django_user_model.objects.create_superuser("editor", "e@x.example", "pw")
    client.force_login(user)
    key = client.session.session_key
    cache_key = f"django.contrib.sessions.cached_db{key}"
    assert cache.get(cache_key) is not None
    assert Session.objects.filter(session_key=key).exists()
    # A Redis restart loses the cache; the session survives in the database.
    cache.delete(cache_key)
    assert client.get("/admin/").status_code == 200


def test_pages_are_served_with_the_redis_cache(client, redis_cache):
    post = make_post(title="Cached world")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert "Cached world" in response.content.decode()


def test_one_redis_client_serves_every_operation(redis_cache):
    # Django's backend builds a client per operation; ours keeps one per pool.
    cache.set("a", 1, timeout=30)
    assert cache.get("a") == 1
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert cache.get_many(["a", "b"]) == {"a": 1}
