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
    frequency: Counter[Concept] = Counter()  # documents using each concept: the other bigrams are never counted
    total = 0
    for sentences in documents:
        frequency.update(uses.keys() & {pair for stems in sentences for pair in zip(stems, stems[1:])})
        total += 1
    wanted = set(query) - stopword_stems()
    keys = sorted(uses)
    documents_using = np.array([frequency[c] for c in keys], dtype=float)
    first = np.array([a in wanted for a, _ in keys], dtype=bool)
    second = np.array([b in wanted for _, b in keys], dtype=bool)
    columns = (
        np.log1p(documents_using),
        documents_using / max(1, total),
        first | second,
        first & second,
        np.array([capitalised[c] / uses[c] for c in keys]),
        np.array([a.isdigit() or b.isdigit() for a, b in keys]),
    )
    return keys, np.column_stack(columns).astype(float).reshape(len(keys), len(CONCEPT_FEATURES))
