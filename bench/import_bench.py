"""Import benchmark: generated openEuler-shaped trees of 1k and 10k posts.

For each size it generates a text-only tree and a tree with images, then, side
by side in one run:

- the floor: a loop that only parses the same files' front matter and renders
  their Markdown (what any importer must do, with no database);
- a full import into a fresh SQLite database (``import_markdown``);
- a re-import of the unchanged tree.

Each measurement runs in its own process, so peak memory (ru_maxrss) is that
run's alone. Results are medians over ``--repeat`` runs. Usage:

    .venv/bin/python bench/import_bench.py [--sizes 1000 10000] [--repeat 3]
"""

import argparse
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "import"

BODY = """\
The openEuler community met this month to review progress on {topic}.

## Highlights

- {n} new contributors joined the {sig} SIG.
- The {topic} work landed in the mainline repository.
- Documentation for {topic} was translated into three languages.

| Item | Status |
|------|--------|
| {topic} | done |
| tests | in progress |

```bash
dnf install -y {pkg}
systemctl enable --now {pkg}
```

Read the [release notes](https://example.org/{pkg}) for details.
{images}
### Next steps

The SIG will meet again next month. Everyone is welcome; see the
[meeting calendar](https://example.org/calendar) and join the mailing list.
"""


def document(n, with_images):
    rng = random.Random(n)
    topic = rng.choice(["A-Tune", "iSulad", "StratoVirt", "secGear", "KubeOS"])
    date = f"2023-{n % 12 + 1}-{n % 28 + 1}" if n % 3 else f"'2023-{n % 12 + 1:02}-01'"
    author = "openEuler" if n % 2 else "\n  - openEuler\n  - Li Wei"
    images = '\n![figure](./images/1.png)\n\n<img src="images/2.png" width="300">\n'
    lines = [
        "---",
        f"title: 'Community report {n}: {topic}'",
        f"date: {date}",
        "category: news",
        "tags:",
        "  - openEuler",
        f"  - {topic}",
        f"author: {author}",
        f"summary: 'What happened around {topic} in report {n}.'",
        f"archives: '2023-{n % 12 + 1:02}'",
        f"sig: sig-{topic}",
    ]
    if with_images:
        lines.append("banner: 'img/banners/report.png'")
    body = BODY.format(
        topic=topic,
        n=rng.randint(2, 40),
        sig=topic,
        pkg=topic.lower(),
        images=images if with_images else "",
    )
    return "\n".join([*lines, "---", "", body])


def png(seed):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, seed // 256 % 256, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def generate(size, with_images):
    tree = OUT / f"tree-{size}-{'images' if with_images else 'text'}"
    if tree.exists():
        return tree
    for n in range(size):
        folder = tree / "news" / f"{n // 500:03}" / f"report-{n:05}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(document(n, with_images))
        if with_images:
            (folder / "images").mkdir()
            (folder / "images" / "1.png").write_bytes(png(2 * n))
            (folder / "images" / "2.png").write_bytes(png(2 * n + 1))
    if with_images:
        (tree / "img" / "banners").mkdir(parents=True)
        (tree / "img" / "banners" / "report.png").write_bytes(png(999_999))
    return tree


FLOOR = """
import os, resource, sys, time, json
from pathlib import Path
from zoneinfo import ZoneInfo
from news.documents import frontmatter, markdown
tree = Path(sys.argv[1])
tz = ZoneInfo("UTC")
started = time.perf_counter()
count = 0
for folder, dirs, files in os.walk(tree):
    dirs.sort()
    for name in sorted(files):
        if name.endswith(".md"):
            path = Path(folder) / name
            doc = frontmatter.parse(path.read_bytes(), name=str(path))
            frontmatter.fields(doc, tz=tz, name=str(path))
            markdown.render(doc.body)
            count += 1
seconds = time.perf_counter() - started
print(json.dumps({"files": count, "seconds": seconds,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

IMPORT = """
import json, resource, sys
import django
django.setup()
from news.documents.importer import Importer
report = Importer().run([sys.argv[1]])
assert report.failed == 0, report.problems[:3]
print(json.dumps({"files": report.files, "seconds": report.seconds,
                  "created": report.created, "unchanged": report.unchanged,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run_python(code, *args, env):
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if result.returncode:
        sys.exit(f"benchmark step failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def fresh_env(name):
    var = OUT / "var" / name
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_SECRET_KEY="bench",
        NEWSDESK_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    return env


def median(runs, key):
    return statistics.median(run[key] for run in runs)


def measure(size, with_images, repeat):
    tree = generate(size, with_images)
    floor, first, again = [], [], []
    for _ in range(repeat):
        env = fresh_env(f"{size}-{with_images}")
        floor.append(run_python(FLOOR, tree, env=env))
        first.append(run_python(IMPORT, tree, env=env))
        again.append(run_python(IMPORT, tree, env=env))
        assert again[-1]["unchanged"] == size, again[-1]
    return {
        "posts": size,
        "images": with_images,
        "floor_rate": size / median(floor, "seconds"),
        "import_rate": size / median(first, "seconds"),
        "reimport_rate": size / median(again, "seconds"),
        "import_seconds": median(first, "seconds"),
        "reimport_seconds": median(again, "seconds"),
        "import_maxrss_mb": median(first, "maxrss_kb") / 1024,
        "floor_maxrss_mb": median(floor, "maxrss_kb") / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = [
        measure(size, with_images, args.repeat)
        for size in args.sizes
        for with_images in (False, True)
    ]
    print(
        "| posts | images | floor posts/s | import posts/s | import/floor "
        "| re-import posts/s | re-import speed-up | import peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['posts']} | {'yes' if row['images'] else 'no'} "
            f"| {row['floor_rate']:.0f} | {row['import_rate']:.0f} "
            f"| {row['import_rate'] / row['floor_rate']:.0%} "
            f"| {row['reimport_rate']:.0f} "
            f"| {row['import_seconds'] / row['reimport_seconds']:.1f}x "
            f"| {row['import_maxrss_mb']:.0f} |"
        )
    by = {(r["posts"], r["images"]): r for r in rows}
    small, large = min(args.sizes), max(args.sizes)
    for images in (False, True):
        ratio = (
            by[large, images]["import_maxrss_mb"]
            / by[small, images]["import_maxrss_mb"]
        )
        kind = "images" if images else "text"
        print(f"peak memory {large} / {small} posts ({kind}): {ratio:.2f}x")
    print(f"total bench time {time.perf_counter() - started:.0f}s")
    (OUT / "results.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
