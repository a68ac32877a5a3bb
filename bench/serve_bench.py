"""Serve the public site with gunicorn and measure it with wrk.

For each size (1k and 100k posts by default) it builds a SQLite database under
bench/out/ (kept and reused), starts gunicorn with 2 workers on 127.0.0.1, and
drives an article, the home page, a tag page, the RSS, Atom and JSON feeds
and the ceiling (a fixed 20 KB page through the same middleware) with wrk for
10 s each, in three modes: the page cache on (Redis, started here on
127.0.0.1 when redis-server exists, else the in-process cache), off, and
"cold" (the page cache and the fragment cache both off). Everything it
starts is bound to 127.0.0.1, limited in time, and stopped before it exits.

    .venv/bin/python bench/serve_bench.py            # full run, ~12 minutes
    .venv/bin/python bench/serve_bench.py --sizes 1000 --duration 3

Each page run follows a ceiling run, and a page's share of the ceiling is the
median over those pairs (the machines are shared; the load moves). Results go
to stdout as a Markdown table and to bench/out/results.json.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
URLS = {
    "ceiling": "/bench/ceiling/",
    "article": "/news/post-{middle}/",
    "home": "/",
    "tag": "/tags/tag-7/",
    "feed": "/feed/",
    "feed_atom": "/feed/atom/",
    "feed_json": "/feed/json/",
    # The content API (news/api/): a page of 20 posts, and one post with its body.
    "api list": "/api/posts/",
    "api detail": "/api/posts/en/post-{middle}/",
}
# Wall-clock cap on any one server, whatever happens to this script.
SERVER_LIFETIME = 900


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Page cache and fragment cache settings of each measured mode. "cold" renders
# everything on every request: no target, it shows what the caches save.
MODES = {
    "on": {"NEWSDESK_PAGE_CACHE": "1", "NEWSDESK_FRAGMENT_CACHE": "1"},
    "off": {"NEWSDESK_PAGE_CACHE": "0", "NEWSDESK_FRAGMENT_CACHE": "1"},
    "cold": {"NEWSDESK_PAGE_CACHE": "0", "NEWSDESK_FRAGMENT_CACHE": "0"},
}


def environment(size, *, redis_url="", mode="on"):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        NEWSDESK_VAR_DIR=str(OUT / f"posts-{size}"),
        STATIC_ROOT=str(OUT / "static"),
        REDIS_URL=redis_url,
        **MODES[mode],
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_DEBUG", None)
    return env


# -- data ------------------------------------------------------------------

BODY = """Newsdesk measures how fast readers get their pages.

## What changed

The release brings **faster pages**, a new [feed](https://example.org/) and
better search. Lists of changes:

- one item with `code`
- another item, somewhat longer, to look like real prose in a news post
- a third item

```python
def hello():
    return "world"
```

> A quote from someone who was there, saying something about the release.

The rest of the article goes on for a few paragraphs, as news posts do, with
enough words to make the page a realistic size for a reader on a phone.
"""


def load(size):
    """Fill a fresh database with ``size`` published posts (run in a child)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag

    from news.documents import markdown
    from news.models import Author, Category, Post, PostAuthor, TaggedPost

    call_command("migrate", verbosity=0)
    body_html = markdown.render(BODY)
    now = timezone.now()
    batch = 5000
    with transaction.atomic():
        authors = Author.objects.bulk_create(
            Author(name=f"Author {n}", slug=f"author-{n}") for n in range(100)
        )
        categories = Category.objects.bulk_create(
            Category(name=f"Category {n}", slug=f"category-{n}") for n in range(20)
        )
        tags = Tag.objects.bulk_create(
            Tag(name=f"tag {n}", slug=f"tag-{n}") for n in range(500)
        )
        for start in range(0, size, batch):
            numbers = range(start, min(size, start + batch))
            posts = Post.objects.bulk_create(
                Post(
                    title=f"Post {n}: a headline of a usual length for news",
                    slug=f"post-{n}",
                    summary=f"The summary of post {n}, one or two sentences long.",
                    body=BODY,
                    body_html=body_html,
                    status=Post.Status.PUBLISHED,
                    published_at=now - timezone.timedelta(minutes=n + 1),
                    category=categories[n % len(categories)],
                )
                for n in numbers
            )
            PostAuthor.objects.bulk_create(
                PostAuthor(
                    post=post,
                    author=authors[(n + k * 37) % 100],
                    position=k,
                    published_at=post.published_at,
                )
                for n, post in zip(numbers, posts, strict=True)
                for k in range(2)
            )
            TaggedPost.objects.bulk_create(
                TaggedPost(
                    content_object=post,
                    tag=tags[(n * 7 + k * 131) % 500],
                    published_at=post.published_at,
                )
                for n, post in zip(numbers, posts, strict=True)
                for k in range(3)
            )
    # Written past the services, which index posts as they change.
    call_command("rebuild_search_index", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)


def ensure_database(size):
    db = OUT / f"posts-{size}" / "db.sqlite3"
    marker = db.with_suffix(".complete")
    if marker.exists():
        return
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    print(f"loading {size:,} posts…", flush=True)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, __file__, "--load", str(size)],
        env=environment(size),
        check=True,
        timeout=1800,
    )
    marker.write_text(str(size))
    print(f"loaded {size:,} posts in {time.monotonic() - started:.0f} s", flush=True)


