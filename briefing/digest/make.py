"""Making a digest: for a window, one brief per topic from that window's articles, and an index page.

A brief is made again only when something it is made from changed. What each brief and the index
page were made from (the index's documents and their content hashes, the window, the topic, the
settings, the code and templates) is hashed, and the hashes are kept with what they gave in a
hidden file beside the window's folder (``.2025-W16.made.json``), so re-running an unchanged window
selects, ranks and renders nothing. When the inputs did change, a brief whose composed content is
still the same (its fingerprint, kept in ``index.json``) is not rendered again either. Briefs are
laid out on worker processes (``pdfs.py``) while this one chooses the next topic's points.
Every file name starts with the window's dates (``2025-04-14_2025-04-20-sanctions.pdf``), so briefs
saved from a mail still say what they cover, and the index page's links to them work wherever the
folder's files sit together.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__
from ..compose import plural
from ..dates import PartialDate
from ..errors import BriefingError, FileError, UsageError
from ..files import new_folder, read_limited, slug, sweep, write_atomically
from ..index import Index
from ..ingest.engine import cores
from ..ingest.loaders import MAX_FILE_BYTES
from ..models import Digest, Quote, Selection, Source, Topic, TopicBrief, Window
from ..summarise import NothingFound, SummarySettings, summarise
from .pdfs import Workers, brief_pdf, index_pdf
from .record import INDEX_JSON
from .windows import place

TOP_POINTS = 3  # points kept per brief for the index page, which quotes one not already quoted
_LIBRARIES = ("numpy", "scipy", "jinja2", "weasyprint", "pydyf")  # what a brief's content and layout depend on


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
        renderer = _renderer_fingerprint()
        code = _code_fingerprint(renderer)
        inputs = _inputs(index, code, window, subject, within, settings) if within else ""
        known = _made_before(_made_path(digests, window))
        with new_folder(folder) as staging, Workers(min(cores(), len(topics))) as workers:
            run = _Run(window, subject, folder, staging, renderer, known, workers)
            keys = {name: _hash(inputs, repr(topic), files[name]) for name, topic in topics.items()}
            if within and not set(keys.values()) <= set(known.briefs):
                workers.start()  # a topic is chosen again, and likely rendered
            outcomes: list[_Outcome] = []
            reported = 0
            for name, topic in topics.items():
                outcomes.append(_outcome(run, index, topic, files[name], keys[name], earlier.get(name), settings, within))
                reported = _report(outcomes, reported, progress)
            _report(outcomes, reported, progress, wait=True)
            made = {o.key: b for o, b in ((o, o.result()) for o in outcomes) if b is not None}
            nothing_new = tuple(o.topic for o in outcomes if o.brief is None)
            digest = Digest(window, folder, subject, tuple(made.values()), nothing_new, placed, unplaced)
            as_made = replace(digest, folder=Path(), briefs=tuple(replace(b, rendered=False) for b in digest.briefs))
            page = _index_page(run, digest, _hash(code, repr(as_made)))
            write_atomically(staging / INDEX_JSON, index_json(digest))
            write_atomically(_made_path(digests, window), _made_json(made, page))
    except OSError as exc:
        raise BriefingError(f"cannot write the digest into {digests}: {exc.strerror or exc}") from exc
    return digest


@dataclass(frozen=True)
class _Made:
    """What earlier runs of a window made, by the hash of what each was made from."""

    briefs: Mapping[str, TopicBrief]
    index: Mapping[str, str]  # the index page's sha256


@dataclass(frozen=True)
class _Run:
    """What every brief of one digest run shares."""

    window: Window
    subject: str | None
    folder: Path  # the previous digest of the window, if any
    staging: Path  # the new one, being made
    renderer: str  # _renderer_fingerprint()
    known: _Made
    workers: Workers


@dataclass(frozen=True)
class _Outcome:
    """A topic's brief as it is, or as it is once its worker has written it; none when nothing is new."""

    topic: Topic
    key: str  # the hash of what the brief is made from
    brief: TopicBrief | None
    rendering: Future | None = None  # the worker's (points, sources, sha256)

    def ready(self) -> bool:
        return self.rendering is None or self.rendering.done()

    def result(self) -> TopicBrief | None:
        if self.rendering is None or self.brief is None:
            return self.brief
        points, sources, sha256 = self.rendering.result()
        return replace(self.brief, points=points, sources=sources, sha256=sha256)


