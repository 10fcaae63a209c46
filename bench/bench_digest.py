"""Digest benchmark: re-running a window against making it from scratch.

Baseline: a cold digest of every topic over the whole shipped corpus (a window from 2022 to
2025), each brief selected, ranked, fitted and written. A re-run of the same window must
select and compose again to know whether anything changed, but renders nothing; the ratio
is what the fingerprints save a weekly job that is run twice.

    .venv/bin/python bench/bench_digest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
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
    window = between(dt.date(2022, 1, 1), dt.date(2025, 12, 31))
    index_path = ROOT / "out" / "bench-index.sqlite"
    Index.build(ROOT / "corpus", index_path)
    cold, warm = [], []
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
            shutil.rmtree(digests)
    base, rerun = statistics.median(cold), statistics.median(warm)
    print(f"{len(made.briefs)} briefs from {len(made.placed)} articles, median of {args.repeat}")
    print(f"cold digest (baseline)   {base:6.2f} s")
    print(f"re-run, nothing changed  {rerun:6.2f} s   {rerun / base:.2f}x baseline")


if __name__ == "__main__":
    main()
