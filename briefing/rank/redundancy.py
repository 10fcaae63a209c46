"""Nothing said twice: near-duplicates clustered, then maximal marginal relevance.

The same fact told by several outlets is one item that cites them all. Word-overlap
cosine misses paraphrases (the seeds' two "$50 billion" sentences score about 0.5), so
sentences that carry the same figures and share most content words are also the same
fact. Between facts, concept coverage (concepts.py) chooses what adds the most unseen
weighted concepts per word; where no concept is left, MMR (Carbonell & Goldstein 1998,
"The use of MMR, diversity-based reranking for reordering documents and producing
summaries", SIGIR) trades importance against novelty. Ties are broken by sentence id,
never by set order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import Candidate, Pick, Selection, Sentence, Topic
from ..nlp import stems, stopwords, words
from .base import RankSettings, Space
from .concepts import concepts
from .features import SENTENCE_FEATURES, says_nothing, sentence_features, stands_alone

_MAGNITUDE = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_FIGURE = re.compile(
    r"(?P<currency>[$€£¥])?\s?(?P<number>\d+(?:[.,]\d+)*)(?P<ordinal>st|nd|rd|th)?\b\s?"
    r"(?P<magnitude>thousand|million|mln|billion|bn|trillion|m\b)?\s?(?P<unit>%|per ?cent|percent)?",
    re.IGNORECASE,
)
_MONTH = re.compile(
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?"
    r"|Nov(?:ember)?|Dec(?:ember)?)\b"
)
_NEXT_TO_MONTH = re.compile(rf"(?:{_MONTH.pattern})\.?\s*$")
_BEFORE_MONTH = re.compile(rf"^\s*(?:of\s+)?(?:{_MONTH.pattern})")


def figures(text: str) -> frozenset[str]:
    """The numbers a sentence states, normalised and typed: "€12 billion" and "12 billion euros"
    are one ``amount``; "17%" a ``percent``; "2023" a ``year``; "April 1st" a ``day``."""
    found = set()
    for match in _FIGURE.finditer(text):
        raw = match["number"]
        try:
            value = float(raw.replace(",", "")) if raw.count(",") != 1 or len(raw.split(",")[1]) == 3 else float(
                raw.replace(",", ".")
            )
        except ValueError:
            continue
        beside_month = _NEXT_TO_MONTH.search(text[: match.start()]) or _BEFORE_MONTH.match(text[match.end("number") :])
        if match["unit"]:
            found.add(f"percent:{value:g}")
        elif match["magnitude"]:
            found.add(f"amount:{value * _MAGNITUDE[match['magnitude'].lower()]:g}")
        elif 1900 <= value <= 2100 and raw.isdigit() and not match["ordinal"]:
            found.add(f"year:{value:g}")
        elif (match["ordinal"] or beside_month) and value <= 31:
            found.add(f"day:{value:g}")
        else:
            found.add(f"number:{value:g}")
    return frozenset(found)


def key_figures(text: str) -> frozenset[str]:
    """The figures an analyst looks for: money, shares and counts in the thousands; not dates."""
    return frozenset(
        f
        for f in figures(text)
        if f.startswith(("amount:", "percent:")) or (f.startswith("number:") and float(f[7:]) >= 1000)
    )


def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in words(text) if w not in stopwords())


def _adjacent_pairs(candidates: Sequence[Candidate]) -> set[tuple[int, int]]:
    """Pairs (i < j) where one continues the other or leans on it: they complete each other, they
    do not repeat. Found from each candidate's own links, not by testing every pair (a corpus of
    wire copy has tens of thousands of same-fact pairs)."""
    where = {c.id: k for k, c in enumerate(candidates)}
    found = set()
    for k, c in enumerate(candidates):
        for target in c.leans_on:
            if target in where:
                found.add((min(k, where[target]), max(k, where[target])))
    return found


def _incidence(rows: Sequence[frozenset[str]]):
    """A sparse 0/1 matrix: one row per set, one column per distinct member."""
    import scipy.sparse as sp

    columns = {member: k for k, member in enumerate(sorted(set().union(*rows)))}
    indices = [columns[m] for row in rows for m in sorted(row)]
    indptr = np.cumsum([0, *(len(row) for row in rows)])
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), max(1, len(columns))))


def same_fact_pairs(candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> set[tuple[int, int]]:
    """Pairs (i < j) that tell the same fact: a cosine of ``duplicate`` or more, or the same
    figures (at least half of the smaller set shared) and ``figure_overlap`` of content words."""
    import scipy.sparse as sp

    pairs = set(space.close(settings.duplicate))
    figure_sets = [figures(c.sentence.text) for c in candidates]
    if any(figure_sets):
        numbers = _incidence(figure_sets)
        shared = sp.triu(numbers @ numbers.T, k=1).tocoo()
        counts = np.array([len(f) for f in figure_sets])
        enough = shared.data * 2 >= np.minimum(counts[shared.row], counts[shared.col])
        rows, cols = shared.row[enough], shared.col[enough]
        if len(rows):
            content_sets = [_content(c.sentence.text) for c in candidates]
            content = _incidence(content_sets)
            common = np.asarray(content[rows].multiply(content[cols]).sum(axis=1)).ravel()
            sizes = np.array([max(1, len(c)) for c in content_sets])
            similar = common / np.minimum(sizes[rows], sizes[cols]) >= settings.figure_overlap
            pairs.update(zip(rows[similar].tolist(), cols[similar].tolist()))
    return pairs - _adjacent_pairs(candidates)


def clusters(candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> list[int]:
    """A cluster label per candidate (the smallest member index): single-link over same-fact pairs,
    taken in any order (a root is always its set's smallest member, whatever the order of merging)."""
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in same_fact_pairs(candidates, space, settings):
        a, b = root(i), root(j)
        parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(candidates))]