def _outcome(
    run: _Run,
    index: Index,
    topic: Topic,
    file: str,
    key: str,
    kept: TopicBrief | None,
    settings: SummarySettings,
    within: set[str],
) -> _Outcome:
    """The topic's brief: linked from the previous digest when what it is made from is unchanged, else
    selected and ranked again (and rendered when what it shows changed)."""
    made = run.known.briefs.get(key)
    if made is not None and made.file == file and _sha256(run.folder / file) == made.sha256:
        _link(run.folder / file, run.staging / file)
        return _Outcome(topic, key, replace(made, rendered=False))
    try:
        selection = summarise(index, topic, settings, within) if within else None
    except NothingFound:
        selection = None
    if selection is None:
        return _Outcome(topic, key, None)
    return _brief(run, selection, topic, file, key, kept)


def _report(outcomes: list[_Outcome], reported: int, progress: Progress, wait: bool = False) -> int:
    """Tell ``progress`` what became of each topic after the first ``reported``, in topic order, as far
    as the workers have got (``wait``: to the end); how many topics are reported now."""
    for outcome in outcomes[reported:]:
        if not (wait or outcome.ready()):
            break
        reported += 1
        brief = outcome.result()
        if brief is None:
            progress(outcome.topic.name, "nothing new")
            continue
        what = "rendered" if brief.rendered else "unchanged, kept"
        progress(outcome.topic.name, f"{what}: {plural(brief.points, 'point')} from {plural(brief.sources, 'source')}")
    return reported


def _brief(run: _Run, selection: Selection, topic: Topic, file: str, key: str, kept: TopicBrief | None) -> _Outcome:
    """The topic's brief in the staging folder: linked from the previous digest when what it would
    show is unchanged, else rendered by a worker. What the index page quotes always comes from the brief just composed."""
    from ..compose import compose
    from ..render.text import json_document

    window, staging = run.window, run.staging
    full = compose(selection, window.end, run.subject, edition=window.edition())
    notes = {n.number: n.source for n in full.notes}
    top = tuple(Quote(p.text, tuple(notes[n] for n in p.notes)) for p in full.points[:TOP_POINTS])
    fingerprint = hashlib.sha256(f"{run.renderer}\0{json_document(full, selection)}".encode()).hexdigest()
    previous = run.folder / file
    if kept and kept.fingerprint == fingerprint and kept.file == file and _sha256(previous) == kept.sha256:
        _link(previous, staging / file)
        return _Outcome(topic, key, replace(kept, title=topic.title, top=top, rendered=False))
    shown = replace(selection, rejected=())  # a page shows none of them: thousands at 100k, 0.1 s to pickle
    rendering = run.workers.submit(brief_pdf, shown, window.end, run.subject, window.edition(), staging / file)
    return _Outcome(topic, key, TopicBrief(topic.name, topic.title, file, 0, 0, top, fingerprint, "", True), rendering)


def _index_page(run: _Run, digest: Digest, key: str) -> tuple[str, str]:
    """The index page in the staging folder, linked from the previous digest when made from the same
    digest, else rendered; its key and sha256."""
    previous = run.folder / digest.index_pdf
    sha256 = run.known.index.get(key)
    if sha256 is not None and _sha256(previous) == sha256:
        _link(previous, run.staging / digest.index_pdf)
        return key, sha256
    return key, run.workers.submit(index_pdf, digest, run.staging / digest.index_pdf).result()


