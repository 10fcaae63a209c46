"""Hostile sizes: one corpus file up to the 5 MB size cap (600,000 to 1,000,000 short lines), at 1/4, 1/2 and all of it.

Baseline: the same shape at a quarter of the size. Cost must grow with the file, not faster:
each ratio to the baseline should stay near 2 and 4 (a quadratic step gives 4 and 16). Then a
second build of the same corpus, which must do no work: a file refused for its text is not
processed again until it changes (it once cost every later `make` its whole processing time).

    .venv/bin/python bench/bench_hostile.py [--bytes 5242880]

Measured here (2 shared cores): ratios 2.3 / 3.8 / 4.4 / 4.0 / 4.2 at the full size, the
largest build 76 s (a paragraph of a million exclamations), every second build under 0.3 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from briefing.index import Index
from briefing.ingest.loaders import MAX_FILE_BYTES

SHAPES = {  # what a line of each file is (at the cap, "word 7" lines make 600,000 of them)
    "lower-case continuation lines": "word {n}\n",
    "headings, no article": "Part {n}\n",
    "one sentence a line": "It rained on day {n}.\n",
    "one paragraph of sentences": "It is {n}. ",
    "exclamations joined back": "wow! ",
}


def corpus_of(folder: Path, line: str, size: int) -> Path:
    """A corpus of one file of ``size`` bytes made of ``line`` over and over, numbered."""
    folder.mkdir()
    parts, written, n = [], 0, 0
    while written < size:
        parts.append(line.format(n=n % 1000))
        written += len(parts[-1])
        n += 1
    (folder / "big.md").write_text("".join(parts)[:size], encoding="utf-8")
    return folder


def build_seconds(corpus: Path, index: Path) -> float:
    started = time.perf_counter()
    Index.build(corpus, index)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=MAX_FILE_BYTES, help="size of the largest file (default: the cap)")
    args = parser.parse_args()
    print(f"{'shape':32}{'1/4 s':>9}{'1/2 s':>9}{'1 s':>9}{'x1/2':>7}{'x1':>7}{'again s':>9}")
    with tempfile.TemporaryDirectory() as temp:
        build_seconds(corpus_of(Path(temp) / "warm-up", "Imports are loaded once.\n", 100), Path(temp) / "warm-up.sqlite")
        for number, (name, line) in enumerate(SHAPES.items()):
            seconds = []
            for part, size in enumerate((args.bytes // 4, args.bytes // 2, args.bytes)):
                folder = Path(temp) / f"{number}-{part}"
                index = Path(temp) / f"{number}-{part}.sqlite"
                seconds.append(build_seconds(corpus_of(folder, line, size), index))
            again = build_seconds(folder, index)
            base = seconds[0]
            print(f"{name:32}{seconds[0]:9.2f}{seconds[1]:9.2f}{seconds[2]:9.2f}"
                  f"{seconds[1] / base:7.2f}{seconds[2] / base:7.2f}{again:9.2f}", flush=True)


if __name__ == "__main__":
    main()
