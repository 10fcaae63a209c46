"""Select and rank: a topic and an index in, a ``Selection`` out.

The one path every caller takes (``briefing make``, digests, ``briefing eval``), so
what is measured is what analysts get.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from .errors import BriefingError
from .index import Index
from .ingest.interview import role_of
from .models import Selection, Topic
from .rank.base import RankSettings, Space, get_ranker
from .rank.concepts import weights as concept_weights
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


def topic_concepts(topic: Topic, documents: dict[str, list[tuple[str, ...]]], settings: RankSettings) -> dict:
    """The weighted concepts of the documents a topic's candidates come from."""
    query = {s for t in topic.terms for s in t.stems}
    return concept_weights(documents.values(), query, settings.min_documents, settings.query_bonus)


def summarise(
    index: Index, topic: Topic, settings: SummarySettings = SummarySettings(), within: Collection[str] | None = None
) -> Selection:
    """``within``: only sentences of these documents (a digest's window) are candidates."""
    ranker = get_ranker(settings.ranker)
    found = candidates(index, topic, settings.select, within)
    if not found:
        raise NothingFound(f"no sentence in the corpus matches topic {topic.name!r} ({', '.join(topic.keywords)})")
    documents = index.stems_by_document(sorted({c.sentence.document_id for c in found}))
    space = Space(found, [s for sentences in documents.values() for s in sentences])
    weights = topic_concepts(topic, documents, settings.rank) if settings.rank.concepts else None
    centrality = ranker.centrality(found, space, settings.rank)
    selection = choose(topic, ranker.name, found, centrality, space, settings.rank, weights)
    speakers = sorted({p.candidate.sentence.speaker for p in selection.chosen if p.candidate.sentence.speaker})
    roles = ((name, role_of(name, index.mentions(name))) for name in speakers)
    return replace(selection, roles=tuple((name, role) for name, role in roles if role))
