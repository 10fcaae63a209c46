"""Digests: for a window of time, one brief per topic from that window's articles, and an index page.

A window is either dates (an ISO week, a range, the last seven days) or "added since the
last digest" (``--since-last``, its record in a file beside the index: ``record.py``). Articles dated only to a
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
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .dates import PartialDate
from .compose import plural
from .errors import BriefingError, FileError, UsageError
from .files import new_folder, read_limited, slug, sweep, write_atomically
from .index import Index
from .ingest.loaders import MAX_FILE_BYTES
from .models import DocumentSummary, Selection, Source, Topic
from .record import add as add_to_record
from .record import load as load_record
from .summarise import NothingFound, SummarySettings, summarise

INDEX_JSON = "index.json"
INDEX_PDF = "index.pdf"
HANDED_OFF = ".handed-off"  # in a --since-last digest's folder once it was delivered and recorded
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
        weeks = dt.date(int(match[1]), 12, 28).isocalendar().week if match and int(match[1]) >= 1 else None
        known = f" ({match[1]} has {weeks} ISO weeks)" if weeks else ""
        raise UsageError(f"--week must be an ISO week such as 2025-W16, not {text!r}{known}") from None
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

    The digest is made in a hidden folder beside its place and renamed in when complete: a
    reader (or a run that fails half-way) sees the previous digest of the window or the new
    one, never a mix. Briefs that did not change are linked over from the previous one.
    """
    folder = digests / window.name
    files = _file_names(topics)
    placed, unplaced = place(index.documents(dated=(window.start, window.end) if window.by_date else None), window, digested)
    within = {p.document_id for p in placed}
    earlier = _earlier(folder)
    try:
        digests.mkdir(parents=True, exist_ok=True)
        sweep(digests)  # half-made digests of killed runs
        with new_folder(folder) as staging:
            run = _Run(window, subject, folder, staging, _renderer_fingerprint())
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
                brief = _brief(run, selection, topic, files[name], earlier.get(name))
                briefs.append(brief)
                what = "rendered" if brief.rendered else "unchanged, kept"
                progress(name, f"{what}: {plural(brief.points, 'point')} from {plural(brief.sources, 'source')}")
            digest = Digest(window, folder, subject, tuple(briefs), tuple(nothing_new), placed, unplaced)
            _write_index(digest, staging)
    except OSError as exc:
        raise BriefingError(f"cannot write the digest into {digests}: {exc.strerror or exc}") from exc
    return digest


@dataclass(frozen=True)
class _Run:
    """What every brief of one digest run shares."""

    window: Window
    subject: str | None
    folder: Path  # the previous digest of the window, if any
    staging: Path  # the new one, being made
    renderer: str  # _renderer_fingerprint()


def _brief(run: _Run, selection: Selection, topic: Topic, file: str, kept: TopicBrief | None) -> TopicBrief:
    """The topic's brief in the staging folder: linked from the previous digest when what it would
    show is unchanged, else rendered. What the index page quotes always comes from the brief just composed."""
    from .compose import compose
    from .render.pdf import one_page
    from .render.text import json_document

    window, staging = run.window, run.staging
    full = compose(selection, window.end, run.subject, edition=window.edition())
    notes = {n.number: n.source for n in full.notes}
    top = tuple(Point(p.text, tuple(notes[n] for n in p.notes)) for p in full.points[:TOP_POINTS])
    fingerprint = hashlib.sha256(f"{run.renderer}\0{json_document(full, selection)}".encode()).hexdigest()
    previous = run.folder / file
    if kept and kept.fingerprint == fingerprint and kept.file == file and _sha256(previous) == kept.sha256:
        try:
            os.link(previous, staging / file)
        except OSError:  # a file system without hard links
            shutil.copyfile(previous, staging / file)
        return replace(kept, title=topic.title, top=top, rendered=False)
    rendered = one_page(selection, window.end, run.subject, edition=window.edition())
    write_atomically(staging / file, rendered.pdf)
    return TopicBrief(
        name=topic.name,
        title=topic.title,
        file=file,
        points=len(rendered.brief.points),
        sources=len(rendered.brief.notes),
        top=top,
        fingerprint=fingerprint,
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        rendered=True,
    )


def _file_names(topics: Mapping[str, Topic]) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: dict[str, str] = {INDEX_PDF: "the digest index", INDEX_JSON: "the digest index"}
    for name in topics:
        file = f"{slug(name, limit=60) or 'topic'}.pdf"
        if file in taken:
            raise UsageError(f"topics {name!r} and {taken[file]!r} would both be written to {file}: rename one")
        names[name], taken[file] = file, name
    return names