def _link(previous: Path, target: Path) -> None:
    try:
        os.link(previous, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(previous, target)


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


def _code_fingerprint(renderer: str) -> str:
    """What every brief depends on besides its inputs: the renderer's fingerprint, this package's code and
    data, and the versions of Python and of the libraries that rank and lay out."""
    from importlib.metadata import version

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{renderer} {sys.version} {[version(name) for name in _LIBRARIES]}".encode())
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "starter", "templates"))
        for name in sorted(names):
            part = Path(folder, name)
            if name.endswith(".py") or part.parent.name == "data":
                digest.update(b"\0" + part.relative_to(package).as_posix().encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


def _inputs(index: Index, code: str, window: Window, subject: str | None, within: set[str], settings: SummarySettings) -> str:
    """The hash of what every brief of the run is made from, but its topic: the code, the whole index (its
    matches are weighed against every document), the settings, the window and the articles placed in it."""
    return _hash(code, index.fingerprint(), repr(settings), repr(window), window.edition(), repr(subject), *sorted(within))


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _made_path(digests: Path, window: Window) -> Path:
    """Beside the window's folder, not in it: what is delivered and mailed is the folder, as before."""
    return digests / f".{window.name}.made.json"


def _made_json(briefs: Mapping[str, TopicBrief], index_page: tuple[str, str]) -> str:
    data = {
        "about": "What `briefing digest` made of which inputs (by hash), so that an unchanged brief is not made again.",
        "briefs": {key: _brief_json(b, _source_json) for key, b in sorted(briefs.items())},
        "index": dict([index_page]),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _brief_json(brief: TopicBrief, source_json: Callable[[Source], dict]) -> dict:
    """A brief as index.json and the made-from record hold it; ``source_json`` writes each quoted source."""
    return {
        "name": brief.name,
        "title": brief.title,
        "file": brief.file,
        "points": brief.points,
        "sources": brief.sources,
        "top": [{"text": q.text, "sources": [source_json(s) for s in q.sources]} for q in brief.top],
        "fingerprint": brief.fingerprint,
        "sha256": brief.sha256,
    }


def _brief_fields(data: dict) -> dict | None:
    """What ``_brief_json`` wrote of a brief but its quotes, if it is all of the right type; else None."""
    fields = {k: data[k] for k in ("name", "title", "file", "fingerprint", "sha256")}
    counts = {k: data[k] for k in ("points", "sources")}
    if all(isinstance(v, str) for v in fields.values()) and all(type(v) is int for v in counts.values()):
        return fields | counts
    return None


def _made_before(path: Path) -> _Made:
    """What ``_made_json`` wrote; anything odd there only means briefs are made again."""
    try:
        data = json.loads(read_limited(path, MAX_FILE_BYTES))
        briefs = {}
        for key, b in data["briefs"].items():
            fields = _brief_fields(b)
            if fields is None:
                return _Made({}, {})
            top = tuple(Quote(_text(q["text"]), tuple(_source(s) for s in q["sources"])) for q in b["top"])
            briefs[key] = TopicBrief(**fields, top=top, rendered=False)
        index = {k: v for k, v in data["index"].items() if isinstance(v, str)}
        return _Made(briefs, index)
    except (FileError, ValueError, KeyError, TypeError, AttributeError):
        return _Made({}, {})


def _source_json(source: Source) -> dict:
    date = source.date
    return {
        "outlet": source.outlet, "title": source.title, "author": source.author,
        "date": None if date is None else [date.year, date.month, date.day],
        "url": source.url, "kind": source.kind, "place": source.place, "note": source.note,
    }


def _source(data: dict) -> Source:
    texts = {k: data[k] for k in ("outlet", "title", "author", "url", "kind", "place", "note")}
    if not all(v is None or isinstance(v, str) for v in texts.values()):
        raise TypeError("not a source")
    date = data["date"]
    if date is not None and not (len(date) == 3 and all(v is None or type(v) is int for v in date)):
        raise TypeError("not a date")
    return Source(**texts, date=None if date is None else PartialDate(*date))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


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
            fields = _brief_fields(b)
            if fields is not None:
                found[fields["name"]] = TopicBrief(**fields, top=(), rendered=False)
        return found
    except (FileError, ValueError, KeyError, TypeError):
        return {}


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
        "briefs": [_brief_json(b, Source.as_json) for b in digest.briefs],
        "nothing_new": [{"name": t.name, "title": t.title} for t in digest.nothing_new],
        "articles": [{"id": p.document_id, "counted_by": p.how, **p.source.as_json()} for p in digest.placed],
        "not_placed": [{"id": u.document_id, "reason": u.reason, **u.source.as_json()} for u in digest.unplaced],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
