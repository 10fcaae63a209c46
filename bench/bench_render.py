"""Rendering benchmark: the one-page fit against a single plain render.

Baseline: one A4 layout and write of the page ``one_page`` makes, the least any renderer must do.
``one_page`` lays a brief that fits out once, on A4, and one that runs over twice (once on a tall
page to measure, once on A4: the page), and writes a tagged PDF/UA file; the ratio is the price of
the guarantee. ``--topic`` names a topic of topics.toml, ``--sentences`` how many sentences are
chosen before fitting (60 makes the brief run over and be cut).

    .venv/bin/python bench/bench_render.py [--topic sanctions] [--sentences 16] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", default="sanctions")
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    import weasyprint

    import_time = time.perf_counter() - started
    from briefing.index import Index
    from briefing.rank.base import RankSettings
    from briefing.render.html import TEMPLATES, render_html
    from briefing.render.pdf import fetcher, one_page
    from briefing.summarise import SummarySettings, summarise
    from briefing.topics import load_topics

    index_path = ROOT / "out" / "bench-index.sqlite"
    Index.build(ROOT / "corpus", index_path)
    with Index(index_path) as index:
        settings = SummarySettings(rank=RankSettings(sentences=args.sentences))
        selection = summarise(index, load_topics(ROOT / "topics.toml")[args.topic], settings)
    issued = dt.date(2026, 11, 24)
    brief = one_page(selection, issued, "Kazakhstan").brief  # the page, fonts and caches warm
    html = render_html(brief)
    base_url = TEMPLATES.as_uri() + "/"

    def plain() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher()).write_pdf()

    base = timed(plain, args.repeat)
    fitted = timed(lambda: one_page(selection, issued, "Kazakhstan"), args.repeat)
    print(f"import weasyprint: {import_time:.2f} s (paid once per run)")
    print(f"{'render':<34}{'median s':>10}{'vs plain':>10}")
    print(f"{'plain A4 render + write (baseline)':<34}{base:>10.3f}{1:>9.2f}x")
    print(f"{'one_page (fit, PDF/UA)':<34}{fitted:>10.3f}{fitted / base:>9.2f}x")


if __name__ == "__main__":
    main()
