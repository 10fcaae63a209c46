"""Topic + index → candidate sentences.

Candidates come from the FTS5 index (BM25), never from scanning documents in Python.
BM25 alone favours short sentences that say a keyword once; the keyword density
(weighted keyword stems per content word) tells a sentence *about* the topic from one
that mentions it in passing, so relevance mixes the two. A sentence right after a
strongly matching one in the same paragraph joins when it carries the point on
("That is why we have not joined..."), and a sentence that opens by pointing back
("This", "That is why", "However") carries the sentence before it as its lead-in, and the one
before that when the lead-in points back too, across a paragraph break only within one named
speaker's words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .index import Index
from .models import Candidate, Sentence, Source, Term, Topic
from .nlp import stopword_stems, stopwords, words

STRONG = 0.25  # relevance from which the next sentence may join as context
CONTEXT_SHARE = 0.6  # a context sentence's relevance, as a share of the one it follows
MIN_WORDS = 5
DENSITY_FLOOR = 12  # content words: a shorter sentence is not more "about" the topic for being short
LEAD_IN = 3  # most sentences a lead-in holds

_DEPENDENT_OPENING = re.compile(
    r"^(?:this|that|these|those|it|its|he|she|they|their|his|her|such|however|but|and|nor|so|yet|thus|therefore"
    r"|hence|moreover|also|meanwhile|still|then|instead|indeed|otherwise|in addition|as a result|at the same time"
    r"|on the other (?:side|hand)|for (?:this|that) reason|in the same (?:period|year|month|week|way)|at that time"
    r"|by then|after that|in that case|in response|in return|in turn|to (?:this|that) end|likewise|similarly"
    r"|nevertheless|nonetheless|accordingly|consequently|furthermore|besides|even so|the (?:latter|former|rest)"
    r"|not (?:just|only|simply|merely) because|not all (?:of|had|have|has|were|are|was|is|will)|(?:none|all|each|many|most|some|both) of (?:them|these|those))\b",
    re.IGNORECASE,
)


_PRONOUN_AFTER_OPENING = re.compile(r"^[^,;:]{2,40}, (?:it|they|he|she|this|these|those)\b(?! (?:is|was) (?:clear|likely|expected|said|reported)\b)")

_POINTING_BACK = re.compile(
    r"\b(?:this|these|those|such)\s+(?!year|years|week|month|morning|afternoon|evening|time|spring|summer|autumn"
    r"|fall|winter|decade|century|day|year’s|year's)[a-z]+",
)


@dataclass(frozen=True)
class SelectSettings:
    limit: int = 2000  # most candidates taken from the index
    background: int = 400  # documents read whole to weigh words against; the rest lend their candidates
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
    "However,…"), names something only the previous sentence explains ("…know this position"), or
    puts a pronoun right after its opening phrase ("For Kazakhstan, it reinforced…")."""
    text = text.lstrip("“\"'‘ ")
    return bool(
        _DEPENDENT_OPENING.match(text)
        or _PRONOUN_AFTER_OPENING.match(text)
        or _POINTING_BACK.search(" ".join(text.split()[:8]))
    )


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


def candidates(
    index: Index, topic: Topic, settings: SelectSettings = SelectSettings(), within: Collection[str] | None = None
) -> list[Candidate]:
    """The topic's candidate sentences, most relevant first, ties by id; only from the documents
    ``within`` names, when given."""
    hits = [
        (sentence, stems, bm25)
        for sentence, stems, bm25 in index.match(fts_query(topic), settings.limit, within)
        if _statement(sentence.text)
    ]
    if not hits:
        return []
    top_bm25 = max(bm25 for _, _, bm25 in hits) or 1.0
    lead_ins = _lead_ins(index, [s for s, _, _ in hits])
    sources = index.sources({sentence.document_id for sentence, _, _ in hits})  # context comes from the same documents
    scored = []
    for sentence, stems, bm25 in hits:
        key = (sentence.document_id, sentence.position)
        lead = lead_ins.get(key, [])
        # a reader sees the lead-in too, so the keywords must carry the sentences together
        text = " ".join([*(s.text for s, _ in lead), sentence.text])
        share, matched = density((*(stem for _, ss in lead for stem in ss), *stems), text, topic.terms)
        scored.append((sentence, stems, bm25, share, matched, lead))
    top_density = max(s[3] for s in scored) or 1.0
    found: dict[tuple[str, int], Candidate] = {}
    for sentence, stems, bm25, share, matched, lead in scored:
        relevance = settings.bm25_share * bm25 / top_bm25 + (1 - settings.bm25_share) * share / top_density
        found[(sentence.document_id, sentence.position)] = Candidate(
            sentence, sources[sentence.document_id], stems, relevance, bm25, share, matched, lead_in=tuple(s for s, _ in lead)
        )
    _add_context(index, topic, found, sources)
    return sorted(found.values(), key=lambda c: (-c.relevance, c.id))


def _add_context(index: Index, topic: Topic, found: dict[tuple[str, int], Candidate], sources: dict[str, Source]) -> None:
    """The sentence after a strong match joins when it carries the point on."""
    strong = sorted(key for key, c in found.items() if c.relevance >= STRONG)
    excluded = {s for t in topic.exclude for s in t.stems}
    for key, (sentence, stems) in index.neighbours(strong, +1).items():
        parent = found[key]
        if (sentence.document_id, sentence.position) in found or sentence.is_question:
            continue
        if not _statement(sentence.text) or excluded & set(stems):
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
                lead_in=(*parent.lead_in, parent.sentence)[-LEAD_IN:] if opens_dependently(sentence.text) else (),
            )


def _statement(text: str) -> bool:
    """Long enough to say something, and complete: a sentence ending in a colon introduces a list."""
    return len(text.split()) >= MIN_WORDS and not text.rstrip().endswith(":")


def _shares_content(a: Sequence[str], b: Sequence[str]) -> bool:
    ignore = stopword_stems()
    return bool((set(a) - ignore) & (set(b) - ignore))


def _lead_ins(index: Index, sentences: list[Sentence]) -> dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]]:
    """For each sentence that points back ("That is why…"), the statements it leans on: the one
    before it, and the one before that while they point back too. Never a question or a
    heading, and across a paragraph break only when the same named speaker goes on (an answer
    in several paragraphs); a reporter's paragraph is a unit of its own."""
    dependent = {(s.document_id, s.position): s for s in sentences if opens_dependently(s.text)}
    found = {}
    for key, before in index.preceding(sorted(dependent), LEAD_IN).items():
        lead: list[tuple[Sentence, tuple[str, ...]]] = []
        after = dependent[key]
        for sentence, stems in reversed(before):
            if sentence.is_question or sentence.heading or sentence.position != after.position - 1:
                break
            if sentence.paragraph != after.paragraph and (sentence.speaker is None or sentence.speaker != after.speaker):
                break
            lead.insert(0, (sentence, stems))
            if not opens_dependently(sentence.text):
                break
            after = sentence
        if lead:
            found[key] = lead
    return found