def choose(
    topic: Topic,
    ranker: str,
    candidates: Sequence[Candidate],
    centrality: np.ndarray,
    space: Space,
    settings: RankSettings,
    concept_weights: dict | None = None,
) -> Selection:
    """Score (the learned importance), cluster, pick (by concept coverage when ``concept_weights``
    are given, else by MMR; never what says nothing), and put the picks in brief order."""
    n = len(candidates)
    ids = [c.id for c in candidates]
    central = centrality / (centrality.max() or 1.0)
    score = settings.model.importance(sentence_features(candidates, centrality), SENTENCE_FEATURES)
    label = clusters(candidates, space, settings)
    groups: dict[int, list[int]] = {}
    for i in sorted(range(n), key=lambda i: (-score[i], ids[i])):
        groups.setdefault(label[i], []).append(i)
    heads = {group[0]: group for group in groups.values()}
    for head, group in heads.items():
        outlets = {candidates[i].source.outlet or candidates[i].sentence.document_id for i in group}
        score[head] *= 1 + settings.corroboration * (len(outlets) - 1)

    redundancy = np.zeros(n)
    position = {key: i for i, key in enumerate(ids)}
    lead_of = {i: [position[key] for key in _ids(c.lead_in) if key in position] for i, c in enumerate(candidates)}
    picked: list[int] = []
    reasons: dict[int, str] = {}
    shown: set[int] = set()  # cluster labels of every sentence shown, lead-ins included
    waiting = sorted(heads, key=lambda i: ids[i])
    empty = {i for i in waiting if says_nothing(candidates[i].text)}
    reasons.update({i: "says nothing a brief needs: about the interview itself, or praise" for i in empty})
    waiting = [i for i in waiting if i not in empty]
    # what cannot stand alone waits until what it leans on is chosen: then it reads as its sequel
    unresolved = {i for i in waiting if not stands_alone(candidates[i])}
    top = score.max() or 1.0
    closest = np.zeros(n)  # each candidate's highest cosine to anything picked so far
    coverage = _Coverage(candidates, concept_weights, settings) if concept_weights else None
    if coverage is not None:
        pool = set(sorted(waiting, key=lambda i: (-score[i], ids[i]))[: settings.pool])
        reasons.update({i: "outside the pool of best-ranked sentences" for i in waiting if i not in pool})
        waiting = [i for i in waiting if i in pool]
    words = 0
    said: set[str] = set()  # every sentence shown so far, lead-ins included, as text: two outlets can print one
    while waiting and len(picked) < settings.sentences and not (settings.words and words >= settings.words):
        usable = np.array([i not in unresolved or any(j in picked for j in lead_of[i]) for i in waiting])
        if not usable.any():
            break
        gains = coverage.value(waiting) if coverage is not None else None
        if gains is not None and gains[usable].max() > 0:
            value = gains + 1e-6 * score[waiting] / top
        else:  # no concept left to cover (or none wanted): importance against novelty
            value = settings.mmr_lambda * score[waiting] / top - (1 - settings.mmr_lambda) * closest[waiting]
        value[~usable] = -np.inf
        i = waiting.pop(int(np.argmax(value)))  # first of equal values: the smallest id
        if label[i] in shown:
            reasons[i] = "already shown as the lead-in of a chosen sentence"
            continue
        lead = _shown_lead(candidates[i], {ids[j] for j in picked})
        repeated = [position[key] for key in _ids(lead) if key in position and label[position[key]] in shown]
        if repeated:
            reasons[i] = f"its lead-in repeats {_label(candidates[repeated[0]])}, already shown"
            continue
        texts = [_said(s.text) for s in (*lead, candidates[i].sentence)]
        if said.intersection(texts):
            reasons[i] = "it or its lead-in repeats a sentence already shown"
            continue
        said.update(texts)
        redundancy[i] = closest[i]
        picked.append(i)
        words += sum(len(s.text.split()) for s in (*lead, candidates[i].sentence))
        if coverage is not None:
            coverage.take(i)
        closest = np.maximum(closest, space.row(i))
        shown.update(label[j] for j in (i, *lead_of[i]))
    reasons.update({i: _left(i in unresolved, label[i] in shown) for i in waiting})
    for head, group in heads.items():
        reasons.update({i: f"same fact as {_label(candidates[head])}" for i in group[1:]})
    rest = [i for i in heads if i not in picked]
    redundancy[rest] = closest[rest]

    chosen = {ids[i] for i in picked}
    # coverage decides what is in and importance (the score) the order of what is in; MMR's
    # order is its picking order. What a reader cannot follow alone goes after the rest: the
    # page fit leaves it out first.
    alone = {i: stands_alone(candidates[i]) for i in picked}
    order = (lambda i: (-score[i], ids[i])) if coverage is not None else picked.index
    importance = sorted(picked, key=lambda i: (not alone[i], order(i)))

    def pick(i: int) -> Pick:
        return Pick(
            candidates[i],
            float(score[i]),
            float(central[i]),
            float(redundancy[i]),
            tuple(candidates[j] for j in heads.get(i, [i])),
            reasons[i],
            _shown_lead(candidates[i], chosen),
            importance.index(i) + 1 if i in picked else 0,
        )

    reasons.update({i: f"chosen, rank {k}" for k, i in enumerate(importance, 1)})
    rejected = sorted(set(range(n)) - set(picked), key=lambda i: (-score[i], ids[i]))
    return Selection(topic, ranker, tuple(pick(i) for i in _brief_order(importance, candidates)), tuple(map(pick, rejected)))


