"""The data that crosses stages: small frozen dataclasses, never dicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from pathlib import Path

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
        """The known fields as strings, in a fixed order (front matter)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def as_json(self) -> dict[str, str | None]:
        """What a footnote needs, unknown fields as null, for tools reading our JSON."""
        return {
            "outlet": self.outlet,
            "title": self.title,
            "author": self.author,
            "date": None if self.date is None else str(self.date),
            "url": self.url,
            "kind": self.kind,
        }


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
    """A sentence some source really printed, where it stands and who says it; or one of the
    article's headings, kept so the index holds the whole article as printed.

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
    heading: bool = False  # a heading, label or list entry: kept as printed, never quoted as a point

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "paragraph": self.paragraph,
            "text": self.text,
            "speaker": self.speaker,
            "question": self.is_question,
            "quote": self.in_quote,
            "heading": self.heading,
        }


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
    skipped_before: tuple[str, ...] = ()  # paths in ``skipped`` skipped for the same reason last time

    @property
    def newly_skipped(self) -> tuple[Skipped, ...]:
        """What a command that only reads the index says: a file is named once, not at every `make`."""
        before = set(self.skipped_before)
        return tuple(s for s in self.skipped if s.path not in before)

    @property
    def processed(self) -> int:
        return len(self.added) + len(self.updated)


@dataclass(frozen=True)
class Term:
    """A keyword or phrase as the user wrote it, and the stems it matches."""

    text: str
    stems: tuple[str, ...]
    weight: float = 1.0

    @property
    def is_phrase(self) -> bool:
        return len(self.stems) > 1


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    terms: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.terms)


@dataclass(frozen=True)
class Candidate:
    """A sentence that may go into a brief, with why it was found.

    ``relevance`` (0–1) mixes BM25 and keyword density; ``follows`` names the strongly
    matching sentence this one continues, when it joined through the context window;
    ``lead_in`` is what it leans on: the sentences right before it, in order, kept when this one
    opens with "That is why …" (and the one before that, when the lead-in leans back too).
    """

    sentence: Sentence
    source: Source
    stems: tuple[str, ...]
    relevance: float
    bm25: float
    density: float
    matched: tuple[str, ...] = ()
    follows: tuple[str, int] | None = None
    lead_in: tuple[Sentence, ...] = ()

    @property
    def id(self) -> tuple[str, int]:
        return (self.sentence.document_id, self.sentence.position)

    @property
    def text(self) -> str:
        """What a reader would be shown: the lead-in, if any, then the sentence."""
        return " ".join([*(s.text for s in self.lead_in), self.sentence.text])

    @property
    def leans_on(self) -> tuple[tuple[str, int], ...]:
        """The ids of the sentences it needs before it: the one it continues, then its lead-in, nearest first."""
        lead = tuple((s.document_id, s.position) for s in reversed(self.lead_in))
        return lead if self.follows is None else (self.follows, *lead)

    @property
    def opening(self) -> Sentence:
        """The sentence a reader starts with."""
        return self.lead_in[0] if self.lead_in else self.sentence


@dataclass(frozen=True)
class Pick:
    """A candidate judged: its scores, the near-duplicates it stands for, and the reason for the verdict."""

    candidate: Candidate
    score: float
    centrality: float
    redundancy: float
    cluster: tuple[Candidate, ...]
    reason: str
    lead_in: tuple[Sentence, ...] = ()  # shown before the sentence: its lead-in after the last chosen item in it
    rank: int = 0  # 1 for the most important chosen item; 0 when not chosen

    @property
    def cited(self) -> tuple[tuple[str, Source], ...]:
        """Every document that reports this fact, with its source, oldest first, ties by id."""
        seen: dict[str, Source] = {}
        for member in sorted(self.cluster, key=lambda c: (c.source.date.sort_key if c.source.date else (0, 0, 0), c.id)):
            seen.setdefault(member.sentence.document_id, member.source)
        return tuple(seen.items())

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(source for _, source in self.cited)


@dataclass(frozen=True)
class Selection:
    """What the summariser chose for a topic, in brief order, and what it turned down."""

    topic: Topic
    ranker: str
    chosen: tuple[Pick, ...]
    rejected: tuple[Pick, ...]
    roles: tuple[tuple[str, str], ...] = ()  # what the speakers of chosen sentences are, as the corpus says


@dataclass(frozen=True)
class Note:
    """A numbered source footnote: one per document, however many points cite it."""

    number: int
    document_id: str
    source: Source


@dataclass(frozen=True)
class Point:
    """One item of a brief: verbatim sentences (a lead-in or a continuation kept with it),
    the notes of every source that reports it, and how strongly it is corroborated."""

    key: tuple[str, int]  # the id of its main sentence
    sentences: tuple[Sentence, ...]
    notes: tuple[int, ...]  # the sources that printed these very sentences
    also: tuple[int, ...]  # sources that report the same fact in their own words
    more: int  # further such sources, counted but not listed
    date: PartialDate | None  # the newest of its sources' dates
    outlets: int  # distinct outlets that report it
    speaker: str | None
    role: str | None
    rank: int  # 1 is the most important
    score: float
    attributed: bool = False  # first-person words shown under their speaker's name ("Roman Vassilenko: …")

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Section:
    key: str  # bottom-line, key-points, in-their-words, figures
    title: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Brief:
    """A one-page brief: what it says, where each line comes from, and how it was made."""

    topic: Topic
    title: str
    subject: str | None
    issued: dt.date
    coverage: tuple[PartialDate | None, PartialDate | None]
    sections: tuple[Section, ...]
    notes: tuple[Note, ...]
    outlets: int
    method: str
    ranker: str
    left_out: tuple[Point, ...] = ()  # chosen but dropped to fit one page
    edition: str | None = None  # the series it belongs to: "Weekly digest 2025-W16"
    age: str | None = None  # how old the material is, when its newest source is older than a set age

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(p for section in self.sections for p in section.points)


@dataclass(frozen=True)
class Window:
    """What a digest covers. ``start`` is None for a digest of what was added since the last one."""

    name: str  # its folder: 2025-W16, 2025-04-01_2025-04-30, added-2026-11-24
    label: str  # for people: "Week 16 of 2025, 14–20 Apr 2025"
    dates: str  # for subjects: "14–20 Apr 2025", "added 22–29 Nov 2026"
    start: dt.date | None
    end: dt.date  # the last day covered, and the issue date of its briefs

    @property
    def by_date(self) -> bool:
        return self.start is not None

    @property
    def stem(self) -> str:
        """How the digest's files begin, so that saved attachments say which window they are of."""
        return f"{self.start}_{self.end}" if self.start is not None else self.name

    def edition(self) -> str:
        return f"Digest {self.name}"


