"""The one small interface every ranker implements, the registry that names them, and
the TF-IDF space they share.

A ranker turns candidates into centrality scores; choosing (clusters, MMR, order) is
the same for all of them, so rankers can be compared on equal terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import UsageError
from ..models import Candidate
from ..nlp import stopword_stems
from .fitted import FITTED
from .model import Model


@dataclass(frozen=True)
class RankSettings:
    bias: float = 0.3  # share of the random walk that jumps back to relevant sentences (tuned on DUC 2006)
    threshold: float = 0.1  # cosine under which two sentences are not linked
    duplicate: float = 0.6  # cosine at which two sentences tell the same thing
    figure_overlap: float = 0.4  # content overlap at which sentences with the same figures are one fact
    mmr_lambda: float = 0.7  # MMR: importance against novelty
    corroboration: float = 0.1  # bonus per further source reporting the same fact
    sentences: int = 16  # how many items to choose; the page fit leaves out what does not fit
    words: int = 0  # stop once the chosen items hold this many words (0: no word budget)
    concepts: bool = True  # choose by concept coverage (Gillick & Favre) instead of MMR
    pool: int = 60  # concept coverage chooses among this many best-scored facts (tuned on DUC 2006)
    length_power: float = 1.0  # gain per word**power
    model: Model = FITTED  # sentence importance and concept weights, learned (model.py)


class Space:
    """TF-IDF vectors of the candidates, weighted against a background (their documents'
    sentences), and the cosine similarities between them."""

    def __init__(self, candidates: Sequence[Candidate], background: Sequence[Sequence[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        ignore = stopword_stems()
        vectorizer = TfidfVectorizer(analyzer=lambda stems: [s for s in stems if s not in ignore], sublinear_tf=True)
        vectorizer.fit([*background, *(c.stems for c in candidates)])
        self.vectors = vectorizer.transform([c.stems for c in candidates])
        similarity = (self.vectors @ self.vectors.T).tocsr()
        similarity.setdiag(0.0)
        similarity.eliminate_zeros()
        self.similarity = similarity

    def linked(self, threshold: float):
        """The similarity graph: cosines below ``threshold`` dropped."""
        graph = self.similarity.copy()
        graph.data[graph.data < threshold] = 0.0
        graph.eliminate_zeros()
        return graph


class Ranker(Protocol):
    name: str

    def centrality(self, candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> np.ndarray:
        """One non-negative score per candidate, higher is more central."""


RANKERS: dict[str, Ranker] = {}


def register(cls: type) -> type:
    RANKERS[cls.name] = cls()
    return cls


def get_ranker(name: str) -> Ranker:
    from . import lexrank, textrank  # noqa: F401  (importing registers them)

    if name not in RANKERS:
        raise UsageError(f"unknown ranker {name!r}; choose one of {', '.join(sorted(RANKERS))}")
    return RANKERS[name]
