"""TextRank and a relevance-only baseline, for comparison with topic-biased LexRank.

TextRank: Mihalcea & Tarau (2004), "TextRank: Bringing order into texts", EMNLP.
PageRank (damping 0.85) over a graph weighted by word overlap normalised by the log
lengths of the two sentences; it ignores the topic except through which sentences
were selected as candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import Candidate
from .base import RankSettings, Space, register
from .lexrank import stationary

DAMPING = 0.85


@register
class TextRank:
    name = "textrank"

    def centrality(self, candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> np.ndarray:
        present = space.vectors.copy()
        present.data[:] = 1.0
        overlap = (present @ present.T).tocsr()
        overlap.setdiag(0.0)
        overlap.eliminate_zeros()
        lengths = np.log(np.maximum(2, np.asarray(present.sum(axis=1)).ravel()))
        rows, cols = overlap.nonzero()
        overlap.data = overlap.data / (lengths[rows] + lengths[cols])
        return stationary(overlap, np.ones(len(candidates)), 1 - DAMPING)


@register
class Relevance:
    """No graph: the selection's own relevance score, a floor for the graph rankers to beat."""

    name = "relevance"

    def centrality(self, candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> np.ndarray:
        return np.array([c.relevance for c in candidates], dtype=float)