def _renderer_fingerprint() -> str:
    """What every brief's PDF depends on besides its content: the templates, and the versions of the
    code and of the PDF writer. Read once a digest, not once a brief."""
    from importlib.metadata import version

    from .render.html import TEMPLATES

    digest = hashlib.sha256(f"briefing {__version__} weasyprint {version('weasyprint')} pydyf {version('pydyf')}".encode())
    for part in sorted(TEMPLATES.iterdir()):
        if part.is_file():
            digest.update(b"\0" + part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_limited(path, MAX_FILE_BYTES)).hexdigest()
    except FileError:
        return None


def _earlier(folder: Path) -> dict[str, TopicBrief]:
    """What an earlier run of this window wrote, from its index.json: only whether a brief can be
    kept and its size. Anything odd there only means the brief is rendered again."""
    try:
        data = json.loads(read_limited(folder / INDEX_JSON, MAX_FILE_BYTES))
        found = {}
        for b in data["briefs"]:
            fields = {k: b[k] for k in ("name", "title", "file", "fingerprint", "sha256")}
            counts = {k: b[k] for k in ("points", "sources")}
            if all(isinstance(v, str) for v in fields.values()) and all(type(v) is int for v in counts.values()):
                found[fields["name"]] = TopicBrief(**fields, **counts, top=(), rendered=False)
        return found
    except (FileError, ValueError, KeyError, TypeError):
        return {}


def _write_index(digest: Digest, staging: Path) -> None:
    from .render.pdf import digest_page

    write_atomically(staging / INDEX_PDF, digest_page(digest))
    write_atomically(staging / INDEX_JSON, index_json(digest))


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


@dataclass(frozen=True)
class SinceLast:
    """What earlier ``--since-last`` digests covered: the record beside the index or, when it is
    missing, the one read back from the handed-off digests (``recovered``, to be written again)."""

    digested: dict[str, str]
    recovered: dict[str, str]
    last: str | None  # the digest a new one follows


def since_last_record(index: Path, digests: Path) -> SinceLast:
    kept = load_record(index)
    if kept.last is not None:
        return SinceLast(dict(kept.digested), {}, kept.last)
    recovered = _recorded_in(digests)
    return SinceLast(recovered, recovered, _latest(recovered.values()))


def record(index: Path, digest: Digest, recovered: Mapping[str, str] | None = None) -> None:
    """Record a handed-off ``--since-last`` digest's articles as digested beside ``index``, so the next
    one starts after them; ``recovered`` is the record taken from earlier digests' folders, kept too.
    The folder is marked as handed off, so that a lost record is only ever rebuilt from those."""
    recovered = recovered or {}
    covered = [
        (name, [d for d, n in recovered.items() if n == name]) for name in sorted(set(recovered.values()), key=_added_order)
    ]
    add_to_record(index, [*covered, (digest.window.name, [p.document_id for p in digest.placed])])
    try:
        write_atomically(digest.folder / HANDED_OFF, f"{digest.window.name}\n")
    except OSError as exc:
        raise BriefingError(f"cannot mark {digest.folder} as handed off: {exc.strerror or exc}") from exc


def _recorded_in(digests: Path) -> dict[str, str]:
    """Which articles the handed-off ``--since-last`` digests in ``digests`` covered, by their
    index.json: the record to fall back on when the record file is gone. A digest whose
    hand-off failed is not in it: its articles are still to be sent."""
    found: dict[str, str] = {}
    for folder in sorted(digests.glob("added-*"), key=lambda f: _added_order(f.name)):
        if not (folder / HANDED_OFF).is_file():
            continue
        try:
            data = json.loads(read_limited(folder / INDEX_JSON, MAX_FILE_BYTES))
            ids = [a["id"] for a in data["articles"]]
        except (FileError, ValueError, KeyError, TypeError):
            continue
        found.update((i, folder.name) for i in ids if isinstance(i, str))
    return found


def _latest(names: Iterable[str]) -> str | None:
    """The newest ``--since-last`` digest of these names (added-2025-05-01-10 is after -2)."""
    return max(names, key=_added_order, default=None)


def _added_order(name: str) -> tuple[str, int]:
    match = re.fullmatch(r"(added-\d{4}-\d{2}-\d{2})(?:-(\d+))?", name)
    return (match[1], int(match[2] or 1)) if match else (name, 0)
