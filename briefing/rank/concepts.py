"""Concept coverage: choose the sentences that together cover the most weighted concepts.

Gillick & Favre (2009), "A scalable global model for summarization", ILP for NLP workshop:
concepts are word bigrams (stems); a summary's value is the weight of the distinct concepts
it covers, so a fact said twice earns nothing the second time. The greedy choice (best new
weight per word) comes close to their ILP at a fraction of the cost.

The weights are learned, not counted: Li, Qian & Liu (2013), "Using supervised bigram-based
ILP for extractive summarization", ACL, fit a bigram's weight to how often the reference
summaries use it, from features such as its document frequency. Ours is a linear model
(model.py) over the columns of ``CONCEPT_FEATURES``, fitted on DUC 2006.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from ..models import Candidate
from ..nlp import _WORD as WORD  # the tokens words() lower-cases: one per stem
from ..nlp import stopword_stems

Concept = tuple[str, str]

CONCEPT_FEATURES = (
    "log_documents",  # log(1 + documents using it)
    "document_share",  # share of the topic's documents using it
    "query_one",  # it holds a query stem
    "query_both",  # both its stems are query stems
    "capitalised",  # share of its uses with a capitalised word (a name) past the sentence's start
    "number",  # it holds a number
)


def concepts(stems: Sequence[str]) -> set[Concept]:
    """The bigrams of a sentence that are not just two stopwords."""
    ignore = stopword_stems()
    return {(a, b) for a, b in zip(stems, stems[1:]) if not (a in ignore and b in ignore) and a.isalnum() and b.isalnum()}


def concept_features(
    candidates: Sequence[Candidate], documents: Iterable[Sequence[Sequence[str]]], query: Iterable[str]
) -> tuple[list[Concept], np.ndarray]:
    """The concepts the candidates use, in a fixed order, and a row of features for each."""
    frequency: Counter[Concept] = Counter()
    total = 0
    for sentences in documents:
        found: set[Concept] = set()
        for stems in sentences:
            found |= concepts(stems)
        frequency.update(found)
        total += 1
    uses: Counter[Concept] = Counter()
    capitalised: Counter[Concept] = Counter()
    for candidate in candidates:
        used = concepts(candidate.stems)
        stems = candidate.stems
        tokens = WORD.findall(candidate.sentence.text)
        upper = [t[:1].isupper() for t in tokens] if len(tokens) == len(stems) else [False] * len(stems)
        for k, pair in enumerate(zip(stems, stems[1:])):
            if pair in used:
                uses[pair] += 1
                capitalised[pair] += (upper[k] and k > 0) or upper[k + 1]
    wanted = set(query) - stopword_stems()
    keys = sorted(uses)
    rows = [
        (
            math.log1p(frequency[c]),
            frequency[c] / max(1, total),
            (c[0] in wanted) or (c[1] in wanted),
            (c[0] in wanted) and (c[1] in wanted),
            capitalised[c] / uses[c],
            c[0].isdigit() or c[1].isdigit(),
        )
        for c in keys
    ]
    return keys, np.array(rows, dtype=float).reshape(len(keys), len(CONCEPT_FEATURES))
