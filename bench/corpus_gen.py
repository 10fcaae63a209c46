"""A corpus of N news articles made from real text, for measuring at scale.

    .venv/bin/python bench/corpus_gen.py 10000 /tmp/briefing-bench/10000

Articles are taken from the seed corpus (``../shared/corpus-seeds``) and the DUC 2006 news
(``../shared/eval/duc2006``), read at run time and never committed. Each generated article is
one source article with some of its paragraphs left out and a paragraph or two of another
article added, so every text is distinct but reads like news; about one in seven is a
near-duplicate of an earlier one printed by another outlet a day or two later (a paragraph
dropped, as wire copy is cut), as real news has. Dates spread over two years, so a week holds
about N/100 articles. The same N and seed give the same corpus, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus-seeds"
DUC = SHARED / "eval" / "duc2006"
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 731  # two years
NEAR_DUPLICATES = 1 / 7
OUTLETS = (
    "Associated Press", "Reuters", "Agence France-Presse", "The Guardian", "Financial Times", "POLITICO Europe",
    "Deutsche Welle", "Eurasianet", "The Astana Times", "Nikkei Asia", "Al Jazeera", "BBC News", "Le Monde",
    "El País", "The Diplomat", "Radio Free Europe", "Bloomberg", "The Economist", "Kyodo News", "Xinhua",
)


@dataclass(frozen=True)
class Article:
    title: str | None
    paragraphs: tuple[str, ...]


def sources() -> list[Article]:
    """Every seed and DUC article, in a fixed order."""
    found = []
    meta = tomllib.loads((SEEDS / "sources.toml").read_text(encoding="utf-8"))
    for path in sorted(SEEDS.glob("*.txt")):
        found.append(Article(meta.get(path.name, {}).get("title"), _paragraphs(path.read_text(encoding="utf-8"))))
    for topic in sorted(p.parent for p in DUC.glob("*/docs_meta.tsv")):
        titles = {}
        for line in (topic / "docs_meta.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            docno, _, headline = (line.split("\t") + ["", ""])[:3]
            titles[docno] = headline.strip() or None
        for path in sorted((topic / "docs").glob("*.txt")):
            found.append(Article(titles.get(path.stem), _paragraphs(path.read_text(encoding="utf-8"))))
    return [a for a in found if len(a.paragraphs) >= 3]


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.splitlines() if p.strip())


def _front_matter(fields: dict) -> str:
    lines = [f'{k} = "{v}"' for k, v in fields.items() if v is not None]
    escaped = [line.replace("\\", "\\\\") for line in lines]
    return "+++\n" + "\n".join(escaped) + "\n+++\n\n"


def _quote(text: str) -> str:
    return text.replace("\\", "").replace('"', "'")


def generate(folder: Path, n: int, seed: int = 14) -> int:
    """Write ``n`` articles under ``folder`` (in year/month subfolders); returns how many bytes."""
    pool = sources()
    rng = random.Random(seed)
    seen: set[str] = set()
    made: list[tuple[dt.date, str, tuple[str, ...]]] = []
    size = 0
    for number in range(n):
        if made and rng.random() < NEAR_DUPLICATES:
            day, title, paragraphs = made[rng.randrange(len(made))]
            day = min(FIRST_DAY + dt.timedelta(DAYS - 1), day + dt.timedelta(rng.randint(0, 2)))
            if len(paragraphs) > 3:
                cut = rng.randrange(1, len(paragraphs))
                paragraphs = paragraphs[:cut] + paragraphs[cut + 1 :]
        else:
            while True:
                base, other = pool[rng.randrange(len(pool))], pool[rng.randrange(len(pool))]
                kept = tuple(p for k, p in enumerate(base.paragraphs) if k < 2 or rng.random() > 0.3)
                start = rng.randrange(len(other.paragraphs))
                paragraphs = kept + other.paragraphs[start : start + rng.randint(1, 2)]
                key = hashlib.sha1("\n".join(paragraphs).encode()).hexdigest()
                if key not in seen:
                    seen.add(key)
                    break
            day, title = FIRST_DAY + dt.timedelta(rng.randrange(DAYS)), base.title
            made.append((day, title, paragraphs))
        outlet = OUTLETS[rng.randrange(len(OUTLETS))]
        header = {"outlet": outlet, "title": _quote(title) if title else None, "date": day.isoformat(), "kind": "report"}
        text = _front_matter(header) + "\n\n".join(paragraphs) + "\n"
        target = folder / f"{day:%Y}" / f"{day:%m}" / f"{number:06d}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        size += len(text.encode())
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    size = generate(args.folder, args.n, args.seed)
    print(f"wrote {args.n} articles ({size / 1e6:.1f} MB) under {args.folder}")


if __name__ == "__main__":
    main()
