"""Ranking benchmark: how long selecting and ranking 2,000 candidate sentences takes.

Candidates come from real news: the DUC 2006 articles beside the project (never copied
into it), indexed into a temporary folder. Each ranker is timed on the same candidates;
"choose" is everything after centrality: concept weights, clusters, coverage, order. The
named baselines are the ``relevance`` ranker (no graph) and sumy's LexRank over the same
sentences (the reference implementation; ours must stay 20x faster), and the budget is 1 s.

    .venv/bin/python bench/bench_rank.py [--data ../shared/eval/duc2006] [--candidates 2000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from briefing.index import Index
from briefing.rank.base import RankSettings, Space, get_ranker
from briefing.select import SelectSettings, candidates
from briefing.summarise import Prepared, decide
from briefing.topics import topic_from_keywords

DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "duc2006"
BUDGET = 1.0


def median_time(action, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def sumy_lexrank_time(found) -> float:
    """sumy's LexRank (its defaults) ranking the same candidate sentences, once (it is slow)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from briefing.evaluate import _NoDownloadTokenizer

    tokenizer = _NoDownloadTokenizer()
    document = ObjectDocumentModel([Paragraph([Sentence(c.sentence.text, tokenizer) for c in found])])
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    started = time.perf_counter()
    summarizer(document, 16)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no DUC data at {args.data}: pass --data DIR")
    topics = sorted(p for p in args.data.iterdir() if (p / "docs").is_dir())[:8]
    query = ", ".join(
        w for t in topics for w in (t / "topic.txt").read_text(encoding="utf-8").split() if len(w) > 6
    )
    with tempfile.TemporaryDirectory() as temp:
        corpus = Path(temp) / "corpus"
        corpus.mkdir()
        for topic in topics:
            for doc in (topic / "docs").glob("*.txt"):
                shutil.copy(doc, corpus / doc.name)
        index_path = Path(temp) / "index.sqlite"
        articles = len(Index.build(corpus, index_path).added)
        topic = topic_from_keywords(query)
        with Index(index_path) as index:
            select_time, found = median_time(
                lambda: candidates(index, topic, SelectSettings(limit=args.candidates)), args.repeat
            )
            documents = index.stems_by_document(sorted({c.sentence.document_id for c in found}))
            background = [s for ss in documents.values() for s in ss]
        space_time, space = median_time(lambda: Space(found, background), args.repeat)
        settings = RankSettings()
        rows = []
        for name in ("relevance", "lexrank", "textrank"):
            ranker = get_ranker(name)
            rank_time, centrality = median_time(lambda: ranker.centrality(found, space, settings), args.repeat)
            choose_time, _ = median_time(
                lambda: decide(Prepared(topic, name, tuple(found), documents, space, centrality), settings), args.repeat
            )
            rows.append((name, rank_time, choose_time, space_time + rank_time + choose_time))
    sumy_time = sumy_lexrank_time(found)
    print(f"{len(found)} candidates from {articles} DUC 2006 articles ({len(topics)} topics), median of {args.repeat} runs")
    print(f"select (FTS5 + density + context): {select_time:.3f} s;  TF-IDF space: {space_time:.3f} s")
    base = rows[0][3]
    print(f"{'ranker':<11}{'rank s':>9}{'choose s':>10}{'space+rank+choose s':>21}{'vs relevance':>14}{'vs 1 s budget':>15}")
    for name, rank_time, choose_time, total in rows:
        print(f"{name:<11}{rank_time:>9.3f}{choose_time:>10.3f}{total:>21.3f}{total / base:>13.2f}x{total / BUDGET:>14.2f}x")
    ours = select_time + rows[1][3]
    print(
        f"sumy LexRank ranking the same sentences: {sumy_time:.2f} s; ours (select+space+rank+choose) {ours:.3f} s: "
        f"{sumy_time / ours:.0f}x faster (floor 20x)"
    )


if __name__ == "__main__":
    main()
