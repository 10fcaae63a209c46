"""Nothing said twice: near-duplicates clustered, then maximal marginal relevance.

The same fact told by several outlets is one item that cites them all. Word-overlap
cosine misses paraphrases (the seeds' two "$50 billion" sentences score about 0.5), so
sentences that carry the same figures and share most content words are also the same
fact. Between facts, MMR (Carbonell & Goldstein 1998, "The use of MMR, diversity-based
reranking for reordering documents and producing summaries", SIGIR) trades importance
against novelty. Ties are broken by sentence id, never by set order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import Candidate, Pick, Selection, Topic
from ..nlp import stopwords, words
from ..select import opens_dependently
from .base import RankSettings, Space

_MAGNITUDE = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_FIGURE = re.compile(
    r"(?P<currency>[$€£¥])?\s?(?P<number>\d+(?:[.,]\d+)*)\s?(?P<magnitude>thousand|million|mln|billion|bn|trillion|m\b)?"
    r"\s?(?P<unit>%|per ?cent|percent)?",
    re.IGNORECASE,
)
_MONTH = re.compile(
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?"
    r"|Nov(?:ember)?|Dec(?:ember)?)\b"
)


def figures(text: str) -> frozenset[str]:
    """The numbers a sentence states, normalised: "€12 billion" and "12 billion euros" are one figure."""
    found = set()
    for match in _FIGURE.finditer(text):
        raw = match["number"]
        try:
            value = float(raw.replace(",", "")) if raw.count(",") != 1 or len(raw.split(",")[1]) == 3 else float(
                raw.replace(",", ".")
            )
        except ValueError:
            continue
        if match["unit"]:
            found.add(f"percent:{value:g}")
        elif match["magnitude"]:
            found.add(f"amount:{value * _MAGNITUDE[match['magnitude'].lower()]:g}")
        elif 1900 <= value <= 2100 and raw.isdigit():
            found.add(f"year:{value:g}")
        else:
            found.add(f"number:{value:g}")
    return frozenset(found)


def specificity(text: str) -> float:
    """0–1: how many figures, names and dates a sentence carries (an analyst learns more from them)."""
    tokens = text.split()
    names = sum(1 for t in tokens[1:] if t[:1].isupper())
    score = 2 * len(figures(text)) + names + len(_MONTH.findall(text))
    return min(1.0, score / 8)


def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in words(text) if w not in stopwords())


def _same_fact(a: Candidate, b: Candidate, cosine: float, settings: RankSettings) -> bool:
    if cosine >= settings.duplicate:
        return True
    fa, fb = figures(a.sentence.text), figures(b.sentence.text)
    shared = fa & fb
    if not shared or len(shared) * 2 < min(len(fa), len(fb)):
        return False
    ca, cb = _content(a.sentence.text), _content(b.sentence.text)
    return len(ca & cb) / max(1, min(len(ca), len(cb))) >= settings.figure_overlap


def _adjacent(a: Candidate, b: Candidate) -> bool:
    """One continues the other or is its lead-in: they complete each other, they do not repeat."""
    def leans_on(x: Candidate, y: Candidate) -> bool:
        lead = x.lead_in
        return x.follows == y.id or (lead is not None and (lead.document_id, lead.position) == y.id)

    return leans_on(a, b) or leans_on(b, a)


def clusters(candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> list[int]:
    """A cluster label per candidate (the smallest member index): single-link over same-fact pairs."""
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = set(zip(*space.similarity.nonzero()))
    by_figure: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        for figure in figures(c.sentence.text):
            by_figure.setdefault(figure, []).append(i)
    for members in by_figure.values():
        pairs.update((i, j) for i in members for j in members if i < j)
    for i, j in sorted(pairs):
        if i >= j or _adjacent(candidates[i], candidates[j]):
            continue
        if _same_fact(candidates[i], candidates[j], space.similarity[i, j], settings):
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
) -> Selection:
    """Cluster, score, pick by MMR, and put the picks in brief order."""
    n = len(candidates)
    ids = [c.id for c in candidates]
    central = centrality / (centrality.max() or 1.0)
    score = central * np.array([_bonus(c, settings) for c in candidates])
    label = clusters(candidates, space, settings)
    groups: dict[int, list[int]] = {}
    for i in sorted(range(n), key=lambda i: (-score[i], ids[i])):
        groups.setdefault(label[i], []).append(i)
    heads = {group[0]: group for group in groups.values()}
    for head, group in heads.items():
        outlets = {candidates[i].source.outlet or candidates[i].sentence.document_id for i in group}
        score[head] *= 1 + settings.corroboration * (len(outlets) - 1)

    position = {key: i for i, key in enumerate(ids)}
    lead_of = {
        i: position.get((c.lead_in.document_id, c.lead_in.position)) for i, c in enumerate(candidates) if c.lead_in
    }
    picked: list[int] = []
    reasons: dict[int, str] = {}
    shown: set[int] = set()  # cluster labels of every sentence shown, lead-ins included
    waiting = sorted(heads, key=lambda i: ids[i])
    top = score.max() or 1.0
    while waiting and len(picked) < settings.sentences:
        sims = _max_similarity(space, waiting, picked)
        value = settings.mmr_lambda * score[waiting] / top - (1 - settings.mmr_lambda) * sims
        i = waiting.pop(int(np.argmax(value)))  # first of equal values: the smallest id
        lead = lead_of.get(i)
        if label[i] in shown:
            reasons[i] = "already shown as the lead-in of a chosen sentence"
            continue
        if lead is not None and lead not in picked and label[lead] in shown:
            reasons[i] = f"its lead-in repeats {_label(candidates[lead])}, already shown"
            continue
        picked.append(i)
        reasons[i] = f"chosen, rank {len(picked)}"
        shown.add(label[i])
        if lead is not None:
            shown.add(label[lead])
    reasons.update(
        {i: "already shown as the lead-in of a chosen sentence" if label[i] in shown else "below the cut" for i in waiting}
    )
    for head, group in heads.items():
        reasons.update({i: f"same fact as {_label(candidates[head])}" for i in group[1:]})
    redundancy = np.zeros(n)
    redundancy[list(heads)] = _max_similarity(space, list(heads), picked)

    chosen = {ids[i] for i in picked}

    def pick(i: int) -> Pick:
        lead = candidates[i].lead_in
        return Pick(
            candidates[i],
            float(score[i]),
            float(central[i]),
            float(redundancy[i]),
            tuple(candidates[j] for j in heads.get(i, [i])),
            reasons[i],
            lead if lead is not None and (lead.document_id, lead.position) not in chosen else None,
        )

    rejected = sorted(set(range(n)) - set(picked), key=lambda i: (-score[i], ids[i]))
    return Selection(topic, ranker, tuple(pick(i) for i in _brief_order(picked, candidates)), tuple(map(pick, rejected)))


def _bonus(candidate: Candidate, settings: RankSettings) -> float:
    """Specific sentences up; one that points back without its lead-in down."""
    bonus = 1 + settings.specificity * specificity(candidate.text)
    if opens_dependently(candidate.sentence.text) and candidate.lead_in is None:
        bonus *= settings.dependent_penalty
    return bonus


def _max_similarity(space: Space, rows: list[int], columns: list[int]) -> np.ndarray:
    if not rows or not columns:
        return np.zeros(len(rows))
    return space.similarity[rows][:, columns].toarray().max(axis=1)


def _brief_order(picked: list[int], candidates: Sequence[Candidate]) -> list[int]:
    """Importance order, except that a sentence leaning on a chosen one stands right after it."""
    chosen = {candidates[i].id for i in picked}

    def anchor(i: int) -> tuple[str, int] | None:
        """The chosen sentence this one must follow: the one it continues, or its lead-in."""
        c = candidates[i]
        lead = (c.lead_in.document_id, c.lead_in.position) if c.lead_in is not None else None
        return next((key for key in (c.follows, lead) if key in chosen and key != c.id), None)

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


def _label(candidate: Candidate) -> str:
    return f"{candidate.sentence.document_id}#{candidate.sentence.position}"
