"""Topics: what a brief is about, as keywords and phrases matched on Snowball stems.

Matching on stems makes "sanctioned", "sanctions" and "sanctioning" one keyword; a phrase
is a sequence of stems, so "Middle Corridor" does not match "middle of the corridor".
Topics live in ``topics.toml``; ``--keywords`` makes one on the fly from a list or from
a question in prose.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path

from .errors import FileError, UsageError
from .files import MAX_SETTINGS_BYTES, read_limited, slug
from .models import Term, Topic
from .nlp import stems, stopwords, words

TOPICS_FILE = Path("topics.toml")


def term(text: str, weight: float = 1.0) -> Term:
    """A term's stems; stopwords inside a phrase stay (positions must match), alone they carry nothing."""
    found = tuple(stems(text))
    if not found or (len(found) == 1 and words(text)[0] in stopwords()):
        raise UsageError(f"keyword {text!r} has no word to match")
    if weight <= 0:
        raise UsageError(f"keyword {text!r}: weight must be positive")
    return Term(text.strip(), found, float(weight))


def load_topics(path: Path = TOPICS_FILE) -> dict[str, Topic]:
    """Every topic of a topics file, by name, in file order."""
    if not os.path.lexists(path):
        raise UsageError(f"no topics file at {path} (use --topics FILE or --keywords)")
    try:
        table = tomllib.loads(read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from exc
    except FileError as exc:
        raise UsageError(str(exc)) from exc
    return {name: _topic(name, entry, path) for name, entry in table.items()}


def _topic(name: str, entry: object, path: Path) -> Topic:
    where = f"{path}: [{name}]"
    if not isinstance(entry, dict):
        raise UsageError(f"{where} must be a table")
    unknown = set(entry) - {"title", "keywords", "phrases", "weights", "exclude"}
    if unknown:
        raise UsageError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    texts = [*_strings(entry, "keywords", where), *_strings(entry, "phrases", where)]
    weights = entry.get("weights", {})
    if not isinstance(weights, dict) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()):
        raise UsageError(f"{where}: weights must be a table of numbers")
    if not texts:
        raise UsageError(f"{where} has no keywords")
    stray = set(weights) - set(texts)
    if stray:
        raise UsageError(f"{where}: weight for {sorted(stray)[0]!r}, which is not one of its keywords")
    try:
        terms = _unique(term(t, weights.get(t, 1.0)) for t in texts)
        exclude = _unique(term(t) for t in _strings(entry, "exclude", where))
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from exc
    title = entry.get("title", name.replace("-", " ").replace("_", " ").capitalize())
    if not isinstance(title, str) or not title.strip():
        raise UsageError(f"{where}: title must be text in quotes")
    return Topic(name, title, terms, exclude)


def _strings(entry: dict, key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: {key} must be a list of strings")
    return value


def _unique(terms) -> tuple[Term, ...]:
    """One term per stem sequence, the first wins, order kept."""
    seen: dict[tuple[str, ...], Term] = {}
    for t in terms:
        seen.setdefault(t.stems, t)
    return tuple(seen.values())


def find_topic(name: str, topics: dict[str, Topic]) -> Topic:
    """A topic by name, whatever its case ("Sanctions" finds sanctions)."""
    if name in topics:
        return topics[name]
    folded = {key.casefold(): topic for key, topic in topics.items()}
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, list(topics), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known topics: {', '.join(topics)}"
    raise UsageError(f"unknown topic {name!r}{hint}")


def topic_from_keywords(text: str, title: str | None = None) -> Topic:
    """A topic from ``--keywords``: a comma-separated list ("water, glaciers, Syr Darya"), or a
    question in prose, whose content words become the keywords. Its title is ``title`` or the
    first keyword or phrase, as an analyst names a brief ("Russia", not five synonyms)."""
    pieces = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    texts: list[str] = []
    for piece in pieces:
        if len(piece.split()) <= 3:
            texts.append(piece)
        else:
            texts.extend(w for w in words(piece) if w not in stopwords() and not w.isdigit() and len(w) > 1)
    terms = _unique(term(t) for t in texts if stems(t) and not (len(words(t)) == 1 and words(t)[0] in stopwords()))
    if not terms:
        raise UsageError(f"--keywords {text!r} has no word to match")
    name = slug(" ".join(t.text for t in terms[:4]), limit=60) or "keywords"
    first = terms[0].text
    return Topic(name, title or first[:1].upper() + first[1:], terms)
