"""Compare two checkouts' CPU time per public request, in process.

On a busy machine wrk's req/s move with everyone else's load; the CPU time a
process spends on one request moves much less. For each checkout (a directory
holding the project, with the database and static files serve_bench.py
left under ``bench/out/``) a child process serves the URLs through Django's
test client, page cache off and fragments on (serve_bench's "off" mode), and
reports the median ``time.process_time()`` per request (``--page-cache``:
with the page cache on, in the process's memory, so that nearly every request
is a hit). Checkouts take turns,
``--rounds`` times, so both see the same machine.

    .venv/bin/python bench/request_cpu.py BEFORE_DIR AFTER_DIR --size 1000
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

URLS = ["/news/post-{middle}/", "/", "/tags/tag-7/", "/feed/"]

CHILD = """
import json, statistics, sys, time
import django
django.setup()
from django.test import Client
urls, requests = json.loads(sys.argv[1]), int(sys.argv[2])
client = Client(HTTP_HOST="127.0.0.1")
result = {}
for url in urls:
    for _ in range(20):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        start = time.process_time()
        client.get(url)
        times.append(time.process_time() - start)
    result[url] = statistics.median(times) * 1000
print(json.dumps(result))
"""


def measure(tree, size, requests, page_cache):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        NEWSDESK_VAR_DIR=os.path.join(tree, "bench", "out", f"posts-{size}"),
        STATIC_ROOT=os.path.join(tree, "bench", "out", "static"),
        NEWSDESK_PAGE_CACHE="1" if page_cache else "0",
        NEWSDESK_FRAGMENT_CACHE="1",
        REDIS_URL="",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=tree,
    )
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_DEBUG", None)
    urls = [url.format(middle=size // 2) for url in URLS]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(urls), str(requests)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode:
        raise SystemExit(f"{tree}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="serve from the page cache (in-process memory): the hits' cost",
    )
    args = parser.parse_args()
    runs = {"before": [], "after": []}
    for _ in range(args.rounds):
        for name in runs:
            tree = getattr(args, name)
            runs[name].append(measure(tree, args.size, args.requests, args.page_cache))
    print("| URL | before ms | after ms | after / before |")
    print("|---|---:|---:|---:|")
    for url in runs["before"][0]:
        before = statistics.median(run[url] for run in runs["before"])
        after = statistics.median(run[url] for run in runs["after"])
        print(f"| `{url}` | {before:.2f} | {after:.2f} | {after / before:.2f}× |")


if __name__ == "__main__":
    main()
