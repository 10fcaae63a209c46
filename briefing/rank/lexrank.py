"""Topic-biased LexRank.

Erkan & Radev (2004), "LexRank: Graph-based lexical centrality as salience in text
summarization", JAIR 22; Otterbacher, Erkan & Radev (2005), "Using random walks for
question-focused sentence retrieval", HLT/EMNLP. A random walk over the cosine
similarity graph of the candidates that, with probability ``bias``, jumps back to a
sentence in proportion to its relevance to the topic: central *and* on topic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import Candidate
from .base import RankSettings, Space, register


def stationary(graph, jump: np.ndarray, bias: float, tolerance: float = 1e-9, steps: int = 500) -> np.ndarray:
    """Stationary distribution of: with probability ``bias`` jump by ``jump``, else follow a weighted edge.

    Sentences linked to nothing hand their weight to the jump distribution.
    """
    jump = jump / jump.sum()
    out_weight = np.asarray(graph.sum(axis=1)).ravel()
    dangling = out_weight == 0
    scale = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=~dangling)
    walk = graph.multiply(scale[:, None]).T.tocsr()
    p = jump.copy()
    for _ in range(steps):
        following = walk @ p + p[dangling].sum() * jump
        new = bias * jump + (1 - bias) * following
        if np.abs(new - p).sum() < tolerance:
            return new
        p = new
    return p


@register
class LexRank:
    name = "lexrank"

    def centrality(self, candidates: Sequence[Candidate], space: Space, settings: RankSettings) -> np.ndarray:
        relevance = np.array([c.relevance for c in candidates], dtype=float)
        return stationary(space.linked(settings.threshold), relevance + 1e-9, settings.bias)
