"""Select and rank: a topic and an index in, a ``Selection`` out.

The one path every caller takes (``briefing make``, digests, ``briefing eval``), so
what is measured is what analysts get.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
    documents = _background(index, found, settings.select.background)
    space = Space(found, [s for sentences in documents.values() for s in sentences])
    return Prepared(topic, ranker.name, tuple(found), documents, space, ranker.centrality(found, space, settings.rank))


def _background(index: Index, found: Sequence[Candidate], whole: int) -> dict[str, list[tuple[str, ...]]]:
    """The stems of the sentences words are weighed against, by document: every sentence of the
    ``whole`` documents holding the most relevant candidates, only the candidates of the others.
    Without a bound, a broad topic on a large corpus reads every sentence of a thousand documents
    or more (0.3 s to read, as much again to count) to refine weights a few hundred settle."""
    ranked = list(dict.fromkeys(c.sentence.document_id for c in found))
    read = index.stems_by_document(sorted(ranked[:whole]))
    lent: dict[str, list[tuple[str, ...]]] = {}
    for candidate in sorted(found, key=lambda c: c.id):
        if candidate.sentence.document_id not in read:
            lent.setdefault(candidate.sentence.document_id, []).append(candidate.stems)
    return {doc_id: read[doc_id] if doc_id in read else lent[doc_id] for doc_id in sorted(ranked)}


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
