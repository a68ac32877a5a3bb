"""/healthz, as a load balancer sees it."""

import pytest
from django.db import OperationalError, connection

from .services import free_port

pytestmark = pytest.mark.django_db

ALL_OK = {
    "status": "ok",
    "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
}


def test_healthy_server_answers_200_with_every_check(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK


def test_health_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_health_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def assert_reveals_nothing(response, *secrets):
    body = response.content.decode()
    for secret in ["127.0.0.1", "Error", "Traceback", *secrets]:
        assert secret not in body


def test_cache_down_is_a_503_naming_only_the_check(client, settings):
    port = free_port()  # nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.redis_cache.RedisCache",
            "LOCATION": f"redis://:hunter2@127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "fail",
        "storage": "ok",
    }
    assert_reveals_nothing(response, str(port), "hunter2")


def test_storage_down_is_a_503(client, settings):
    port = free_port()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "media",
                "endpoint_url": f"http://127.0.0.1:{port}",
                "access_key": "key-id",
                "secret_key": "s3cr3t",
                "region_name": "us-east-1",
            },
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "fail"
    assert response.json()["status"] == "fail"
    assert_reveals_nothing(response, str(port), "s3cr3t")


def test_a_missing_media_root_is_a_503(client, settings, tmp_path):
    missing = tmp_path / "not-mounted" / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": missing}},
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "fail"
    assert_reveals_nothing(response, str(missing))
    assert not missing.exists()


def test_a_media_root_that_is_a_file_is_a_503(client, settings, tmp_path):
    (tmp_path / "media-file").write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"location": tmp_path / "media-file"},
        },
    }
    assert client.get("/healthz").json()["checks"]["storage"] == "fail"


def test_database_down_is_a_503(client, monkeypatch):
    def refuse():
        raise OperationalError('connection to server at "db.internal" failed')

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "fail"
    assert_reveals_nothing(response, "db.internal")


def test_health_against_the_shared_services(client, settings, redis_url, s3_storage):
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "newsdesk-tests",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
