"""Topic + index → candidate sentences.

Candidates come from the FTS5 index (BM25), never from scanning documents in Python.
BM25 alone favours short sentences that say a keyword once; the keyword density
(weighted keyword stems per content word) tells a sentence *about* the topic from one
that mentions it in passing, so relevance mixes the two. A sentence right after a
strongly matching one in the same paragraph joins when it carries the point on
("That is why we have not joined..."), and a sentence that opens by pointing back
("This", "That is why", "However") carries the sentence before it as its lead-in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .index import Index
from .models import Candidate, Source, Term, Topic
from .nlp import stem, stopwords, words

STRONG = 0.25  # relevance from which the next sentence may join as context
CONTEXT_SHARE = 0.6  # a context sentence's relevance, as a share of the one it follows
MIN_WORDS = 5
DENSITY_FLOOR = 12  # content words: a shorter sentence is not more "about" the topic for being short

_DEPENDENT_OPENING = re.compile(
    r"^(?:this|that|these|those|it|its|he|she|they|their|his|her|such|however|but|and|so|yet|thus|therefore"
    r"|hence|moreover|also|meanwhile|still|then|instead|indeed|otherwise|in addition|as a result|at the same time"
    r"|on the other (?:side|hand)|for (?:this|that) reason)\b",
    re.IGNORECASE,
)


_POINTING_BACK = re.compile(
    r"\b(?:this|these|those|such)\s+(?!year|years|week|month|morning|afternoon|evening|time|spring|summer|autumn"
    r"|fall|winter|decade|century|day|year’s|year's)[a-z]+",
)


@dataclass(frozen=True)
class SelectSettings:
    limit: int = 2000  # most candidates taken from the index
    bm25_share: float = 0.3  # weight of BM25 against keyword density in relevance


def fts_query(topic: Topic) -> str:
    """An FTS5 query over the stems column: any term, none of the exclusions; every term quoted."""
    wanted = " OR ".join(_quoted(t) for t in topic.terms)
    if not topic.exclude:
        return f"({wanted})"
    return f"({wanted}) NOT ({' OR '.join(_quoted(t) for t in topic.exclude)})"


def _quoted(term: Term) -> str:
    return '"' + " ".join(term.stems).replace('"', '""') + '"'


def opens_dependently(text: str) -> bool:
    """Whether a sentence leans on the one before it: it opens by pointing back ("That is why…",
    "However,…") or names something only the previous sentence explains ("…know this position")."""
    text = text.lstrip("“\"'‘ ")
    return bool(_DEPENDENT_OPENING.match(text) or _POINTING_BACK.search(" ".join(text.split()[:8])))


def density(stems: Sequence[str], text: str, terms: Sequence[Term]) -> tuple[float, tuple[str, ...]]:
    """Keyword-covered words per content word, each word counted once at its heaviest term's
    weight (so "trading partners" is not counted for "trade" and again for "trading partner"),
    and which terms matched. Short sentences count as ``DENSITY_FLOOR`` words long."""
    content = [w for w in words(text) if w not in stopwords()]
    if not content:
        return 0.0, ()
    covered: dict[int, float] = {}
    matched = []
    for term in terms:
        k = len(term.stems)
        starts = [i for i in range(len(stems) - k + 1) if tuple(stems[i : i + k]) == term.stems]
        for start in starts:
            for i in range(start, start + k):
                covered[i] = max(covered.get(i, 0.0), term.weight)
        if starts:
            matched.append(term.text)
    return min(1.0, sum(covered.values()) / max(len(content), DENSITY_FLOOR)), tuple(matched)


def count_matches(index: Index, topic: Topic) -> int:
    """How many statements of the index match the topic at all."""
    return index.count(fts_query(topic))


def candidates(index: Index, topic: Topic, settings: SelectSettings = SelectSettings()) -> list[Candidate]:
    """The topic's candidate sentences, most relevant first, ties by id."""
    sources = index.sources()
    hits = [
        (sentence, stems, bm25)
        for sentence, stems, bm25 in index.match(fts_query(topic), settings.limit)
        if len(sentence.text.split()) >= MIN_WORDS
    ]
    if not hits:
        return []
    top_bm25 = max(bm25 for _, _, bm25 in hits) or 1.0
    scored = []
    for sentence, stems, bm25 in hits:
        share, matched = density(stems, sentence.text, topic.terms)
        scored.append((sentence, stems, bm25, share, matched))
    top_density = max(s[3] for s in scored) or 1.0
    found: dict[tuple[str, int], Candidate] = {}
    for sentence, stems, bm25, share, matched in scored:
        relevance = settings.bm25_share * bm25 / top_bm25 + (1 - settings.bm25_share) * share / top_density
        found[(sentence.document_id, sentence.position)] = Candidate(
            sentence, sources[sentence.document_id], stems, relevance, bm25, share, matched
        )
    _add_context(index, topic, found, sources)
    _add_lead_ins(index, found)
    return sorted(found.values(), key=lambda c: (-c.relevance, c.id))


def _add_context(index: Index, topic: Topic, found: dict[tuple[str, int], Candidate], sources: dict[str, Source]) -> None:
    """The sentence after a strong match joins when it carries the point on."""
    strong = sorted(key for key, c in found.items() if c.relevance >= STRONG)
    excluded = {s for t in topic.exclude for s in t.stems}
    for key, (sentence, stems) in index.neighbours(strong, +1).items():
        parent = found[key]
        if (sentence.document_id, sentence.position) in found or sentence.is_question:
            continue
        if len(sentence.text.split()) < MIN_WORDS or excluded & set(stems):
            continue
        if opens_dependently(sentence.text) or _shares_content(parent.stems, stems):
            found[(sentence.document_id, sentence.position)] = Candidate(
                sentence,
                sources[sentence.document_id],
                stems,
                parent.relevance * CONTEXT_SHARE,
                0.0,
                0.0,
                follows=key,
            )


def _shares_content(a: Sequence[str], b: Sequence[str]) -> bool:
    ignore = {stem(w) for w in stopwords()}
    return bool((set(a) - ignore) & (set(b) - ignore))


def _add_lead_ins(index: Index, found: dict[tuple[str, int], Candidate]) -> None:
    """A candidate that points back ("That is why…") carries the sentence before it, when that is a statement."""
    dependent = sorted(key for key, c in found.items() if opens_dependently(c.sentence.text))
    for key, (before, _) in index.neighbours(dependent, -1).items():
        if not before.is_question:
            found[key] = replace(found[key], lead_in=before)
