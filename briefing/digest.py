"""Digests: for a window of time, one brief per topic from that window's articles, and an index page.

A window is either dates (an ISO week, a range, the last seven days) or "added since the
last digest" (``--since-last``, state in the index database). Articles dated only to a
month count in every date window their month overlaps; ones dated only to a year, or not
at all, cannot be placed in a date window and are listed as such on the index page,
never dropped without a word. A brief is re-rendered only when what it would show
changed: its fingerprint (the composed brief, the templates and the version) is kept in
``index.json`` beside it, so re-running a window is cheap and gives the same files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .dates import PartialDate, parse_date
from .errors import UsageError
from .files import slug, write_atomically
from .index import Index
from .models import DocumentSummary, Source, Topic
from .summarise import NothingFound, SummarySettings, summarise

INDEX_JSON = "index.json"
INDEX_PDF = "index.pdf"
TOP_POINTS = 3  # points kept per brief for the index page, which quotes one not already quoted
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class Window:
    """What a digest covers. ``start`` is None for a digest of what was added since the last one."""

    name: str  # its folder: 2025-W16, 2025-04-01_2025-04-30, added-2026-11-24
    label: str  # for people: "Week 16, 14–20 Apr 2025"
    start: dt.date | None
    end: dt.date  # the last day covered, and the issue date of its briefs

    @property
    def by_date(self) -> bool:
        return self.start is not None

    def edition(self) -> str:
        return f"Digest {self.name}"


def iso_week(text: str) -> Window:
    match = _ISO_WEEK.match(text.strip())
    try:
        if not match:
            raise ValueError
        year, week = int(match[1]), int(match[2])
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UsageError(f"--week must be an ISO week such as 2025-W16, not {text!r}") from None
    end = start + dt.timedelta(days=6)
    return Window(f"{year}-W{week:02d}", f"Week {week} of {year}, {span(start, end)}", start, end)


def between(since: dt.date, until: dt.date) -> Window:
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}")
    return Window(f"{since}_{until}", span(since, until), since, until)


def last_days(as_of: dt.date, days: int = 7) -> Window:
    """The ``days`` days up to and including ``as_of``: a weekly run on Monday covers Tuesday to Monday."""
    return between(as_of - dt.timedelta(days=days - 1), as_of)


def since_last(as_of: dt.date, digests: Path, last: str | None) -> Window:
    """A window of what was added since the digest named ``last``; its folder never replaces an earlier one."""
    name, number = f"added-{as_of}", 2
    while (digests / name).exists():
        name, number = f"added-{as_of}-{number}", number + 1
    label = f"Added since digest {last}" if last else "Everything in the corpus (first digest)"
    return Window(name, label, None, as_of)


def span(start: dt.date, end: dt.date) -> str:
    """14–20 Apr 2025; 28 Apr – 4 May 2025; 29 Dec 2025 – 4 Jan 2026."""
    if start == end:
        return f"{end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.year != end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} {start.year} – {end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.month != end.month:
        return f"{start.day} {_MONTHS[start.month - 1]} – {end.day} {_MONTHS[end.month - 1]} {end.year}"
    return f"{start.day}–{end.day} {_MONTHS[end.month - 1]} {end.year}"


@dataclass(frozen=True)
class Placed:
    """An article and how it came into a window: by its day, by its month, or because it was added."""

    document_id: str
    source: Source
    how: str  # "day", "month", "added"


@dataclass(frozen=True)
class Unplaced:
    """An article a date window cannot place, and why: it is reported, not silently dropped."""

    document_id: str
    source: Source
    reason: str


def place(
    documents: Sequence[DocumentSummary], window: Window, digested: Mapping[str, str] | None = None
) -> tuple[tuple[Placed, ...], tuple[Unplaced, ...]]:
    """The articles a window holds, and those it could not place."""
    if not window.by_date:
        done = digested or {}
        return tuple(Placed(d.id, d.source, "added") for d in documents if d.id not in done), ()
    placed: list[Placed] = []
    unplaced: list[Unplaced] = []
    for d in documents:
        date = d.source.date
        if date is None:
            unplaced.append(Unplaced(d.id, d.source, "undated"))
            continue
        first, last = _bounds(date)
        if last < window.start or first > window.end:
            continue
        if date.day is not None:
            placed.append(Placed(d.id, d.source, "day"))
        elif date.month is not None:
            placed.append(Placed(d.id, d.source, "month"))
        elif window.start <= first and last <= window.end:
            placed.append(Placed(d.id, d.source, "year"))
        else:
            unplaced.append(Unplaced(d.id, d.source, f"dated only to {date.year}"))
    return tuple(placed), tuple(unplaced)


def _bounds(date: PartialDate) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date may mean."""
    if date.day is not None:
        day = dt.date(date.year, date.month, date.day)
        return day, day
    if date.month is not None:
        first = dt.date(date.year, date.month, 1)
        following = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)


