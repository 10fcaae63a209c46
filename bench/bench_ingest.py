"""Extraction and cleaning measured together on real web pages, against trafilatura alone.

    .venv/bin/python bench/bench_ingest.py [../shared/ingest-dev] [--show]

The folder holds ``pages/*.html`` and ``expected.json`` (per page: ``with`` snippets of the
article that must survive, ``without`` snippets of chrome that must not, and metadata).
Figures, for ``briefing`` (what the index keeps) and the baseline ``trafilatura`` (its
plain-text output with default settings):

- recall: share of ``with`` snippets found in the kept text (``briefing``: every row the
  index keeps, headings included; ``sentences``: the rows a brief can quote);
- leaks: share of ``without`` snippets found in it;
- verbatim: share of kept sentences that occur in the page's own text (whitespace and
  typographic quotes aside): below 100% means a sentence with a hole;
- metadata: title, author, date and site name right, where the page's truth is known.

``--show`` prints each miss, leak and non-verbatim sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from briefing.ingest import document, extract, read
from briefing.ingest.loaders import decode
from briefing.ingest.verbatim import Original, normalise, page_text

HERE = Path(__file__).resolve().parent


def _found(snippet: str, text: str) -> bool:
    return normalise(snippet) in text


def _trafilatura(html: bytes) -> str:
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", "replace")) or ""


def _metadata_right(source, truth: dict) -> tuple[int, int]:
    right = known = 0
    for field, ours in (("title", source.title), ("author", source.author), ("sitename", source.outlet)):
        want = truth.get(field)
        if want:
            want = "; ".join(want) if isinstance(want, list) else want
            known += 1
            right += bool(ours) and normalise(ours).lower() == normalise(want).lower()
    if truth.get("date"):
        known += 1
        right += source.date is not None and str(source.date) == truth["date"][: len(str(source.date))] and len(
            str(source.date)
        ) == 10
    return right, known


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=HERE.parent.parent / "shared" / "ingest-dev", type=Path)
    parser.add_argument("--show", action="store_true", help="print every miss, leak and hole")
    args = parser.parse_args()
    expected = json.loads((args.folder / "expected.json").read_text(encoding="utf-8"))
    systems = ("briefing", "sentences", "trafilatura")  # sentences: briefing's rows without its headings
    totals = {name: {"with": 0, "kept": 0, "without": 0, "leaked": 0} for name in systems}
    sentences = verbatim = right = known = failed = 0
    seconds = 0.0
    for name, truth in sorted(expected.items()):
        path = args.folder / "pages" / name
        data = path.read_bytes()
        page = Original(page_text(decode(data, name)))
        started = time.perf_counter()
        try:
            extracted = extract(document(read(path), name, name))
            kept = [s.text for s in extracted.sentences]
            quotable = [s.text for s in extracted.sentences if not s.heading]
            source = extracted.source
        except Exception as exc:  # noqa: BLE001 - a page we cannot read counts as all missed
            failed += 1
            kept, quotable, source = [], [], None
            if args.show:
                print(f"{name}: FAILED {exc}")
        seconds += time.perf_counter() - started
        texts = {
            "briefing": normalise(" ".join(kept)),
            "sentences": normalise(" ".join(quotable)),
            "trafilatura": normalise(_trafilatura(data)),
        }
        for system, text in texts.items():
            for snippet in truth.get("with", []):
                hit = _found(snippet, text)
                totals[system]["with"] += 1
                totals[system]["kept"] += hit
                if args.show and system == "briefing" and not hit:
                    print(f"{name}: MISSED {snippet!r}")
            for snippet in truth.get("without", []):
                hit = _found(snippet, text)
                totals[system]["without"] += 1
                totals[system]["leaked"] += hit
                if args.show and system == "briefing" and hit:
                    print(f"{name}: LEAKED {snippet!r}")
        for sentence in kept:
            sentences += 1
            ok = page.holds(sentence)
            verbatim += ok
            if args.show and not ok:
                print(f"{name}: HOLE {sentence!r}")
        if source is not None:
            r, k = _metadata_right(source, truth)
            right, known = right + r, known + k
    print(f"{len(expected)} pages from {args.folder}")
    print(f"{'system':<12} {'recall':>8} {'leaks':>8}")
    for system, t in totals.items():
        print(f"{system:<12} {t['kept'] / t['with']:8.1%} {t['leaked'] / t['without']:8.1%}"
              f"   ({t['kept']}/{t['with']} kept, {t['leaked']}/{t['without']} leaked)")
    print(f"briefing: verbatim {verbatim}/{sentences} sentences ({verbatim / max(1, sentences):.2%}), "
          f"metadata {right}/{known} right ({right / max(1, known):.1%}), {failed} pages failed, "
          f"{seconds / len(expected) * 1000:.0f} ms a page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