@dataclass(frozen=True)
class Placed:
    """An article and how it came into a window: by its day, by its month, or because it was added."""

    document_id: str
    source: Source
    how: str  # "day", "month", "year", "added"


@dataclass(frozen=True)
class Unplaced:
    """An article a date window cannot place, and why: it is reported, not silently dropped."""

    document_id: str
    source: Source
    reason: str


@dataclass(frozen=True)
class Quote:
    """A point of a brief as the digest index page quotes it: its text and the sources that printed it."""

    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class TopicBrief:
    """A topic's brief in a digest, and what its index entry shows."""

    name: str
    title: str
    file: str
    points: int
    sources: int
    top: tuple[Quote, ...]  # its first points, for the index page to show one no other topic shows
    fingerprint: str
    sha256: str
    rendered: bool  # False when the brief from an earlier run was still right and kept


@dataclass(frozen=True)
class Digest:
    """A made digest: a folder holding the index page, index.json and one brief per topic with news."""

    window: Window
    folder: Path
    subject: str | None
    briefs: tuple[TopicBrief, ...]
    nothing_new: tuple[Topic, ...]
    placed: tuple[Placed, ...]
    unplaced: tuple[Unplaced, ...]

    @property
    def index_pdf(self) -> str:
        return f"{self.window.stem}-index.pdf"

    @property
    def files(self) -> tuple[Path, ...]:
        """The PDFs a reader gets: the index page first, then the briefs in topic order."""
        return (self.folder / self.index_pdf, *(self.folder / b.file for b in self.briefs))
