"""Index build benchmark: a cold build against a warm (no-change) rebuild and a one-file change.

Baseline: the cold build of the same corpus. The warm build must do no work (hashing
only), so its ratio to the baseline is the figure to watch.

    .venv/bin/python bench/bench_index.py [--copies 100]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from briefing.index import Index

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def make_corpus(folder: Path, copies: int) -> Path:
    """The shipped corpus repeated ``copies`` times, each copy's text made distinct."""
    folder.mkdir()
    for n in range(copies):
        for path in sorted(CORPUS.glob("*.md")):
            text = path.read_text(encoding="utf-8")
            (folder / f"{n:04d}-{path.name}").write_text(f"{text}\nCopy number {n} closes here.\n", "utf-8")
    return folder


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="copies of the shipped corpus (default 100)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        corpus = make_corpus(Path(temp) / "corpus", args.copies)
        files = len(list(corpus.iterdir()))
        index = Path(temp) / "index.sqlite"

        def cold() -> None:
            index.unlink(missing_ok=True)
            Index.build(corpus, index)

        cold_times = timed(cold, max(1, args.repeat // 2))
        warm_times = timed(lambda: Index.build(corpus, index), args.repeat)
        touched = corpus / sorted(p.name for p in corpus.iterdir())[0]

        def one_change() -> None:
            touched.write_text(touched.read_text(encoding="utf-8") + "One more sentence.\n", "utf-8")
            report = Index.build(corpus, index)
            assert report.processed == 1, report

        change_times = timed(one_change, args.repeat)
        size = index.stat().st_size
        shutil.rmtree(corpus)
    base = statistics.median(cold_times)
    print(f"corpus: {files} files ({args.copies} copies of the shipped corpus); index {size / 1e6:.1f} MB")
    print(f"{'build':<28}{'median s':>10}{'per file ms':>13}{'vs cold':>9}")
    for name, times in (("cold (baseline)", cold_times), ("warm, nothing changed", warm_times), ("one file changed", change_times)):
        median = statistics.median(times)
        print(f"{name:<28}{median:>10.3f}{median / files * 1000:>13.2f}{median / base:>8.3f}x")


if __name__ == "__main__":
    main()