@dataclass(frozen=True)
class Point:
    """A point of a brief as the index page quotes it: its text and the sources that printed it."""

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
    top: tuple[Point, ...]  # its first points, for the index page to show one no other topic shows
    fingerprint: str
    sha256: str
    rendered: bool  # False when the brief from an earlier run was still right and kept


@dataclass(frozen=True)
class Digest:
    window: Window
    folder: Path
    subject: str | None
    briefs: tuple[TopicBrief, ...]
    nothing_new: tuple[Topic, ...]
    placed: tuple[Placed, ...]
    unplaced: tuple[Unplaced, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        """The PDFs a reader gets: the index page first, then the briefs in topic order."""
        return (self.folder / INDEX_PDF, *(self.folder / b.file for b in self.briefs))


Progress = Callable[[str, str], None]  # (topic name, what happened)


def make_digest(
    index: Index,
    topics: Mapping[str, Topic],
    window: Window,
    digests: Path,
    subject: str | None = None,
    digested: Mapping[str, str] | None = None,
    settings: SummarySettings = SummarySettings(),
    progress: Progress = lambda name, outcome: None,
) -> Digest:
    """Write the window's digest into ``digests/<window name>/`` and describe it.

    Each file is swapped in whole, ``index.json`` last: a run that fails half-way leaves the
    previous digest of the window readable, and the next run finishes the job.
    """
    from .compose import compose, plural
    from .render.pdf import one_page
    from .render.text import json_document

    folder = digests / window.name
    files = _file_names(topics)
    placed, unplaced = place(index.documents(), window, digested)
    within = {p.document_id for p in placed}
    earlier = _earlier(folder)
    briefs: list[TopicBrief] = []
    nothing_new: list[Topic] = []
    for name, topic in topics.items():
        try:
            selection = summarise(index, topic, settings, within) if within else None
        except NothingFound:
            selection = None
        if selection is None:
            nothing_new.append(topic)
            progress(name, "nothing new")
            continue
        target = folder / files[name]
        full = compose(selection, window.end, subject, edition=window.edition())
        fingerprint = _fingerprint(json_document(full, selection))
        kept = earlier.get(name)
        if kept and kept.fingerprint == fingerprint and kept.file == files[name] and _sha256(target) == kept.sha256:
            briefs.append(replace(kept, rendered=False))
            progress(name, f"unchanged, kept {target}")
            continue
        rendered = one_page(selection, window.end, subject, edition=window.edition())
        write_atomically(target, rendered.pdf)
        brief = rendered.brief
        notes = {n.number: n.source for n in brief.notes}
        briefs.append(
            TopicBrief(
                name=name,
                title=topic.title,
                file=files[name],
                points=len(brief.points),
                sources=len(brief.notes),
                top=tuple(Point(p.text, tuple(notes[n] for n in p.notes)) for p in brief.points[:TOP_POINTS]),
                fingerprint=fingerprint,
                sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                rendered=True,
            )
        )
        progress(name, f"{plural(len(brief.points), 'point')} from {plural(len(brief.notes), 'source')}, wrote {target}")
    digest = Digest(window, folder, subject, tuple(briefs), tuple(nothing_new), placed, unplaced)
    _write_index(digest)
    for stale in sorted({b.file for b in earlier.values()} - {b.file for b in briefs}):
        (folder / stale).unlink(missing_ok=True)
    return digest


def _file_names(topics: Mapping[str, Topic]) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: dict[str, str] = {INDEX_PDF: "the digest index"}
    for name in topics:
        file = f"{slug(name, limit=60) or 'topic'}.pdf"
        if file in taken:
            raise UsageError(f"topics {name!r} and {taken[file]!r} would both be written to {file}: rename one")
        names[name] = taken[file] = file
    return names


def _fingerprint(composed: str) -> str:
    """What a brief's PDF depends on: the composed brief, the templates and the code's version."""
    from .render.html import TEMPLATES

    digest = hashlib.sha256(f"briefing {__version__}\0".encode() + composed.encode())
    for part in sorted(TEMPLATES.iterdir()):
        if part.is_file():
            digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _earlier(folder: Path) -> dict[str, TopicBrief]:
    """The briefs an earlier run of this window wrote, from its index.json; anything unreadable
    there only means the briefs are rendered again."""
    try:
        data = json.loads((folder / INDEX_JSON).read_text(encoding="utf-8"))
        return {b["name"]: _brief_from_json(b) for b in data["briefs"]}
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        return {}


def _brief_from_json(data: dict) -> TopicBrief:
    return TopicBrief(
        name=data["name"],
        title=data["title"],
        file=data["file"],
        points=int(data["points"]),
        sources=int(data["sources"]),
        top=tuple(Point(p["text"], tuple(_source_from_json(s) for s in p["sources"])) for p in data["top"]),
        fingerprint=data["fingerprint"],
        sha256=data["sha256"],
        rendered=False,
    )


def _source_from_json(data: dict) -> Source:
    fields = {k: data.get(k) for k in ("outlet", "title", "author", "date", "url", "kind")}
    if fields["date"] is not None:
        fields["date"] = parse_date(fields["date"])
    return Source(**fields)


def _write_index(digest: Digest) -> None:
    from .render.pdf import digest_page

    write_atomically(digest.folder / INDEX_PDF, digest_page(digest))
    write_atomically(digest.folder / INDEX_JSON, index_json(digest))


def index_json(digest: Digest) -> str:
    """The digest for other tools, in a fixed order: the same window and corpus give the same bytes."""
    window = digest.window
    data = {
        "window": {
            "name": window.name,
            "label": window.label,
            "start": None if window.start is None else window.start.isoformat(),
            "end": window.end.isoformat(),
            "by": "date" if window.by_date else "added",
        },
        "subject": digest.subject,
        "briefing": __version__,
        "index": INDEX_PDF,
        "briefs": [
            {
                "name": b.name,
                "title": b.title,
                "file": b.file,
                "points": b.points,
                "sources": b.sources,
                "top": [{"text": p.text, "sources": [s.as_json() for s in p.sources]} for p in b.top],
                "fingerprint": b.fingerprint,
                "sha256": b.sha256,
            }
            for b in digest.briefs
        ],
        "nothing_new": [{"name": t.name, "title": t.title} for t in digest.nothing_new],
        "articles": [{"id": p.document_id, "counted_by": p.how, **p.source.as_json()} for p in digest.placed],
        "not_placed": [{"id": u.document_id, "reason": u.reason, **u.source.as_json()} for u in digest.unplaced],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def mail_subject(digest: Digest) -> str:
    return f"Digest {digest.window.name}" + (f": {digest.subject}" if digest.subject else "")


def mail_text(digest: Digest) -> str:
    """The body of the mail that carries the PDFs: what is in them, in the tool's plain words."""
    from .compose import plural

    lines = [f"{digest.window.label}: {plural(len(digest.placed), 'article')}."]
    lines += [f"- {b.title}: {plural(b.points, 'point')} ({b.file})" for b in digest.briefs]
    if digest.nothing_new:
        lines.append("Nothing new: " + ", ".join(t.title for t in digest.nothing_new) + ".")
    return "\n".join(lines) + "\n"


def record(index: Index, digest: Digest) -> None:
    """Mark a delivered ``--since-last`` digest's articles as digested, so the next one starts after them."""
    index.mark_digested([p.document_id for p in digest.placed], digest.window.name)
