"""Select and rank: a topic and an index in, a ``Selection`` out.

The one path every caller takes (``briefing make``, digests, ``briefing eval``), so
what is measured is what analysts get.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import BriefingError
from .index import Index
from .ingest.interview import role_of
from .models import Candidate, Selection, Topic
from .rank.base import RankSettings, Space, get_ranker
from .rank.concepts import CONCEPT_FEATURES, concept_features
from .rank.model import Model
from .rank.redundancy import choose
from .select import SelectSettings, candidates

DEFAULT_RANKER = "lexrank"


class NothingFound(BriefingError):
    """No sentence of the corpus matches the topic."""


@dataclass(frozen=True)
class SummarySettings:
    ranker: str = DEFAULT_RANKER
    select: SelectSettings = field(default_factory=SelectSettings)
    rank: RankSettings = field(default_factory=RankSettings)


@dataclass(frozen=True)
class Prepared:
    """What choosing starts from: a topic's candidates, their documents, the TF-IDF space and
    the ranker's centrality. Kept apart so models can be fitted and compared on the same input."""

    topic: Topic
    ranker: str
    candidates: tuple[Candidate, ...]
    documents: dict[str, list[tuple[str, ...]]]
    space: Space
    centrality: np.ndarray


def prepare(
    index: Index, topic: Topic, settings: SummarySettings = SummarySettings(), within: Collection[str] | None = None
) -> Prepared:
    """``within``: only sentences of these documents (a digest's window) are candidates."""
    ranker = get_ranker(settings.ranker)
    found = candidates(index, topic, settings.select, within)
    if not found:
        raise NothingFound(f"no sentence in the corpus matches topic {topic.name!r} ({', '.join(topic.keywords)})")
    documents = index.stems_by_document(sorted({c.sentence.document_id for c in found}))
    space = Space(found, [s for sentences in documents.values() for s in sentences])
    return Prepared(topic, ranker.name, tuple(found), documents, space, ranker.centrality(found, space, settings.rank))


def topic_concepts(prepared: Prepared, model: Model) -> dict:
    """The weighted concepts of a topic's candidates."""
    query = {s for t in prepared.topic.terms for s in t.stems}
    keys, features = concept_features(prepared.candidates, prepared.documents.values(), query)
    return model.concept_weights(keys, features, CONCEPT_FEATURES)


def decide(prepared: Prepared, settings: RankSettings) -> Selection:
    """Weigh concepts, cluster, choose and order."""
    weights = topic_concepts(prepared, settings.model) if settings.concepts else None
    c = prepared
    return choose(c.topic, c.ranker, c.candidates, c.centrality, c.space, settings, weights)


def summarise(
    index: Index, topic: Topic, settings: SummarySettings = SummarySettings(), within: Collection[str] | None = None
) -> Selection:
    """``within``: only sentences of these documents (a digest's window) are candidates."""
    selection = decide(prepare(index, topic, settings, within), settings.rank)
    speakers = sorted({p.candidate.sentence.speaker for p in selection.chosen if p.candidate.sentence.speaker})
    roles = ((name, role_of(name, index.mentions(name))) for name in speakers)
    return replace(selection, roles=tuple((name, role) for name, role in roles if role))