# -- servers ---------------------------------------------------------------


class Server:
    """A process bound to 127.0.0.1 that is killed after SERVER_LIFETIME at the
    latest (by timeout(1)), and when the bench leaves its ``with`` block."""

    def __init__(self, args, env=None, log=None):
        self.log = open(log or os.devnull, "ab")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            ["timeout", "--signal=TERM", "--kill-after=10", str(SERVER_LIFETIME)]
            + args,
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def gunicorn(port, env):
    return Server(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "cms.wsgi:application",
        ],
        env,
        log=OUT / "gunicorn.log",
    )


def redis_server(port):
    return Server(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
    )


# -- measuring -------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url, duration, connections):
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
        + ["--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    )
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    # No latency lines means no request finished inside wrk's timeout.
    median = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", text, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": rps,
        "p50_ms": float(median[1]) * _UNITS[median[2]] if median else float("nan"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure(size, mode, redis_url, args):
    """Measure every URL in one server. Each wrk run of a page follows a run
    of the ceiling, and the page's share is the median of those pairs: on a
    shared machine the load changes from minute to minute, so a page is only
    compared with the ceiling measured just before it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = environment(size, redis_url=redis_url, mode=mode)
    rows = {}
    with gunicorn(port, env):
        wait_until_up(base + "/robots.txt")
        urls = {
            name: base + path.format(middle=size // 2)
            for name, path in URLS.items()
            if name in args.urls
        }
        for url in urls.values():
            for _ in range(20):  # warm up: imports, connections, the page cache
                urllib.request.urlopen(url, timeout=10).read()  # noqa: S310
        ceilings = []
        for name, url in urls.items():
            if name == "ceiling":
                continue
            runs, shares = [], []
            for _ in range(args.repeat):
                ceiling = wrk(urls["ceiling"], args.duration, args.connections)
                run = wrk(url, args.duration, args.connections)
                ceilings.append(ceiling)
                runs.append(run)
                shares.append(run["rps"] / ceiling["rps"])
            rows[name] = summary(runs, share=statistics.median(shares))
            print(
                f"{size:>7,} posts  {mode:4}  {name:9} {rows[name]['rps']:8.0f} req/s"
                f"  {100 * rows[name]['share']:4.0f}% of ceiling"
                f"  p50 {rows[name]['p50_ms']:6.2f} ms",
                flush=True,
            )
        rows = {"ceiling": summary(ceilings, share=1.0), **rows}
    return rows


def summary(runs, share):
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "share": share,
    }


def report(results, sizes, modes):
    lines = [
        "| posts | mode | URL | req/s | % of ceiling | p50 ms | p50 vs 1k |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    smallest = str(min(sizes))
    for size in map(str, sizes):
        for mode in modes:
            rows = results[size][mode]
            for name, row in rows.items():
                base = results[smallest][mode][name]["p50_ms"]
                lines.append(
                    f"| {int(size):,} | {mode} | {name} | {row['rps']:.0f} | "
                    f"{100 * row['share']:.0f}% | {row['p50_ms']:.2f} | "
                    f"{row['p50_ms'] / base:.2f}× |"
                )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--repeat", type=int, default=1, help="wrk runs per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument(
        "--urls",
        nargs="+",
        choices=list(URLS),
        default=list(URLS),
        help="the URLs to measure (the ceiling always is)",
    )
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.urls = ["ceiling", *(name for name in args.urls if name != "ceiling")]
    if args.load:
        load(args.load)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        ensure_database(size)
    results = {}
    redis_port = free_port()
    has_redis = shutil.which("redis-server") is not None
    redis_url = f"redis://127.0.0.1:{redis_port}/0" if has_redis else ""
    with redis_server(redis_port) if has_redis else contextlib.nullcontext():
        for size in args.sizes:
            results[str(size)] = {
                mode: measure(size, mode, redis_url, args) for mode in args.modes
            }
    table = report(results, args.sizes, args.modes)
    meta = {
        "cache": "redis" if has_redis else "locmem",
        "duration_s": args.duration,
        "repeat": args.repeat,
        "connections": args.connections,
        "cpus": os.cpu_count(),
    }
    (OUT / "results.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2)
    )
    print()
    print(table)


if __name__ == "__main__":
    main()
