"""`briefing` at scale: build, `make` and digest on generated corpora of 1k to 100k articles.

    .venv/bin/python bench/bench_scale.py --sizes 1000,10000,100000 [--repeat 5] [--digest]
        [--code main=/tmp/main-checkout --code new=.] [--reuse main]

Baseline: the floor, a bare Python process that imports WeasyPrint and writes a one-page PDF
(the least any `make` costs); `make` is given as a ratio to it. For each size N, a corpus is
generated once under ``--root`` (``corpus_gen.py``; kept for the next run) and, for each code
version (``--code LABEL=DIR``: a checkout whose ``briefing`` package is put first on
PYTHONPATH; default: this one), indexed from scratch, then measured:

- build: wall time of `briefing corpus build`, articles/s, index size;
- make: `briefing make --keywords K` for 3 keyword sets, ``--repeat`` times each, versions
  interleaved so that load on a shared machine falls on both alike; the median of each set
  (the range over the sets), the ratio of their median to the floor, the peak RSS;
- phases: one in-process `make` per keyword set (imports, refresh, select, rank, compose,
  render), medians over the sets;
- digest (``--digest``): 12 topics over one week (about N/100 articles), from nothing and
  again unchanged.

A row ``seed`` does the same for `--topic sanctions` on the shipped corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = ("oil, crude prices", "election, voters", "sanctions, trade")
SEED_TOPIC = "sanctions"
WEEK = "2025-W16"
FLOOR = (
    "import sys, weasyprint; weasyprint.HTML(string='<h1>Brief</h1><p>One page.</p>').write_pdf(sys.argv[1])"
)
PHASES = ("imports", "refresh", "select", "rank", "compose", "render")


def timed_child(command: list[str], code: Path) -> tuple[float, float]:
    """Wall seconds and this child's own peak RSS in MB."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    err = child.stderr.read().decode()
    child.stderr.close()
    code_ = os.waitstatus_to_exitcode(status)
    if code_ not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed ({code_}):\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def corpus_of(size: int, root: Path) -> Path:
    folder = root / f"corpus-{size}"
    done = folder / ".generated"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        sys.path.insert(0, str(Path(__file__).parent))
        from corpus_gen import generate

        started = time.perf_counter()
        generate(folder, size)
        done.write_text("complete\n")
        print(f"generated {size} articles in {time.perf_counter() - started:.0f} s under {folder}", file=sys.stderr)
    return folder


def briefing(code: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "briefing", *args]


def phases(code: Path, corpus: Path, index: Path, keywords: str | None, topic: str | None) -> dict[str, float]:
    """One in-process `make`, phase by phase, in a fresh interpreter running ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    args = [sys.executable, __file__, "--phases-of", str(corpus), str(index), keywords or "", topic or ""]
    out = subprocess.run(args, cwd=code, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def phase_times(corpus: Path, index: Path, keywords: str, topic: str) -> None:
    """Run `make`'s steps with a clock around each; print them as JSON (called by ``phases``)."""
    import datetime as dt

    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    from briefing.compose import compose
    from briefing.index import Index
    from briefing.render.pdf import _weasyprint, one_page
    from briefing.select import candidates
    from briefing.summarise import SummarySettings, decide, prepare
    from briefing.topics import find_topic, load_topics, topic_from_keywords

    _weasyprint()
    lap("imports")
    try:
        Index.build(corpus, index, thorough=False)  # as `make` refreshes
    except TypeError:  # a version that knows one way to refresh
        Index.build(corpus, index)
    lap("refresh")
    chosen = topic_from_keywords(keywords) if keywords else find_topic(topic, load_topics(Path("topics.toml")))
    settings = SummarySettings()
    with Index(index) as opened:
        candidates(opened, chosen, settings.select)
        lap("select")
        selection = decide(prepare(opened, chosen, settings), settings.rank)
        lap("rank")
    issued = dt.date(2026, 1, 15)
    compose(selection, issued, "Kazakhstan")
    lap("compose")
    one_page(selection, issued, "Kazakhstan")
    lap("render")
    times["rank"] = max(0.0, times["rank"] - times["select"])  # prepare selects again
    print(json.dumps(times))


def median(values: list[float]) -> float:
    return statistics.median(values)


def make_command(code: Path, corpus: Path, index: Path, job: tuple[str | None, str | None], out: Path) -> list[str]:
    keywords, topic = job
    what = ["--keywords", keywords] if keywords else ["--topic", topic]
    return briefing(code, "make", *what, "--corpus", str(corpus), "--index", str(index), "--out", str(out),
                    "--issued", "2026-01-15")


