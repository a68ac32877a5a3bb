"""What the article's parts cost: TeX math in Markdown, and social cards.

Three measurements, each a median of --repeat runs, side by side in one run:
- rendering every openEuler corpus body (``../shared/corpus``) with math
  turned into MathML, beside the same renderer with math turned off: the
  cost of looking for math in every body;
- hostile ``$`` shapes at n and 2n characters: the 2n/n ratio of ``render``
  is about 2 when the math scan is linear, 4 when it is quadratic; ordinary
  prose of the same length beside them;
- drawing one social card (news.media.social.draw) for a Latin and a Chinese
  title.

    .venv/bin/python bench/article_bench.py [--chars 50000] [--repeat 3]
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from news.documents import markdown, math  # noqa: E402
from news.media import social  # noqa: E402

SHAPES = {
    "prose": "Some words, a [link](https://example.com) and `code`.\n\n",
    "$x": "$x ",
    "$x$": "$x$ ",
    "$$x": "$$x ",
    "$$x$$": "$$x_1$$\n\n",
    "\\$": "\\$a ",
}
TITLES = {
    "Latin": "Harbour reopens after the storm: ferries run to the summer timetable",
    "Chinese": "寄存器分配：从活跃变量分析到图着色的完整实现与编译器实践",
}


def timed(call, repeat):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def corpus_bodies():
    root = Path(os.environ.get("NEWSDESK_CORPUS", ROOT.parent / "shared" / "corpus"))
    bodies = []
    for path in sorted((root / "openeuler").rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        parts = text.split("---", 2)
        bodies.append(parts[2] if text.startswith("---") and len(parts) == 3 else text)
    return bodies


def render_all(bodies):
    for body in bodies:
        with contextlib.suppress(markdown.MarkdownError):
            markdown.render(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    bodies = corpus_bodies()
    if bodies:
        render_all(bodies)  # warm up: lexers, patterns, fonts
        with_math, without = [], []
        for _ in range(args.repeat):  # alternate, so load hits both alike
            with_math.append(timed(lambda: render_all(bodies), 1))
            with mock.patch.object(math, "spans", return_value=[]):
                without.append(timed(lambda: render_all(bodies), 1))
        on, off = statistics.median(with_math), statistics.median(without)
        print(f"corpus: {len(bodies)} bodies")
        print(f"  render with math  {on:7.2f} s")
        print(f"  render, math off  {off:7.2f} s   ratio {on / off:.3f}")
    else:
        print("corpus: not found, skipped")

    print(f"hostile shapes, render (s), n = {args.chars:,} characters")
    for name, unit in SHAPES.items():
        n = unit * (args.chars // len(unit))
        small = timed(lambda n=n: markdown.render(n, seconds=30), args.repeat)
        large = timed(lambda n=n: markdown.render(n + n, seconds=30), args.repeat)
        print(f"  {name:8} n {small:6.3f}  2n {large:6.3f}  2n/n {large / small:4.1f}")

    font = social.font_path()
    print(f"social card, font {font}")
    social.draw("warm up", font)
    for name, title in TITLES.items():
        seconds = timed(lambda title=title: social.draw(title, font), args.repeat)
        print(f"  {name:8} {seconds * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
