"""The public site's freshness answers, kept in the process on SQLite while
nothing was committed (news.models.queries._kept): never an answer the
database no longer gives, whoever changed it, and never past the time the
site changes by itself."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Post, queries

from .factories import make_post

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="answers are kept on SQLite only"
    ),
]


def elsewhere(change):
    """Run ``change`` on another thread: another connection, which commits."""
    failed = []

    def run():
        try:
            change()
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not failed, failed


def asked_anew():
    # Inside a transaction nothing kept is used.
    with transaction.atomic():
        return queries.freshness()


def test_an_unchanged_database_is_not_asked_again():
    post = make_post(title="Kept")
    first = queries.published_id_and_freshness(post.slug)
    with CaptureQueriesContext(connection) as asked:
        again = queries.published_id_and_freshness(post.slug)
        fresh = queries.freshness()
        fresh_again = queries.freshness()
    assert again == first and first[0] == post.pk
    assert fresh == fresh_again
    assert len(asked) == 1  # freshness(), once


def test_a_post_taken_down_by_another_connection_is_gone_at_once():
    post = make_post(title="Taken down")
    assert queries.published_id_and_freshness(post.slug)[0] == post.pk
    elsewhere(lambda: Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT))
    assert queries.published_id_and_freshness(post.slug)[0] is None
    assert queries.freshness() == asked_anew()


def test_this_connections_own_commit_is_seen(client):
    post = make_post(title="Own", status=Post.Status.DRAFT)
    assert client.get(post.get_absolute_url()).status_code == 404
    queries.freshness()
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=1),
        updated_at=timezone.now(),
    )
    assert queries.published_id_and_freshness(post.slug)[0] == post.pk
    assert queries.freshness() == asked_anew()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_the_page_of_a_post_unpublished_elsewhere_answers_404(client):
    post = make_post(title="Unpublished elsewhere")
    url = post.get_absolute_url()
    assert client.get(url).status_code == 200
    elsewhere(lambda: Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT))
    assert client.get(url).status_code == 404


def test_a_scheduled_post_comes_out_when_its_time_comes(monkeypatch):
    now = timezone.now()
    post = make_post(title="Scheduled", published_at=now + timedelta(minutes=5))
    assert queries.published_id_and_freshness(post.slug) == (
        None,
        queries.freshness(),
    )
    assert queries.freshness()[1] == post.published_at
    later = now + timedelta(minutes=6)
    monkeypatch.setattr(queries.timezone, "now", lambda: later)
    assert queries.published_id_and_freshness(post.slug)[0] == post.pk
    assert queries.freshness()[0] == post.published_at


def test_an_expiring_post_goes_when_its_time_comes(monkeypatch):
    now = timezone.now()
    post = make_post(title="Expiring", expires_at=now + timedelta(minutes=5))
    assert queries.published_id_and_freshness(post.slug)[0] == post.pk
    later = now + timedelta(minutes=6)
    monkeypatch.setattr(queries.timezone, "now", lambda: later)
    assert queries.published_id_and_freshness(post.slug)[0] is None


def test_nothing_is_kept_inside_a_transaction():
    post = make_post(title="In a transaction")
    with transaction.atomic():
        queries.freshness()
        with CaptureQueriesContext(connection) as asked:
            queries.freshness()
            queries.published_id_and_freshness(post.slug)
        assert len(asked) == 2
        Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
        assert queries.published_id_and_freshness(post.slug)[0] is None
        transaction.set_rollback(True)
    assert queries.published_id_and_freshness(post.slug)[0] == post.pk
