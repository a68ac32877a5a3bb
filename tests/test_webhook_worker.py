"""A webhook delivered by a real worker process (the database backend): the
publication queues it, the worker sends it, and the retry after a 500 waits
for its run_after before the worker makes it."""

import sqlite3
import time

import redis

from .loopback import Receiver
from .test_workers import (  # noqa: F401 (fixtures)
    environment,
    migrated,
    shell,
    site,
    start_worker,
    stop,
    wait_until,
)

PUBLISH = """
    from news.editorial import workflow
    from news.models import Post, WebhookSubscription
    from tests.factories import make_post

    WebhookSubscription.objects.create(
        url="{url}/hook", events=["post.published"], secret="s3cret"
    )
    workflow.publish(make_post(title="Worked", status=Post.Status.DRAFT), by=None)
"""


def delivery(var):
    """Return the one delivery's status, attempts and response code as the
    worker last committed them, read from the site's database file."""
    with sqlite3.connect(var / "db.sqlite3") as db:
        rows = db.execute(
            "SELECT status, attempts, response_code FROM news_webhookdelivery"
        ).fetchall()
    return [str(value) for value in rows[0]] if rows else []


def recorded(var, worker):
    """Wait until the worker has recorded the delivery's final state: the
    receiver's answer reaches it before the row does, and the worker is
    killed, not asked to finish."""
    return wait_until(lambda: delivery(var)[:1] == ["delivered"], worker)


def test_a_worker_delivers_and_retries_after_the_backoff(site):  # noqa: F811
    env = environment(
        site,
        NEWSDESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        NEWSDESK_WEBHOOK_RETRY_DELAY="2",
    )
    with Receiver(secret="s3cret") as receiver:
        receiver.statuses = [500]
        shell(env, PUBLISH.format(url=receiver.url))
        assert receiver.requests == []  # queued, not sent by the web process
        worker = start_worker(env)
        arrivals = []
        try:
            for count in (1, 2):
                assert wait_until(
                    lambda count=count: len(receiver.requests) >= count, worker
                )
                arrivals.append(time.monotonic())
            recorded(site, worker)
        finally:
            output = stop(worker)
        first, second = receiver.requests
        assert first.signature_ok and second.signature_ok, output
        assert first.body == second.body
        assert arrivals[1] - arrivals[0] >= 1.5  # waited for run_after
        assert delivery(site) == ["delivered", "2", "200"]


def test_an_rq_worker_delivers_and_retries_after_the_backoff(site, redis_url):  # noqa: F811
    # A Redis database of its own, emptied of any earlier run's jobs.
    url = redis_url.rpartition("/")[0] + "/12"
    redis.Redis.from_url(url).flushdb()
    env = environment(
        site,
        NEWSDESK_TASKS="rq",
        NEWSDESK_TASKS_REDIS_URL=url,
        NEWSDESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        NEWSDESK_WEBHOOK_RETRY_DELAY="2",
    )
    with Receiver(secret="s3cret") as receiver:
        receiver.statuses = [500]
        shell(env, PUBLISH.format(url=receiver.url))
        worker = start_worker(env)
        try:
            assert wait_until(lambda: len(receiver.requests) >= 2, worker)
            recorded(site, worker)
        finally:
            output = stop(worker)
        assert len(receiver.requests) == 2, output
        assert delivery(site) == ["delivered", "2", "200"]
