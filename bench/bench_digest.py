"""Digest benchmark: re-running a window against making it from scratch.

Baseline: a cold digest of every topic over the whole shipped corpus (a window from 2022 to
2025), each brief selected, ranked, and fitted and written by a worker process. A re-run of the
same window finds the hash of every brief's inputs unchanged and selects, ranks and renders
nothing; a re-run after one topic's keywords changed selects and ranks that topic alone (and
renders its brief and the index page). The ratios are what a weekly job run twice saves.

    .venv/bin/python bench/bench_digest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from briefing.digest.make import make_digest
    from briefing.digest.windows import between
    from briefing.index import Index
    from briefing.topics import load_topics

    topics = load_topics(ROOT / "topics.toml")
    first = next(iter(topics))
    edited = dict(topics, **{first: replace(topics[first], terms=topics[first].terms[:1])})
    window = between(dt.date(2022, 1, 1), dt.date(2025, 12, 31))
    index_path = ROOT / "out" / "bench-index.sqlite"
    Index.build(ROOT / "corpus", index_path)
    cold, warm, one = [], [], []
    with Index(index_path) as index, tempfile.TemporaryDirectory() as scratch:
        make_digest(index, topics, window, Path(scratch) / "warm-up", "Kazakhstan")  # imports, fonts, caches
        for run in range(args.repeat):
            digests = Path(scratch) / f"run-{run}"
            started = time.perf_counter()
            made = make_digest(index, topics, window, digests, "Kazakhstan")
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = make_digest(index, topics, window, digests, "Kazakhstan")
            warm.append(time.perf_counter() - started)
            assert not any(b.rendered for b in again.briefs)
            started = time.perf_counter()
            make_digest(index, edited, window, digests, "Kazakhstan")
            one.append(time.perf_counter() - started)
            shutil.rmtree(digests)
    base, rerun, changed = statistics.median(cold), statistics.median(warm), statistics.median(one)
    print(f"{len(made.briefs)} briefs from {len(made.placed)} articles, median of {args.repeat}")
    print(f"cold digest (baseline)   {base:6.2f} s")
    print(f"re-run, nothing changed  {rerun:6.2f} s   {rerun / base:.2f}x baseline")
    print(f"re-run, one topic edited {changed:6.2f} s   {changed / base:.2f}x baseline")


if __name__ == "__main__":
    main()
