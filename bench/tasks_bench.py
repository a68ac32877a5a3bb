"""Imports with renditions on the task workers: the whole command against the
parse-and-render floor, before and after, and the time until every rendition
exists with one worker and with two.

For the trees of ``import_bench.py`` (text-only and with images), side by side
in one run, each measurement in its own process and timed from outside, as a
person at a shell would time it:

- the floor: a process that only parses the files' front matter and renders
  their Markdown (``import_bench.FLOOR``, whole process);
- before: ``manage.py import_markdown TREE`` of the code given with
  ``--before`` (a checkout of the commit before renditions moved to the
  workers), which makes renditions as it imports;
- after: the same command of this checkout, which stores originals and queues
  their renditions (the database task backend), and reads ahead in a helper
  process on a machine with more than one CPU (its default);
- in turn: the same with ``--processes 0``, each file read when its turn
  comes, in one process;
- then, for the tree with images, from a copy of the database and media the
  import left: ``run_worker --batch`` with one worker, and with two side by
  side, until both exit with every rendition made.

Each import is also timed in CPU seconds (its own and its helpers', from
``getrusage``), which says what reading ahead costs beside what it saves.
Results are medians over ``--repeat`` runs. Usage:

    git archive <commit-before> | tar -x -C /tmp/before
    .venv/bin/python bench/tasks_bench.py --before /tmp/before \
        [--posts 1000] [--repeat 3]
"""

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from import_bench import FLOOR, OUT, ROOT, fresh_env, generate

COUNT = """
from django_tasks_db.models import DBTaskResult
from news.models import Image, Rendition
from news.media import renditions
images = list(Image.objects.all())
wanted = sum(len(renditions.wanted(image)) for image in images)
print(json.dumps({"wanted": wanted, "made": Rendition.objects.count(),
    "waiting": DBTaskResult.objects.exclude(status="SUCCESSFUL").count()}))
"""


def children_cpu():
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(args, *, env, cwd=ROOT, cpu=None):
    """Run ``args``; return its wall seconds, adding its CPU seconds (and its
    children's) to the list ``cpu`` if given."""
    started, used = time.perf_counter(), children_cpu()
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"benchmark step failed: {args}\n{result.stderr[-3000:]}")
    if cpu is not None:
        cpu.append(children_cpu() - used)
    return seconds


def manage(*args, cwd=ROOT):
    return [sys.executable, str(Path(cwd) / "manage.py"), *args]


def migrated(name, cwd):
    env = fresh_env(name)
    if cwd != ROOT:  # that checkout's own migrations
        shutil.rmtree(Path(env["NEWSDESK_VAR_DIR"]))
        Path(env["NEWSDESK_VAR_DIR"]).mkdir(parents=True)
        subprocess.run(manage("migrate", "-v0", cwd=cwd), cwd=cwd, env=env)
    env["NEWSDESK_TASKS"] = "database"
    return env


def import_seconds(tree, name, cwd, *options, cpu=None):
    env = migrated(name, cwd)
    seconds = timed(
        manage("import_markdown", str(tree), "-v0", *options, cwd=cwd),
        env=env,
        cwd=cwd,
        cpu=cpu,
    )
    return seconds, env


def copy_site(env, name):
    source = Path(env["NEWSDESK_VAR_DIR"])
    target = OUT / "var" / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return {**env, "NEWSDESK_VAR_DIR": str(target), "MEDIA_ROOT": str(target / "media")}


def state(env):
    code = "import json\n" + COUNT
    result = subprocess.run(
        manage("shell", "--no-imports", "-c", code),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def workers_seconds(env, count):
    """Run ``count`` batch workers side by side; return the seconds until the
    last exits, having checked that every rendition exists."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            manage("run_worker", "--batch", "--interval", "0.1"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(count)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=3600)
        if process.returncode:
            sys.exit(f"worker failed:\n{stderr.decode()[-3000:]}")
    seconds = time.perf_counter() - started
    found = state(env)
    assert found["made"] == found["wanted"] and not found["waiting"], found
    return seconds


def measure(posts, with_images, before, repeat):
    tree = generate(posts, with_images)
    kind = "images" if with_images else "text"
    runs: dict[str, list[float]] = {
        "floor": [],
        "before": [],
        "after": [],
        "after cpu": [],
        "in turn": [],
        "in turn cpu": [],
    }
    if with_images:
        runs |= {"one worker": [], "two workers": []}
    for _ in range(repeat):
        floor_env = fresh_env(f"tasks-floor-{kind}")
        runs["floor"].append(
            timed([sys.executable, "-c", FLOOR, str(tree)], env=floor_env)
        )
        if before:
            runs["before"].append(
                import_seconds(tree, f"tasks-before-{kind}", before)[0]
            )
        runs["in turn"].append(
            import_seconds(
                tree,
                f"tasks-turn-{kind}",
                ROOT,
                "--processes",
                "0",
                cpu=runs["in turn cpu"],
            )[0]
        )
        seconds, env = import_seconds(
            tree, f"tasks-after-{kind}", ROOT, cpu=runs["after cpu"]
        )
        runs["after"].append(seconds)
        if with_images:
            two = copy_site(env, f"tasks-after-{kind}-two")
            runs["one worker"].append(workers_seconds(env, 1))
            runs["two workers"].append(workers_seconds(two, 2))
    return {name: statistics.median(values) for name, values in runs.items() if values}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--before", type=Path, help="a checkout of the code to compare with"
    )
    args = parser.parse_args()
    rows = {}
    for with_images in (False, True):
        rows[with_images] = measure(args.posts, with_images, args.before, args.repeat)
    print(
        "| tree | floor s | before: import s | before / floor | in turn: import s "
        "| in turn / floor | after: import s | after / floor | CPU s, in turn "
        "| CPU s, after | renditions, 1 worker s | renditions, 2 workers s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for with_images, row in rows.items():
        floor = row["floor"]
        before = row.get("before")
        cells = [
            f"{args.posts:,} {'with images' if with_images else 'text-only'}",
            f"{floor:.1f}",
            f"{before:.1f}" if before else "",
            f"{floor / before:.0%}" if before else "",
            f"{row['in turn']:.1f}",
            f"{floor / row['in turn']:.0%}",
            f"{row['after']:.1f}",
            f"{floor / row['after']:.0%}",
            f"{row['in turn cpu']:.1f}",
            f"{row['after cpu']:.1f}",
            f"{row['one worker']:.1f}" if with_images else "",
            f"{row['two workers']:.1f}" if with_images else "",
        ]
        print("| " + " | ".join(cells) + " |")
    (OUT / "tasks-results.json").write_text(
        json.dumps({str(k): v for k, v in rows.items()}, indent=2)
    )


if __name__ == "__main__":
    main()
