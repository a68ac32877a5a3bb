"""Worst-case Markdown: hostile bodies beside an ordinary body of the same size.

For each hostile shape, at n and 2n characters, time (median of --repeat runs):
- ``image_references``, the importer's scan of a body: its 2n/n ratio is about
  2 when the scan is linear and 4 when it is quadratic;
- ``render`` with its deadline: it must stop by RENDER_SECONDS plus one pass.
Each is printed beside the same call on ordinary prose of the same length.

    .venv/bin/python bench/markdown_worst_case.py [--chars 100000] [--repeat 3]
"""

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from news.documents import markdown  # noqa: E402

SHAPES = {
    "prose": "Some words, a [link](https://example.com) and `code`.\n\n",
    "[": "[",
    "[^": "[^",
    "``[": "``[",
    "<img ": "<img ",
    "<img a": "<img a",
    "<!--": "<!--",
    "``a`": "``a`",
    "<div ": "<div ",
    "> ": "> ",
}


def median_seconds(call, text, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(markdown.MarkdownError):
            call(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"RENDER_SECONDS = {markdown.RENDER_SECONDS}; n = {args.chars:,} chars")
    print(f"{'shape':10} {'scan n':>8} {'scan 2n':>8} {'ratio':>6} {'render n':>9}")
    for name, unit in SHAPES.items():
        n = args.chars // len(unit)
        small, large = unit * n, unit * 2 * n
        scan_n = median_seconds(markdown.image_references, small, args.repeat)
        scan_2n = median_seconds(markdown.image_references, large, args.repeat)
        rendered = median_seconds(markdown.render, small, 1)
        print(
            f"{name!r:10} {scan_n:8.3f} {scan_2n:8.3f} "
            f"{scan_2n / max(scan_n, 1e-6):6.1f} {rendered:9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
