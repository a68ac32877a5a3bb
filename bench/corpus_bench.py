"""Corpus benchmark: the real Node.js blog and Jekyll news corpora.

For each corpus, side by side in one run, each step in its own process:

- the floor: a loop that only parses the same files' front matter and renders
  their Markdown (what any importer must do, with no database);
- a full import into a fresh SQLite database, with the options the corpus
  needs (``--site-root``, ``--old-url``), images stored;
- a re-import of the unchanged tree.

Peak memory (ru_maxrss) is sampled during the import after each tenth of the
files, so a curve that stays flat shows memory does not grow with the number
of posts. Results are medians over ``--repeat`` runs. Usage:

    .venv/bin/python bench/corpus_bench.py [--repeat 3] [--corpus nodejs jekyll]

The corpora are looked for at $NEWSDESK_CORPUS/.. (beside the openEuler one),
else ../shared/corpus beside the checkout.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_bench import OUT as IMPORT_OUT  # noqa: E402
from bench.import_bench import fresh_env, run_python  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = IMPORT_OUT.parent / "corpus"
CORPORA = {
    # name: (folder, Importer options)
    "nodejs": (
        "nodejs",
        {"site_root": "apps/site/public", "old_url": "/en/blog/:section/:filename"},
    ),
    "jekyll": ("jekyll", {}),
}


def corpus_root():
    if os.environ.get("NEWSDESK_CORPUS"):
        return Path(os.environ["NEWSDESK_CORPUS"]).parent
    for root in (ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")):
        if root.is_dir():
            return root
    sys.exit("no corpus: set NEWSDESK_CORPUS or put it at ../shared/corpus")


FLOOR = """
import json, os, resource, sys, time
from pathlib import Path
from zoneinfo import ZoneInfo
import django
django.setup()
from news.documents import frontmatter, markdown
tree = Path(sys.argv[1])
tz = ZoneInfo("UTC")
started = time.perf_counter()
count = size = failed = 0
for folder, dirs, files in os.walk(tree):
    dirs.sort()
    for name in sorted(files):
        if name.lower().endswith((".md", ".markdown")):
            path = Path(folder) / name
            data = path.read_bytes()
            count += 1
            size += len(data)
            # What the import fails (a date it cannot read, a body too slow
            # to render) is counted here too, not retried.
            try:
                doc = frontmatter.parse(data, name=str(path))
                frontmatter.fields(doc, tz=tz, name=str(path))
                markdown.render(doc.body)
            except (frontmatter.FrontMatterError, markdown.MarkdownError):
                failed += 1
seconds = time.perf_counter() - started
print(json.dumps({"files": count, "bytes": size, "seconds": seconds,
                  "failed": failed,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

IMPORT = """
import json, resource, sys
import django
django.setup()
from news.documents.importer import Importer
tree, options, total = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
samples, seen = [], [0]
def progress(relpath):
    seen[0] += 1
    if seen[0] % max(1, total // 10) == 0:
        samples.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
report = Importer(progress=progress, **options).run([tree])
print(json.dumps({"files": report.files, "seconds": report.seconds,
                  "created": report.created, "unchanged": report.unchanged,
                  "skipped": report.skipped, "failed": report.failed,
                  "samples_kb": samples,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def median(runs, key):
    return statistics.median(run[key] for run in runs)


def documents(tree):
    return sum(
        1
        for _, _, files in os.walk(tree)
        for name in files
        if name.lower().endswith((".md", ".markdown", ".mdx"))
    )


def measure(name, repeat):
    folder, options = CORPORA[name]
    tree = corpus_root() / folder
    total = documents(tree)
    floor, first, again = [], [], []
    for _ in range(repeat):
        env = fresh_env(f"corpus-{name}")
        floor.append(run_python(FLOOR, tree, env=env))
        first.append(run_python(IMPORT, tree, json.dumps(options), total, env=env))
        again.append(run_python(IMPORT, tree, json.dumps(options), total, env=env))
    imported = first[-1]["created"]
    return {
        "corpus": name,
        "files": total,
        "posts": imported,
        "failed": first[-1]["failed"],
        "skipped": first[-1]["skipped"],
        "megabytes": floor[-1]["bytes"] / 1e6,
        "floor_rate": floor[-1]["files"] / median(floor, "seconds"),
        "import_rate": imported / median(first, "seconds"),
        "reimport_rate": total / median(again, "seconds"),
        "floor_maxrss_mb": median(floor, "maxrss_kb") / 1024,
        "import_maxrss_mb": median(first, "maxrss_kb") / 1024,
        "samples_mb": [kb / 1024 for kb in first[-1]["samples_kb"]],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--corpus", nargs="+", default=list(CORPORA))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = []
    for name in args.corpus:
        rows.append(measure(name, args.repeat))
        print(json.dumps(rows[-1]), flush=True)  # kept if a later corpus fails
    print(
        "| corpus | files | MB | posts imported | floor posts/s | import posts/s "
        "| import / floor | re-import files/s | floor peak RSS MB "
        "| import peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['corpus']} | {row['files']} | {row['megabytes']:.1f} "
            f"| {row['posts']} | {row['floor_rate']:.0f} | {row['import_rate']:.0f} "
            f"| {row['import_rate'] / row['floor_rate']:.0%} "
            f"| {row['reimport_rate']:.0f} | {row['floor_maxrss_mb']:.0f} "
            f"| {row['import_maxrss_mb']:.0f} |"
        )
    for row in rows:
        curve = " ".join(f"{mb:.0f}" for mb in row["samples_mb"])
        print(f"{row['corpus']}: peak RSS MB after each tenth of the files: {curve}")
    print(f"total bench time {time.perf_counter() - started:.0f}s")
    (OUT / "results.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
