"""Webhook deliveries beside raw HTTP POSTs to the same receiver.

A receiver (http.server in a thread on 127.0.0.1) answers 200. In one process,
each round times, side by side:

- the **floor**: N plain ``http.client`` POSTs of a body of the same size, a
  new connection each, as deliveries make them;
- N **deliveries**: ``webhooks.queue()`` of ``post.published`` for N published
  posts to one subscription, with the immediate task backend, so each is the
  whole of a worker's task: the delivery row, reading the post and its tags,
  category and authors, the JSON, the signature, the guarded request, and the
  recorded answer;
- N **receivers with no subscription**: what each publication costs the
  publishing side when nobody subscribed (one query).

Prints the median rate of each over --repeat rounds, and the deliveries' share
of the floor. A temporary SQLite database; nothing is kept.

    .venv/bin/python bench/webhook_bench.py [--posts 200] [--repeat 5]
"""

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def setup(var):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        NEWSDESK_VAR_DIR=str(var),
        NEWSDESK_TASKS="immediate",
        NEWSDESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        NEWSDESK_SITE_URL="https://news.example.com",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_posts(count):
    from django.utils import timezone

    from news.models import Author, Category, Post, PostAuthor

    category = Category.objects.create(name="News", slug="news")
    author = Author.objects.create(name="Ann Lee", slug="ann-lee")
    posts = Post.objects.bulk_create(
        Post(
            title=f"Post {n}",
            slug=f"post-{n}",
            summary="A summary of the post.",
            body="Text.",
            body_html="<p>" + "Some text of the article. " * 40 + "</p>",
            status=Post.Status.PUBLISHED,
            published_at=timezone.now(),
            category=category,
        )
        for n in range(count)
    )
    PostAuthor.objects.bulk_create(PostAuthor(post=p, author=author) for p in posts)
    for post in posts:
        post.tags.add("politics", "economy")
    return [post.pk for post in posts]


def floor(port, count, size):
    body = b"x" * size
    started = time.perf_counter()
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/hook", body=body, headers={"X-A": "b"})
        connection.getresponse().read()
        connection.close()
    return count / (time.perf_counter() - started)


def deliveries(url, pks):
    from news.integrations import webhooks
    from news.models import WebhookDelivery, WebhookSubscription

    WebhookSubscription.objects.all().delete()
    WebhookSubscription.objects.create(url=url, events=["post.published"])
    started = time.perf_counter()
    for pk in pks:
        webhooks.queue("post.published", pk)
    rate = len(pks) / (time.perf_counter() - started)
    delivered = WebhookDelivery.objects.filter(status="delivered").count()
    assert delivered == len(pks), delivered
    size = len(WebhookDelivery.objects.first().body)
    WebhookDelivery.objects.all().delete()
    return rate, size


def unsubscribed(pks):
    from news.integrations import webhooks
    from news.models import WebhookSubscription

    WebhookSubscription.objects.all().delete()
    started = time.perf_counter()
    for pk in pks:
        webhooks.queue("post.published", pk)
    return len(pks) / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        setup(Path(var))
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        pks = make_posts(args.posts)
        rates: dict[str, list[float]] = {"floor": [], "deliveries": [], "none": []}
        size = 0
        for _ in range(args.repeat):
            rate, size = deliveries(f"http://127.0.0.1:{port}/hook", pks)
            rates["deliveries"].append(rate)
            rates["floor"].append(floor(port, args.posts, size))
            rates["none"].append(unsubscribed(pks))
        server.shutdown()
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"{args.posts} posts, {args.repeat} rounds, body {size} bytes; medians:")
    print(f"  floor (raw POSTs)        {median['floor']:8.0f} /s")
    print(f"  deliveries               {median['deliveries']:8.0f} /s")
    print(f"  share of the floor       {median['deliveries'] / median['floor']:8.0%}")
    print(f"  no subscription (queue)  {median['none']:8.0f} /s")


if __name__ == "__main__":
    main()
