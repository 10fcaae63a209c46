"""Making a digest: for a window, one brief per topic from that window's articles, and an index page.

A brief is re-rendered only when what it would show changed: its fingerprint (the composed
brief, the templates and the version) is kept in ``index.json`` beside it, so re-running a
window is cheap and gives the same files. Every file name starts with the window's dates
(``2025-04-14_2025-04-20-sanctions.pdf``), so briefs saved from a mail still say what they
cover, and the index page's links to them work wherever the folder's files sit together.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__
from ..compose import plural
from ..errors import BriefingError, FileError, UsageError
from ..files import new_folder, read_limited, slug, sweep, write_atomically
from ..index import Index
from ..ingest.loaders import MAX_FILE_BYTES
from ..models import Digest, Quote, Selection, Topic, TopicBrief, Window
from ..summarise import NothingFound, SummarySettings, summarise
from .record import INDEX_JSON
from .windows import place

TOP_POINTS = 3  # points kept per brief for the index page, which quotes one not already quoted


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
    files = _file_names(topics, window)
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
    from ..compose import compose
    from ..render.pdf import one_page
    from ..render.text import json_document

    window, staging = run.window, run.staging
    full = compose(selection, window.end, run.subject, edition=window.edition())
    notes = {n.number: n.source for n in full.notes}
    top = tuple(Quote(p.text, tuple(notes[n] for n in p.notes)) for p in full.points[:TOP_POINTS])
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


def _file_names(topics: Mapping[str, Topic], window: Window) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: dict[str, str] = {f"{window.stem}-index.pdf": "the digest index", INDEX_JSON: "the digest index"}
    for name in topics:
        file = f"{window.stem}-{slug(name, limit=60) or 'topic'}.pdf"
        if file in taken:
            raise UsageError(f"topics {name!r} and {taken[file]!r} would both be written to {file}: rename one")
        names[name], taken[file] = file, name
    return names


def _renderer_fingerprint() -> str:
    """What every brief's PDF depends on besides its content: the templates, and the versions of the
    code and of the PDF writer. Read once a digest, not once a brief."""
    from importlib.metadata import version

    from ..render.html import TEMPLATES

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
    from ..render.pdf import digest_page

    write_atomically(staging / digest.index_pdf, digest_page(digest))
    write_atomically(staging / INDEX_JSON, index_json(digest))


def index_json(digest: Digest) -> str:
    """The digest for other tools, in a fixed order: the same window and corpus give the same bytes."""
    window = digest.window
    data = {
        "window": {
            "name": window.name,
            "label": window.label,
            "dates": window.dates,
            "start": None if window.start is None else window.start.isoformat(),
            "end": window.end.isoformat(),
            "by": "date" if window.by_date else "added",
        },
        "subject": digest.subject,
        "briefing": __version__,
        "index": digest.index_pdf,
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
