"""The data that crosses stages: small frozen dataclasses, never dicts."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .dates import PartialDate

KINDS = ("interview", "report")


@dataclass(frozen=True)
class Source:
    """What is known of where an article came from; a field not known stays None, never invented."""

    outlet: str | None = None
    title: str | None = None
    author: str | None = None
    date: PartialDate | None = None
    url: str | None = None
    kind: str | None = None
    place: str | None = None
    note: str | None = None

    def filled_from(self, other: Source) -> Source:
        """This source with its unknown fields taken from ``other`` (what the text itself said)."""
        missing = {f.name: getattr(other, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **{k: v for k, v in missing.items() if v is not None})

    def as_dict(self) -> dict[str, str]:
        """The known fields as strings, in a fixed order (front matter, JSON)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Document:
    """One article of the corpus: its raw text as published and what is known of it."""

    id: str
    path: str
    source: Source
    body: str
    content_hash: str


@dataclass(frozen=True)
class Sentence:
    """A sentence some source really printed, where it stands and who says it.

    Its identity is ``(document_id, position)``, never its text: two outlets can print
    the same sentence.
    """

    document_id: str
    paragraph: int
    position: int
    text: str
    speaker: str | None = None
    is_question: bool = False
    in_quote: bool = False


@dataclass(frozen=True)
class DocumentSummary:
    """A document as ``corpus list`` shows it."""

    id: str
    path: str
    source: Source
    sentences: int


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class BuildReport:
    """What an index build did: ``processed`` is the work, ``unchanged`` what it spared."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    rebuilt_because: str | None = None

    @property
    def processed(self) -> int:
        return len(self.added) + len(self.updated)
