"""Summary quality at scale: every DUC 2006 question asked of one index of all its articles.

    .venv/bin/python bench/bench_pooled.py [--data ../shared/eval/duc2006] [--limit 2000,1000]
        [--background all,400,200]

`briefing eval` indexes each question's 25 articles alone, so the bounds a large corpus meets
never bind there: the candidates taken from the index (``SelectSettings.limit``) and the
documents read whole as the background (``SelectSettings.background``). Here the 1,250
articles of the 50 questions share one index, as articles share a real corpus: each question
must find its own among the others, and the bounds bind. Each combination of bounds is scored
with ROUGE against the four human summaries; baseline: the first combination given. Printed:
mean R-1, R-2, SU4 recall, the ratio of R-2 to the baseline's, candidates, documents behind
them, and seconds per question (select and rank only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from briefing.evaluate import Scorer, _corpus, _topic, extract, load_dataset, ours
from briefing.index import Index
from briefing.select import SelectSettings, candidates
from briefing.summarise import SummarySettings

ROOT = Path(__file__).resolve().parents[1]
EVERY = 10**9


def bounds(text: str) -> list[int]:
    return [EVERY if part == "all" else int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "eval" / "duc2006")
    parser.add_argument("--limit", type=bounds, default=[2000])
    parser.add_argument("--background", type=bounds, default=[EVERY, 400, 200])
    args = parser.parse_args()
    topics = load_dataset(args.data)
    scorer = Scorer()
    with tempfile.TemporaryDirectory(prefix="briefing-pooled-") as temp:
        root = Path(temp) / "corpus"
        for topic in topics:  # one folder per question, each with its sidecar metadata
            (root / topic.id).mkdir(parents=True)
            _corpus(topic, root / topic.id)
        started = time.perf_counter()
        report = Index.build(root, Path(temp) / "index.sqlite")
        print(f"indexed {len(report.added)} articles of {len(topics)} questions in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        rows = []
        with Index(Path(temp) / "index.sqlite") as index:
            for limit in args.limit:
                for background in args.background:
                    settings = SummarySettings(select=SelectSettings(limit=limit, background=background))
                    scores, found, documents, seconds = [], [], [], []
                    for topic in topics:
                        clock = time.perf_counter()
                        summary = extract(ours(index, topic, settings))
                        seconds.append(time.perf_counter() - clock)
                        scores.append(scorer.score(summary, topic.references))
                        pool = candidates(index, _topic(topic), settings.select)
                        found.append(len(pool))
                        documents.append(len({c.sentence.document_id for c in pool}))
                    means = [statistics.mean(s[k] for s in scores) for k in range(3)]
                    rows.append((limit, background, *means, statistics.mean(found), statistics.mean(documents),
                                 statistics.mean(seconds)))
                    print(f"  limit {limit}, background {background}: R-2 {means[1]:.4f}", file=sys.stderr)
    base = rows[0][3]
    print("| limit | background docs | R-1 | R-2 | SU4 | R-2 / baseline | candidates | their documents | s / question |")
    print("|---|---|---|---|---|---|---|---|---|")
    for limit, background, r1, r2, su4, found, documents, seconds in rows:
        shown = "all" if background == EVERY else background
        print(f"| {limit} | {shown} | {r1:.4f} | {r2:.4f} | {su4:.4f} | {r2 / base:.3f} | {found:.0f} | {documents:.0f} "
              f"| {seconds:.2f} |")


if __name__ == "__main__":
    main()
