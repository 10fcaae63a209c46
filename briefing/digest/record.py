"""The record of digests: which were made, delivered, mailed or failed, and which articles the
``--since-last`` digests covered.

It is the one thing the tool keeps that is not rebuilt from the corpus, so it lives with the
digests (``out/digests/record.json``), never in or beside the index, which may be deleted or
rebuilt at any time. It is written whole (a temporary file renamed into place) and changed only
by a run that holds the digests' lock (``held``), so two runs never cover the same articles and
none is ever forgotten. A record of an earlier briefing (``out/index.sqlite.digested.json``) is
taken over on the next write; a lost record is read back from the handed-off digests' folders.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import BriefingError, BusyError, DigestBusyError, FileError
from ..files import locked, read_limited, write_atomically
from ..models import Digest
from .windows import added_order

RECORD = "record.json"
LOCK = ".lock"
HANDED_OFF = ".handed-off"  # in a --since-last digest's folder once it was handed off and recorded
INDEX_JSON = "index.json"
_MAX_BYTES = 64 * 1024 * 1024  # a million articles' ids fit
_ABOUT = "What `briefing digest` made and handed off, and the articles --since-last digests covered."


@dataclass(frozen=True)
class HandOff:
    at: str  # ISO time, with its offset
    to: tuple[str, ...]  # a shared folder, or addresses


@dataclass(frozen=True)
class Failure:
    at: str
    what: str  # "make", "deliver", "mail"
    error: str


@dataclass(frozen=True)
class Entry:
    """One digest's history: a rerun of its window updates this entry, it never adds another."""

    window: str
    label: str
    made: str | None = None
    articles: int = 0
    briefs: int = 0
    delivered: tuple[HandOff, ...] = ()
    mailed: tuple[HandOff, ...] = ()
    failures: tuple[Failure, ...] = ()

    @property
    def handed_off(self) -> bool:
        return bool(self.delivered or self.mailed)


@dataclass(frozen=True)
class Record:
    digests: Mapping[str, Entry] = field(default_factory=dict)  # by window name, in the order first made
    digested: Mapping[str, str] = field(default_factory=dict)  # document id -> the --since-last digest that covered it
    last: str | None = None  # the --since-last digest recorded last: the one a new one follows
    taken_from: str | None = None  # where a record not read from record.json came from, for a warning


def path(folder: Path) -> Path:
    return folder / RECORD


def legacy_path(index: Path) -> Path:
    """Where briefing kept the --since-last record before it moved in with the digests."""
    return index.with_name(index.name + ".digested.json")


