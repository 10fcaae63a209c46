"""Concept coverage: choose the sentences that together cover the most weighted concepts.

Gillick & Favre (2009), "A scalable global model for summarization", ILP for NLP workshop:
concepts are word bigrams (stems), weighted by how many of the topic's documents use them;
a summary's value is the weight of the distinct concepts it covers, so a fact said twice
earns nothing the second time. The greedy choice (best new weight per word) comes close to
their ILP at a fraction of the cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ..nlp import stopword_stems

Concept = tuple[str, str]


def concepts(stems: Sequence[str]) -> set[Concept]:
    """The bigrams of a sentence that are not just two stopwords."""
    ignore = stopword_stems()
    return {(a, b) for a, b in zip(stems, stems[1:]) if not (a in ignore and b in ignore) and a.isalnum() and b.isalnum()}


def weights(
    documents: Iterable[Sequence[Sequence[str]]], query: Iterable[str], min_documents: int, query_bonus: float
) -> dict[Concept, float]:
    """Document frequency of each concept used by at least ``min_documents`` documents; concepts
    that hold a query stem count ``query_bonus`` times more."""
    frequency: Counter[Concept] = Counter()
    for sentences in documents:
        found: set[Concept] = set()
        for stems in sentences:
            found |= concepts(stems)
        frequency.update(found)
    wanted = set(query) - stopword_stems()
    return {
        c: n * (query_bonus if (c[0] in wanted or c[1] in wanted) else 1.0)
        for c, n in frequency.items()
        if n >= min_documents
    }
