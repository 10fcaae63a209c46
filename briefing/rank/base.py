"""The one small interface every ranker implements, the registry that names them, and
the TF-IDF space they share.

A ranker turns candidates into centrality scores; choosing (clusters, MMR, order) is
the same for all of them, so rankers can be compared on equal terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
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
        self.vectors = tfidf([*background, *(c.stems for c in candidates)], [c.stems for c in candidates])
        similarity = (self.vectors @ self.vectors.T).tocsr()
        similarity.setdiag(0.0)
        similarity.eliminate_zeros()
        self.similarity = similarity

    def linked(self, threshold: float):
        """The similarity graph: cosines below ``threshold`` dropped. Built from the cosines kept: on a
        broad topic the matrix is nearly dense, and copying it to zero most of it cost a quarter second."""
        import scipy.sparse as sp

        cosines, rows = self.similarity, self._row_of_each
        kept = cosines.data >= threshold
        indptr = np.zeros(len(cosines.indptr), dtype=cosines.indptr.dtype)
        np.cumsum(np.bincount(rows[kept], minlength=cosines.shape[0]), out=indptr[1:])
        return sp.csr_matrix((cosines.data[kept], cosines.indices[kept], indptr), shape=cosines.shape)

    def close(self, threshold: float) -> list[tuple[int, int]]:
        """The pairs (i < j) of candidates whose cosine is ``threshold`` or more."""
        cosines, rows = self.similarity, self._row_of_each
        kept = (cosines.data >= threshold) & (rows < cosines.indices)
        return list(zip(rows[kept].tolist(), cosines.indices[kept].tolist()))

    def row(self, i: int) -> np.ndarray:
        """The cosines of candidate ``i`` with each candidate: a row, as the matrix is symmetric (to
        the last bit: each cosine sums the same products in the same order), and a row is cheap to
        take from it where a column is not."""
        return self.similarity[i].toarray().ravel()

    @cached_property
    def _row_of_each(self) -> np.ndarray:
        """The row of each stored cosine: taken once, as the graph and the same-fact pairs both need it."""
        return np.repeat(np.arange(self.similarity.shape[0]), np.diff(self.similarity.indptr))


def tfidf(fitted: Sequence[Sequence[str]], documents: Sequence[Sequence[str]]):
    """L2-normalised TF-IDF rows of ``documents`` (stopword stems left out) with sublinear tf and
    smoothed idf learnt from ``fitted``: scikit-learn's TfidfVectorizer(sublinear_tf=True), operation
    for operation (columns in term order, each row's squares summed in order), so the vectors are the
    same to the last bit, without the second it takes to import scikit-learn."""
    import scipy.sparse as sp

    ignore = stopword_stems()
    counted = Counter(chain.from_iterable(map(set, fitted)))
    terms = sorted(counted.keys() - ignore)
    columns = {term: k for k, term in enumerate(terms)}
    df = np.array([counted[term] for term in terms], dtype=np.float64)
    df += 1.0
    idf = np.full_like(df, len(fitted) + 1)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for stems in documents:
        found: dict[int, int] = {}
        for term in stems:
            if term not in ignore:
                found[columns[term]] = found.get(columns[term], 0) + 1
        for column in sorted(found):
            indices.append(column)
            counts.append(found[column])
        indptr.append(len(indices))
    data = np.array(counts, dtype=np.float64)
    np.log(data, out=data)
    data += 1.0
    data *= idf[np.array(indices, dtype=np.intp)]
    squares = (data * data).tolist()
    for row in range(len(documents)):
        start, end = indptr[row], indptr[row + 1]
        total = 0.0
        for value in squares[start:end]:
            total += value
        if total:
            data[start:end] /= np.sqrt(total)
    shape = (len(documents), len(columns))
    return sp.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)), shape=shape)


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