class _Coverage:
    """Greedy concept coverage: the new concept weight a candidate would add, per word."""

    def __init__(self, candidates: Sequence[Candidate], weights: dict, settings: RankSettings) -> None:
        self.weights = weights
        self.power = settings.length_power
        self.covered: set = set()
        self.items = [
            concepts((*(stem for s in c.lead_in for stem in stems(s.text)), *c.stems)) & weights.keys()
            for c in candidates
        ]
        self.lengths = np.array([max(1, len(c.text.split())) for c in candidates], dtype=float)

    def value(self, waiting: list[int]) -> np.ndarray:
        gains = np.array([sum(self.weights[c] for c in self.items[i] - self.covered) for i in waiting])
        return gains / self.lengths[waiting] ** self.power

    def take(self, i: int) -> None:
        self.covered |= self.items[i]


def _brief_order(picked: list[int], candidates: Sequence[Candidate]) -> list[int]:
    """Importance order, except that a sentence leaning on a chosen one stands right after it."""
    chosen = {candidates[i].id for i in picked}

    def anchor(i: int) -> tuple[str, int] | None:
        """The chosen sentence this one must follow: the one it continues, or its lead-in."""
        c = candidates[i]
        return next((key for key in c.leans_on if key in chosen and key != c.id), None)

    ordered: list[int] = []

    def place(i: int) -> None:
        ordered.append(i)
        for j in picked:
            if anchor(j) == candidates[i].id:
                place(j)

    for i in picked:
        if anchor(i) is None:
            place(i)
    return ordered


def _left(unresolved: bool, shown: bool) -> str:
    if shown:
        return "already shown as the lead-in of a chosen sentence"
    if unresolved:
        return "cannot stand alone: it leans on what it cannot bring, or a heading is run into it"
    return "below the cut"


def _shown_lead(candidate: Candidate, chosen: set[tuple[str, int]]) -> tuple[Sentence, ...]:
    """What of a candidate's lead-in a reader is shown: what follows the last chosen sentence in it
    (that one, and what precedes it, stand before it already)."""
    ids = _ids(candidate.lead_in)
    return candidate.lead_in[max((k + 1 for k, key in enumerate(ids) if key in chosen), default=0) :]


def _said(text: str) -> str:
    return " ".join(text.split())


def _ids(sentences: Sequence[Sentence]) -> list[tuple[str, int]]:
    return [(s.document_id, s.position) for s in sentences]


def _label(candidate: Candidate) -> str:
    return f"{candidate.sentence.document_id}#{candidate.sentence.position}"
