"""Learned weights: how important a sentence is and how much a concept is worth covering,
fitted on reference summaries instead of tuned by hand.

Two linear models, fitted by least squares. A sentence's importance predicts the share of
its word bigrams that the reference summaries use (its ROUGE-2 precision); a concept's
weight predicts the share of reference summaries that use it, as Li, Qian & Liu (2013),
"Using supervised bigram-based ILP for extractive summarization", ACL, fit bigram weights.
Fitting happens offline (``briefing eval --cross-validate``, ``bench/fit_rank.py``, which
writes the shipped numbers to fitted.py); at run time a model is a dot product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FLOOR = 1e-6  # importance below this is this: ranked last, ties by id


@dataclass(frozen=True)
class Linear:
    names: tuple[str, ...]  # the features it uses
    coefficients: tuple[float, ...]
    intercept: float

    def predict(self, features: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """One value per row of ``features``, whose columns are ``names`` (a superset of ours)."""
        columns = [list(names).index(n) for n in self.names]
        return self.intercept + features[:, columns] @ np.array(self.coefficients)

    @classmethod
    def of(cls, weights: dict[str, float], intercept: float) -> Linear:
        return cls(tuple(weights), tuple(weights.values()), intercept)

    @classmethod
    def fit(cls, features: np.ndarray, targets: np.ndarray, names: Sequence[str], use: Sequence[str]) -> Linear:
        """Least squares with an intercept over the columns named in ``use``."""
        columns = [list(names).index(n) for n in use]
        design = np.column_stack([features[:, columns], np.ones(len(features))])
        solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
        return cls(tuple(use), tuple(float(round(c, 6)) for c in solution[:-1]), float(round(solution[-1], 6)))


@dataclass(frozen=True)
class Model:
    sentence: Linear
    concept: Linear

    def importance(self, features: np.ndarray, names: Sequence[str]) -> np.ndarray:
        return np.maximum(self.sentence.predict(features, names), FLOOR)

    def concept_weights(self, keys: Sequence, features: np.ndarray, names: Sequence[str]) -> dict:
        """The concepts worth anything, with their weights."""
        values = self.concept.predict(features, names) if len(keys) else np.zeros(0)
        return {key: float(v) for key, v in zip(keys, values) if v > 0}

    def source(self, note: str) -> str:
        """This model as the Python module fitted.py, headed by ``note``."""
        lines = [f'"""{note}"""', "", "from .model import Linear, Model", "", "FITTED = Model("]
        for part in ("sentence", "concept"):
            linear: Linear = getattr(self, part)
            lines += [f"    {part}=Linear.of(", "        {"]
            lines += [f'            "{name}": {value!r},' for name, value in zip(linear.names, linear.coefficients)]
            lines += ["        },", f"        intercept={linear.intercept!r},", "    ),"]
        return "\n".join([*lines, ")", ""])