def digest_command(code: Path, corpus: Path, index: Path, out: Path) -> list[str]:
    return briefing(code, "digest", "--week", WEEK, "--corpus", str(corpus), "--index", str(index), "--out", str(out),
                    "--topics", str(code / "topics.toml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", action="append", default=[], metavar="LABEL=DIR")
    parser.add_argument("--root", type=Path, default=Path("/tmp/briefing-bench"))
    parser.add_argument("--digest", action="store_true", help="also time a 12-topic digest of one week")
    parser.add_argument(
        "--reuse", action="append", default=[], metavar="LABEL", help="measure this version on the indexes of an earlier run"
    )
    parser.add_argument("--phases-of", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_of:
        corpus, index, keywords, topic = args.phases_of
        phase_times(Path(corpus), Path(index), keywords, topic)
        return
    codes = [(c.split("=", 1)[0], Path(c.split("=", 1)[1]).resolve()) for c in args.code] or [("this", ROOT)]
    args.root.mkdir(parents=True, exist_ok=True)
    work = args.root / "out"
    work.mkdir(exist_ok=True)

    floor = []
    rows = []
    sizes = [("seed", ROOT / "corpus", [(None, SEED_TOPIC)])] + [
        (f"{int(n):,}", corpus_of(int(n), args.root), [(k, None) for k in KEYWORDS]) for n in args.sizes.split(",") if n
    ]
    for name, corpus, jobs in sizes:
        articles = sum(1 for p in corpus.rglob("*") if p.suffix in (".md", ".txt") and not p.name.startswith("."))
        figures = {}
        for label, code in codes:
            index = args.root / f"index-{label}-{name.replace(',', '')}.sqlite"
            built = {}
            if label not in args.reuse or not index.exists():
                for leftover in args.root.glob(index.name + "*"):
                    leftover.unlink()
                seconds, _ = timed_child(
                    briefing(code, "corpus", "build", "--corpus", str(corpus), "--index", str(index)), code
                )
                built = {"build": seconds, "rate": articles / seconds}
            built["index_mb"] = index.stat().st_size / 1e6
            figures[label] = {"index": index, **built, "make": {job: [] for job in jobs}, "rss": 0.0}
        for _ in range(args.repeat):  # versions and sets interleaved: the machine's load falls on all alike
            floor.append(timed_child([sys.executable, "-c", FLOOR, str(work / "floor.pdf")], ROOT)[0])
            for job in jobs:
                for label, code in codes:
                    f = figures[label]
                    seconds, rss = timed_child(make_command(code, corpus, f["index"], job, work / f"{label}.pdf"), code)
                    f["make"][job].append(seconds)
                    f["rss"] = max(f["rss"], rss)
        for label, code in codes:
            f = figures[label]
            runs = [phases(code, corpus, f["index"], *job) for job in jobs]
            f["phases"] = {p: median([r[p] for r in runs]) for p in PHASES}
            if args.digest and name != "seed":
                out = work / f"digests-{label}"
                cold, warm = [], []
                for _ in range(max(1, args.repeat // 2)):
                    shutil.rmtree(out, ignore_errors=True)
                    cold.append(timed_child(digest_command(code, corpus, f["index"], out), code)[0])
                    warm.append(timed_child(digest_command(code, corpus, f["index"], out), code)[0])
                f["digest"] = (median(cold), median(warm))
        rows.append((name, articles, figures))
        report(rows, median(floor), codes, args)


def report(rows: list, floor: float, codes: list, args: argparse.Namespace) -> None:
    print(f"\nfloor (import WeasyPrint, write a one-page PDF): {floor:.2f} s; medians of {args.repeat}; "
          f"make RSS is the peak over all runs")
    print("| code | articles | build | art/s | index | make (median, range over sets) | × floor | make RSS |"
          + (" digest 12 topics | unchanged |" if args.digest else ""))
    print("|---|---|---|---|---|---|---|---|" + ("---|---|" if args.digest else ""))
    for name, articles, figures in rows:
        for label, _ in codes:
            f = figures[label]
            medians = [median(v) for v in f["make"].values()]
            build = f"{f['build']:.1f} s | {f['rate']:.0f}" if "build" in f else "– | –"
            line = (f"| {label} | {name} | {build} | {f['index_mb']:.1f} MB | {median(medians):.2f} s "
                    f"({min(medians):.2f}–{max(medians):.2f}) | {median(medians) / floor:.2f} | {f['rss']:.0f} MB |")
            if args.digest:
                line += (f" {f['digest'][0]:.1f} s | {f['digest'][1]:.1f} s |" if "digest" in f else " – | – |")
            print(line)
    print("\nphases (s, median over the keyword sets):")
    print("| code | articles | " + " | ".join(PHASES) + " |")
    print("|---|---|" + "---|" * len(PHASES))
    for name, _, figures in rows:
        for label, _ in codes:
            p = figures[label]["phases"]
            print(f"| {label} | {name} | " + " | ".join(f"{p[k]:.2f}" for k in PHASES) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