@contextmanager
def held(folder: Path, wait: float, waiting: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold the digests of ``folder`` for a whole run, from reading the record to writing it: a digest
    started by hand and one started by the scheduler never overlap."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefingError(f"cannot write the digest into {folder}: {exc.strerror or exc}") from exc
    try:
        with locked(folder / LOCK, wait, f"the digests folder {folder}", waiting):
            yield
    except DigestBusyError:
        raise
    except BusyError as exc:
        raise DigestBusyError(f"skipped this run: {exc}") from None


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def load(folder: Path, index: Path | None = None) -> Record:
    """The record of ``folder``; when it has none, the old one beside ``index``, else the one read back
    from the handed-off digests. A record that cannot be read is named, never guessed over."""
    where = path(folder)
    if os.path.lexists(where):
        return _parse(where, _read(where))
    old = legacy_path(index) if index is not None else None
    if old is not None and os.path.lexists(old):
        data = _read(old)
        try:
            digested, last = _digested(data["digested"]), data["last"]
            if last is not None and not isinstance(last, str):
                raise ValueError("last must be a digest name")
        except (KeyError, TypeError, ValueError) as exc:
            raise _unreadable(old, exc) from exc
        return Record({}, digested, last, f"the record of an earlier briefing, {old}")
    recovered = _recorded_in(folder)
    if recovered:
        last = max(recovered.values(), key=added_order)
        return Record({}, recovered, last, f"the handed-off digests in {folder} ({len(recovered)} articles)")
    return Record()


def made(folder: Path, index: Path | None, digest: Digest) -> Record:
    """Note that ``digest`` was made (again): its window keeps one entry, its hand-offs kept."""

    def change(entry: Entry) -> Entry:
        return replace(entry, label=digest.window.label, made=now(), articles=len(digest.placed), briefs=len(digest.briefs))

    return _update(folder, index, digest.window.name, digest.window.label, change)


def handed_off(folder: Path, index: Path | None, window: str, how: str, to: tuple[str, ...]) -> Record:
    """Note a delivery (``how`` "delivered", ``to`` the shared folder) or a mail (``to`` the addresses)."""
    done = HandOff(now(), to)
    return _update(folder, index, window, window, lambda e: replace(e, **{how: (*getattr(e, how), done)}))


def failed(folder: Path, index: Path | None, window: str, what: str, error: str) -> Record:
    return _update(folder, index, window, window, lambda e: replace(e, failures=(*e.failures, Failure(now(), what, error))))


def covered(folder: Path, index: Path | None, digest: Digest) -> Record:
    """Record a handed-off ``--since-last`` digest's articles as digested, so the next one starts after them.
    Its folder is marked, so that a lost record is only ever rebuilt from digests that were handed off."""
    name = digest.window.name
    before = load(folder, index)
    if before.last is not None and added_order(name) < added_order(before.last):
        return before  # an older digest sent again: the later one already covers what it holds
    digested = {**before.digested, **{p.document_id: name for p in digest.placed}}
    after = replace(before, digested=digested, last=name)
    save(folder, index, after)
    try:
        write_atomically(digest.folder / HANDED_OFF, f"{name}\n")
    except OSError as exc:
        raise BriefingError(f"cannot mark {digest.folder} as handed off: {exc.strerror or exc}") from exc
    return after


def legacy_add(index: Path, covered_before: list[tuple[str, list[str]]]) -> None:
    """Keep what an index of an earlier version held of the --since-last record in the file beside it,
    where the next digest takes it over; what that file already says wins."""
    where = legacy_path(index)
    data = json.loads(_read(where)) if os.path.lexists(where) else {"digested": {}, "last": None}
    digested = dict(data["digested"])
    for name, documents in covered_before:
        digested.update((d, name) for d in documents if d not in data["digested"])
    last = data["last"] or (covered_before[-1][0] if covered_before else None)
    text = json.dumps({"about": _ABOUT, "last": last, "digested": dict(sorted(digested.items()))}, indent=2)
    write_atomically(where, text + "\n")


def _update(folder: Path, index: Path | None, window: str, label: str, change: Callable[[Entry], Entry]) -> Record:
    before = load(folder, index)
    entry = change(before.digests.get(window) or Entry(window, label))
    after = replace(before, digests={**before.digests, window: entry})
    save(folder, index, after)
    return after


def save(folder: Path, index: Path | None, record: Record) -> None:
    """Write ``record`` whole; an old record beside ``index`` is then set aside as taken over."""
    data = {
        "about": _ABOUT,
        "version": 1,
        "digests": [entry_json(e) for e in record.digests.values()],
        "since_last": {"last": record.last, "digested": dict(sorted(record.digested.items()))},
    }
    try:
        write_atomically(path(folder), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise BriefingError(f"cannot write the digest record {path(folder)}: {exc.strerror or exc}") from exc
    old = legacy_path(index) if index is not None else None
    if old is not None and os.path.lexists(old):  # taken over: kept under another name, never read again
        os.replace(old, old.with_name(old.name + ".migrated"))


def entry_json(entry: Entry) -> dict:
    """An entry as record.json and `digest list --json` write it."""
    return {
        "window": entry.window,
        "label": entry.label,
        "made": entry.made,
        "articles": entry.articles,
        "briefs": entry.briefs,
        "delivered": [{"at": h.at, "to": h.to[0]} for h in entry.delivered],
        "mailed": [{"at": h.at, "to": list(h.to)} for h in entry.mailed],
        "failures": [{"at": f.at, "what": f.what, "error": f.error} for f in entry.failures],
    }


def _read(where: Path) -> dict:
    try:
        data = json.loads(read_limited(where, _MAX_BYTES))
    except (FileError, ValueError) as exc:
        raise _unreadable(where, exc) from exc
    if not isinstance(data, dict):
        raise _unreadable(where, "not a JSON object")
    return data


def _parse(where: Path, data: dict) -> Record:
    try:
        since = data["since_last"]
        last = since["last"]
        if last is not None and not isinstance(last, str):
            raise ValueError("last must be a digest name")
        digests = {}
        for e in data["digests"]:
            entry = Entry(
                window=_text(e["window"]),
                label=_text(e["label"]),
                made=None if e["made"] is None else _text(e["made"]),
                articles=_count(e["articles"]),
                briefs=_count(e["briefs"]),
                delivered=tuple(HandOff(_text(h["at"]), (_text(h["to"]),)) for h in e["delivered"]),
                mailed=tuple(HandOff(_text(h["at"]), tuple(map(_text, h["to"]))) for h in e["mailed"]),
                failures=tuple(Failure(_text(f["at"]), _text(f["what"]), _text(f["error"])) for f in e["failures"]),
            )
            digests[entry.window] = entry
        return Record(digests, _digested(since["digested"]), last)
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable(where, exc) from exc


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def _count(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _digested(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in [*value, *value.values()]):
        raise ValueError("digested must map article ids to digest names")
    return dict(value)


def _unreadable(where: Path, why: object) -> BriefingError:
    return BriefingError(
        f"{where} is not a digest record ({why}): move it away, and the next --since-last digest "
        "reads what was sent back from the handed-off digests"
    )


def _recorded_in(folder: Path) -> dict[str, str]:
    """Which articles the handed-off ``--since-last`` digests in ``folder`` covered, by their index.json:
    the record to fall back on when record.json is gone. A digest whose hand-off failed is not in it:
    its articles are still to be sent."""
    found: dict[str, str] = {}
    for digest in sorted(folder.glob("added-*"), key=lambda f: added_order(f.name)):
        if not (digest / HANDED_OFF).is_file():
            continue
        try:
            data = json.loads(read_limited(digest / INDEX_JSON, _MAX_BYTES))
            ids = [a["id"] for a in data["articles"]]
        except (FileError, ValueError, KeyError, TypeError):
            continue
        found.update((i, digest.name) for i in ids if isinstance(i, str))
    return found
