"""The sentence index: documents and sentences in SQLite, with an FTS5 index over stems.

The index is a cache of the corpus folder, nothing more, rebuilt incrementally: a file whose
bytes (and sidecar metadata) hash the same as last time is not parsed again, a removed file
is removed, and a change to the text-processing code re-processes every file. An index of an
older schema version, or a corrupt one (set aside, never deleted), is rebuilt into a temporary
file and swapped in, so a failed build never leaves a half-written index behind. What must
outlive a rebuild, the record of digests, lives with the digests (``digest/record.py``).

Only what is an index of ours is ever written: a path that holds anything else (an article,
a topics file, another program's database, an index of a newer version) is refused and left
as it is. Writers take a lock beside the index and wait for one another, so a build never
mistakes another's lock for corruption; readers wait (SQLite's busy timeout) for a commit.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path

from . import ingest
from .corpus import Known, scan, signature
from .dates import parse_date
from .digest import record
from .errors import BusyError, CorpusError, IndexDatabaseError, NoCorpusError, NotAnIndexError
from .files import LOCK_WAIT, locked, not_regular, sweep, temporary_prefix, write_atomically
from .ingest.engine import Engine, Outcome, Task
from .models import BuildReport, DocumentSummary, Sentence, Skipped, Source
from .nlp import stems

SCHEMA_VERSION = 5
# How an index of an earlier version becomes the current one in place: its statements, and
# whether its sentences must be made again. The --since-last record leaves version 3 for record.py;
# version 4 remembers the files it refused for their text, so that each is processed once, not
# at every build (a file of a million lines cost each later `make` its processing time again); version 5
# remembers each file's and folder's stat, so that a `make` on an unchanged corpus reads no file.
_MIGRATIONS = {
    2: ("ALTER TABLE sentences ADD COLUMN is_heading INTEGER NOT NULL DEFAULT 0;", True),
    3: (
        "DROP TABLE digested;"
        "CREATE TABLE refused (path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reason TEXT NOT NULL);",
        False,
    ),
    4: (
        (
            "ALTER TABLE documents ADD COLUMN signature TEXT NOT NULL DEFAULT '';"
            "ALTER TABLE refused ADD COLUMN signature TEXT NOT NULL DEFAULT '';"
            "CREATE TABLE folders (path TEXT PRIMARY KEY, signature TEXT NOT NULL);"
        ),
        False,
    ),
}
APPLICATION_ID = int.from_bytes(b"brfg", "big")  # marks a database as a briefing index
_SQLITE_HEADER = b"SQLite format 3\x00"
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # what a damaged file gives, as against a busy or full disk
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_CACHE_KIB = 65536  # a build's changes stay in memory until commit, so readers are locked out only then
# Documents whose stems a new index takes into its full-text index at once: one statement per sentence
# (the trigger) cost 0.87 ms an article, one per 256 documents 0.25 ms.
_FTS_BATCH = 256
_FTS_INSERT = """CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentence_fts (rowid, stems) VALUES (new.id, new.stems);
END;"""

# Without the trigger that puts a new sentence's stems in the full-text index (``_FTS_INSERT``): a new
# index is made with it once its sentences are all in.
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    outlet TEXT, title TEXT, author TEXT, date TEXT, url TEXT, kind TEXT, place TEXT, note TEXT,
    signature TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    is_question INTEGER NOT NULL,
    in_quote INTEGER NOT NULL,
    stems TEXT NOT NULL,
    is_heading INTEGER NOT NULL DEFAULT 0,
    UNIQUE (document_id, position)
);
CREATE TABLE refused (
    path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reason TEXT NOT NULL, signature TEXT NOT NULL DEFAULT ''
);
CREATE TABLE folders (path TEXT PRIMARY KEY, signature TEXT NOT NULL);
CREATE VIRTUAL TABLE sentence_fts USING fts5(
    stems, content='sentences', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentence_fts (sentence_fts, rowid, stems) VALUES ('delete', old.id, old.stems);
END;
"""

_SENTENCE_COLUMNS = "n.document_id, n.paragraph, n.position, n.text, n.speaker, n.is_question, n.in_quote, n.is_heading"
_SOURCE_COLUMNS = ("outlet", "title", "author", "date", "url", "kind", "place", "note")


def processing_fingerprint() -> str:
    """A hash of the code, data and library versions that turn a file into sentences: when
    it changes, every file is re-processed. Not the engine, which only says where (in which
    process) a file is processed: the serial, pooled and distributed indexes are the same."""
    from importlib.metadata import version

    libraries = ("nltk", "snowballstemmer", "trafilatura")
    digest = hashlib.sha256(" ".join(f"{name} {version(name)}" for name in libraries).encode())
    package = resources.files("briefing")
    parts = sorted(
        [package / "nlp.py", package / "dates.py", package / "data" / "stopwords.txt"]
        + [p for p in (package / "ingest").iterdir() if p.name.endswith(".py") and p.name != "engine.py"],
        key=lambda p: p.name,
    )
    for part in parts:
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


class Index:
    """An open sentence index. Use ``Index.build`` to create or refresh one from a corpus folder."""

    def __init__(self, path: Path, wait: float = LOCK_WAIT) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise IndexDatabaseError(f"no index at {self.path}: run `briefing corpus build` first")
        try:
            self.db = _connect(self.path, wait)
        except sqlite3.Error as exc:
            raise _failure(self.path, exc, wait) from exc
        try:
            application, version = (
                self.db.execute("PRAGMA application_id").fetchone()[0],
                self.db.execute("PRAGMA user_version").fetchone()[0],
            )
        except sqlite3.Error as exc:
            self.db.close()
            raise _failure(self.path, exc, wait) from exc
        self._wait = wait
        if application != APPLICATION_ID or version != SCHEMA_VERSION:
            self.db.close()
            what = "is not a briefing index" if application != APPLICATION_ID else f"has schema version {version}"
            raise IndexDatabaseError(f"index {self.path} {what}: run `briefing corpus build`")

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def fingerprint(self) -> str:
        """A hash of what every query answers from: each document's id and content hash, and the code
        that split them into sentences (BM25 weighs a match against the whole corpus, so a digest of one
        week keeps its briefs only while this is unchanged). 0.1 s at 100,000 documents."""
        digest = hashlib.sha256(repr(self._rows("SELECT value FROM meta WHERE key = 'processing'")).encode())
        for doc_id, content_hash in sorted(self._rows("SELECT id, content_hash FROM documents")):
            digest.update(f"{doc_id}\0{content_hash}\0".encode())
        return digest.hexdigest()

    @classmethod
    def build(
        cls,
        corpus: Path,
        path: Path,
        limit: int = ingest.loaders.MAX_FILE_BYTES,
        wait: float = LOCK_WAIT,
        waiting: Callable[[str], None] = lambda message: None,
        thorough: bool = True,
        workers: int | None = None,
        scheduler: str | None = None,
    ) -> BuildReport:
        """Bring the index at ``path`` up to date with the corpus folder; returns what was done.

        Only a missing path or an empty file becomes a new index; anything else that is not an
        index of ours is refused untouched (NotAnIndexError). A corrupt index of ours is set aside
        (never deleted) and rebuilt. Another process writing the index is waited for, up to ``wait``
        seconds (``waiting`` is told), then BusyError.

        ``thorough`` (`corpus build`) takes every file's stat and checks the database's integrity;
        otherwise (`make`, `digest`) a folder whose stat is unchanged is trusted to hold the same
        files as before, and the integrity check runs only when the index file changed since this
        code last left it. Files are processed on ``workers`` processes (default: every core), or
        on the Dask cluster at ``scheduler`` (``tcp://host:port``; it must see the corpus at the same path).
        """
        corpus, path = Path(corpus), Path(path)
        if not corpus.is_dir():
            raise NoCorpusError(f"corpus folder {corpus} does not exist (use --corpus DIR)")
        _refuse_foreign(path)  # before anything is made beside it
        engine = Engine(workers, scheduler)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with locked(path.with_name(f".{path.name}.lock"), wait, f"the index {path}", waiting):
                sweep(path.parent)  # what a killed build left: its temporary index
                reason = _rebuild_reason(path, wait, check=thorough or not _as_left(path))
                if reason is None:
                    with closing(_connect(path, wait)) as db:
                        _migrate(db, path, wait)
                        report = _refresh(db, corpus, limit, None, thorough, engine)
                else:
                    report = _build_fresh(path, corpus, limit, reason, engine)
                _leave(path)
                return report
        except sqlite3.Error as exc:
            raise _failure(path, exc, wait) from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise IndexDatabaseError(_no_space(path)) from exc
            raise IndexDatabaseError(f"cannot write the index {path}: {exc.strerror or exc}") from exc

    def documents(self, doc_id: str | None = None, dated: tuple[dt.date, dt.date] | None = None) -> list[DocumentSummary]:
        """Every document (or the one with ``doc_id``), ordered by id; with ``dated`` (first, last day),
        only those whose date may fall in it, undated ones and those dated to a month or year included
        (a digest places them), read without going through every document of the corpus."""
        first, last = dated if dated else (None, None)
        rows = self._rows(
            f"SELECT d.id, d.path, {', '.join('d.' + c for c in _SOURCE_COLUMNS)},"
            " (SELECT count(*) FROM sentences s WHERE s.document_id = d.id AND s.is_heading = 0)"
            " FROM documents d WHERE (? IS NULL OR d.id = ?)"
            " AND (? IS NULL OR d.date IS NULL OR length(d.date) NOT IN (4, 7, 10)"
            " OR (length(d.date) = 4 AND d.date BETWEEN ? AND ?) OR (length(d.date) = 7 AND d.date BETWEEN ? AND ?)"
            " OR (length(d.date) = 10 AND d.date BETWEEN ? AND ?)) ORDER BY d.id",
            (doc_id, doc_id, first, *_spans(first, last)),
        )
        return [DocumentSummary(row[0], row[1], _source(row[2:-1]), row[-1]) for row in rows]

    def document(self, doc_id: str) -> tuple[DocumentSummary, list[Sentence]]:
        """A document and its sentences; an unknown id names the closest ones."""
        found = self.documents(doc_id)
        if not found:
            raise CorpusError(_unknown_id(doc_id, [d.id for d in self.documents()]))
        rows = self._rows(
            f"SELECT {_SENTENCE_COLUMNS} FROM sentences n WHERE n.document_id = ? ORDER BY n.position", (doc_id,)
        )
        return found[0], [_sentence(row) for row in rows]

    def sources(self, doc_ids: Collection[str] | None = None) -> dict[str, Source]:
        """The sources of these documents (default: all of them): a brief reads only those it cites."""
        scope, parameters = _scope(doc_ids, "d", "id")
        rows = self._rows(
            f"SELECT d.id, {', '.join('d.' + c for c in _SOURCE_COLUMNS)} FROM documents d WHERE 1{scope}", parameters
        )
        return {row[0]: _source(row[1:]) for row in rows}

    def match(
        self, query: str, limit: int, within: Collection[str] | None = None
    ) -> list[tuple[Sentence, tuple[str, ...], float]]:
        """Statements (never questions) matching an FTS5 query, best BM25 first, ties by id;
        only from the documents ``within`` names, when given (a digest's window).

        Each comes with its stems and its BM25 score, made positive: higher is better.
        """
        scope, parameters = _scope(within, "n")
        rows = self._rows(
            f"SELECT {_SENTENCE_COLUMNS}, n.stems, -bm25(sentence_fts) AS score"
            " FROM sentence_fts JOIN sentences n ON n.id = sentence_fts.rowid"
            f" WHERE sentence_fts MATCH ? AND n.is_question = 0{scope}"
            " ORDER BY score DESC, n.document_id, n.position LIMIT ?",
            (query, *parameters, limit),
        )
        return [(_sentence(row[:8]), tuple(row[8].split()), row[9]) for row in rows]

    def count(self, query: str) -> int:
        return self._rows(
            "SELECT count(*) FROM sentence_fts JOIN sentences s ON s.id = sentence_fts.rowid"
            " WHERE sentence_fts MATCH ? AND s.is_question = 0",
            (query,),
        )[0][0]

    def _rows(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        """A query's rows; a database that is busy past the wait, or damaged, is a BriefingError."""
        try:
            return self.db.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise _failure(self.path, exc, self._wait) from exc

    def neighbours(self, ids: list[tuple[str, int]], offset: int) -> dict[tuple[str, int], tuple[Sentence, tuple[str, ...]]]:
        """For each sentence id, the sentence ``offset`` places away in the same paragraph, if any."""
        found = self._around(
            ids,
            " JOIN sentences s ON s.document_id = w.value ->> 0 AND s.position = w.value ->> 1"
            " JOIN sentences n ON n.document_id = s.document_id AND n.paragraph = s.paragraph"
            " AND n.position = s.position + ?",
            offset,
        )
        return {key: rows[0] for key, rows in found.items()}

    def preceding(self, ids: list[tuple[str, int]], count: int) -> dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]]:
        """For each sentence id, up to ``count`` rows printed right before it, in any paragraph, in order."""
        return self._around(
            ids,
            " JOIN sentences n ON n.document_id = w.value ->> 0"
            " AND n.position >= (w.value ->> 1) - ? AND n.position < w.value ->> 1",
            count,
        )

    def _around(
        self, ids: list[tuple[str, int]], join: str, parameter: int
    ) -> dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]]:
        """The sentences ``join`` relates to each id (``w.value``: [document id, position]), in the
        order of ``ids`` then of position: one query for all the ids, given as one JSON array,
        rather than one query each (2,300 of them cost a 100k corpus's brief 0.2 s)."""
        rows = self._rows(
            f"SELECT w.key, {_SENTENCE_COLUMNS}, n.stems FROM json_each(?) w{join} ORDER BY w.key, n.position",
            (json.dumps(ids), parameter),
        )
        found: dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]] = {}
        for row in rows:
            found.setdefault(tuple(ids[row[0]]), []).append((_sentence(row[1:9]), tuple(row[9].split())))
        return found

    def mentions(self, phrase: str, limit: int = 50) -> list[str]:
        """Texts of sentences that contain a phrase (matched on stems), in id order."""
        query = '"' + " ".join(stems(phrase)).replace('"', '""') + '"'
        rows = self._rows(
            "SELECT n.text FROM sentence_fts JOIN sentences n ON n.id = sentence_fts.rowid"
            " WHERE sentence_fts MATCH ? ORDER BY n.document_id, n.position LIMIT ?",
            (query, limit),
        )
        return [row[0] for row in rows]

    def stems_by_document(self, doc_ids: list[str]) -> dict[str, list[tuple[str, ...]]]:
        """The stems of every sentence of these documents: the background a summariser weighs words against."""
        marks = ", ".join("?" * len(doc_ids))
        rows = self._rows(
            f"SELECT document_id, stems FROM sentences WHERE document_id IN ({marks}) AND is_heading = 0"
            " ORDER BY document_id, position",
            doc_ids,
        )
        found: dict[str, list[tuple[str, ...]]] = {d: [] for d in doc_ids}
        for doc_id, stems_text in rows:
            found[doc_id].append(tuple(stems_text.split()))
        return found


def _scope(within: Collection[str] | None, table: str, column: str = "document_id") -> tuple[str, tuple[str, ...]]:
    """A condition keeping rows of ``table`` to the documents ``within`` names (none: all of them),
    and its parameter: the ids as one JSON array, as a window can hold more ids than SQL parameters
    allow (a temporary table of them cost a 100k corpus's brief 0.1 s to fill)."""
    if within is None:
        return "", ()
    return f" AND {table}.{column} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(within)),)


def _spans(first: dt.date | None, last: dt.date | None) -> tuple[str | None, ...]:
    """A span of days as an index stores dates: its years, its months, its days (first and last of each)."""
    if first is None or last is None:
        return (None,) * 6
    return (f"{first:%Y}", f"{last:%Y}", f"{first:%Y-%m}", f"{last:%Y-%m}", f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}")


def _unknown_id(doc_id: str, ids: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(doc_id, ids, n=3, cutoff=0.3) or [i for i in ids if doc_id in i][:3]
    hint = f"; did you mean {', '.join(close)}?" if close else " (see `briefing corpus list`)"
    return f"no document {doc_id!r} in the index{hint}"


def _connect(path: Path, wait: float = LOCK_WAIT) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=wait, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
    return db


def _failure(path: Path, exc: sqlite3.Error, wait: float) -> IndexDatabaseError | BusyError:
    """What an SQLite error means for the user, in one line."""
    name = getattr(exc, "sqlite_errorname", "")
    if name in _BUSY:
        return BusyError(
            f"the index {path} is in use by another program; gave up after waiting {wait:g} s: "
            "try again when it has finished"
        )
    if name == "SQLITE_FULL":
        return IndexDatabaseError(_no_space(path))
    if name == "SQLITE_NOTADB":
        return NotAnIndexError(f"{path} is not a briefing index (nor any SQLite database)")
    if name in _CORRUPT:
        return IndexDatabaseError(f"index {path} is corrupt ({exc}): run `briefing corpus build`")
    return IndexDatabaseError(f"cannot use the index {path}: {exc}")


def _no_space(path: Path) -> str:
    return f"no space left on the device of {path.parent}: the index {path} is left as it was"


def _refuse_foreign(path: Path) -> None:
    """Refuse, untouched, a path that holds something other than an index of ours: only a missing
    path or an empty file may become one."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise IndexDatabaseError(f"cannot use the index {path}: {exc.strerror or exc}") from exc
    if what := not_regular(info):
        raise NotAnIndexError(f"{path} is {what}: give --index the path of an index file")
    if info.st_size == 0:
        return
    try:
        with open(path, "rb") as file:
            head = file.read(100)
    except OSError as exc:
        raise IndexDatabaseError(f"cannot read the index {path}: {exc.strerror or exc}") from exc
    if not head.startswith(_SQLITE_HEADER):
        raise NotAnIndexError(
            f"{path} is not a briefing index (nor any SQLite database), so it is left as it is: "
            "give --index the path of an index, or of a file that does not exist yet"
        )
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise NotAnIndexError(f"{path} is another program's SQLite database, not a briefing index: left as it is")


def _rebuild_reason(path: Path, wait: float, check: bool) -> str | None:
    """Why the index at ``path`` must be built from scratch ("" for a new one), or None to refresh it;
    ``check``: run SQLite's integrity check (it reads the whole file: 0.8 s at 100,000 articles).
    Called with the index locked: an error here is never another build at work."""
    if not path.exists() or path.stat().st_size == 0:
        return ""
    _refuse_foreign(path)
    try:
        with closing(_connect(path, wait)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise NotAnIndexError(
                    f"{path} is an index of a newer briefing (schema version {version}; this one knows up to "
                    f"{SCHEMA_VERSION}), so it is left as it is: use that briefing, or give --index another path"
                )
            if version != SCHEMA_VERSION and version not in _MIGRATIONS:
                return f"{path} had schema version {version}, this briefing uses {SCHEMA_VERSION}"
            if check and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                why = "it failed its integrity check"
            else:
                return None
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") not in _CORRUPT:
            raise
        why = f"{exc}"
    kept = _set_aside(path)
    return f"{path} is corrupt ({why}); kept it as {kept}"


def _stamp(path: Path) -> Path:
    return path.with_name(f".{path.name}.checked")


def _state(path: Path) -> str:
    info = os.stat(path)
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _as_left(path: Path) -> bool:
    """Whether the index file is as this code last left it (checked or written), so that nothing
    can have damaged it since; a missing or unreadable stamp says no."""
    try:
        return _stamp(path).read_text(encoding="ascii") == _state(path)
    except (OSError, UnicodeDecodeError):
        return False


def _leave(path: Path) -> None:
    """Remember the index file's state after a check or a write (see ``_as_left``)."""
    state = _state(path)
    if not _as_left(path):
        write_atomically(_stamp(path), state)


def _migrate(db: sqlite3.Connection, path: Path, wait: float) -> None:
    """Bring an index of an earlier version to this one in one transaction; the --since-last record
    of an index that still holds one moves to a file beside it first (the next digest takes it
    over), so no failure can lose it (what that file already says wins)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version not in _MIGRATIONS:
        return
    rows = db.execute("SELECT document_id, digest FROM digested ORDER BY rowid").fetchall() if version <= 3 else []
    if rows:
        record.legacy_add(path, [(digest, [document]) for document, digest in rows])
    reprocess, first = False, version
    with _transaction(db):
        while version in _MIGRATIONS:
            statements, remake = _MIGRATIONS[version]
            for statement in statements.split(";"):
                if statement.strip():
                    db.execute(statement)
            reprocess = reprocess or remake
            version += 1
        if reprocess:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('processing', ?)", (f"schema {first}",))
        db.execute(f"PRAGMA user_version = {version}")


def _set_aside(path: Path) -> Path:
    """Move a corrupt index out of the way without losing it, with its rollback journal: left
    beside a new index, that journal would be played into it."""
    kept = path.with_name(path.name + ".unreadable")
    number = 2
    while kept.exists():
        kept = path.with_name(f"{path.name}.unreadable-{number}")
        number += 1
    path.rename(kept)
    journal = path.with_name(path.name + "-journal")
    if journal.exists():
        journal.rename(kept.with_name(kept.name + "-journal"))
    return kept


def _build_fresh(path: Path, corpus: Path, limit: int, reason: str, engine: Engine) -> BuildReport:
    """Build into a temporary file beside ``path`` and swap it in only when complete."""
    fd, temp = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with closing(_connect(Path(temp))) as db:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            report = _refresh(db, corpus, limit, reason or None, True, engine, fresh=True)
        os.replace(temp, path)
    finally:
        for leftover in (temp, f"{temp}-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return report


def _refresh(
    db: sqlite3.Connection,
    corpus: Path,
    limit: int,
    rebuilt_because: str | None,
    thorough: bool,
    engine: Engine,
    fresh: bool = False,
) -> BuildReport:
    """Bring ``db`` up to date with the corpus; ``fresh``: a new index without the trigger that indexes
    stems, whose full-text index is filled here a batch of documents at a time, then the trigger made."""
    fingerprint = processing_fingerprint()
    stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
    reprocess = stored.get("processing") != fingerprint
    folders = dict(db.execute("SELECT path, signature FROM folders").fetchall())
    if not (reprocess or thorough) and folders and _folders_unchanged(corpus, folders):
        refused = db.execute("SELECT path, reason FROM refused ORDER BY path").fetchall()
        skipped = tuple(Skipped(str(corpus / p), reason) for p, reason in refused)
        unchanged = tuple(row[0] for row in db.execute("SELECT id FROM documents ORDER BY id"))
        return BuildReport(unchanged=unchanged, skipped=skipped, skipped_before=tuple(s.path for s in skipped))
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    skipped: list[Skipped] = []
    before: list[str] = []
    with _transaction(db):
        if reprocess and stored and rebuilt_because is None:
            migrated = stored.get("processing", "").startswith("schema ")
            rebuilt_because = f"the index was migrated from {stored['processing']}" if migrated else (
                "the text-processing code changed"
            )
        known = {
            path: (doc_id, digest, mark)
            for doc_id, path, digest, mark in db.execute("SELECT id, path, content_hash, signature FROM documents")
        }
        refused = {
            path: (digest, reason, mark)
            for path, digest, reason, mark in db.execute("SELECT path, content_hash, reason, signature FROM refused")
        }
        remembered = Known(folders, {p: v[-1] for p, v in (known | refused).items()})
        found = scan(corpus, None if thorough or reprocess else remembered)
        if reprocess:
            db.execute("DELETE FROM refused")
            refused = {}
        scanned = {file.relative for file in found.files}
        removed = sorted(known[p][0] for p in known if p not in scanned)
        for relative in known:
            if relative not in scanned:
                _delete(db, relative)
        listed = {Path(item.path).relative_to(corpus).as_posix(): item for item in found.skipped}
        db.executemany("DELETE FROM refused WHERE path = ?", [(p,) for p in refused if p not in scanned | set(listed)])
        for relative, item in listed.items():  # remembered, so that an unchanged folder need not be listed again
            if refused.get(relative, ())[:2] != ("", item.reason):
                db.execute("INSERT OR REPLACE INTO refused VALUES (?, '', ?, '')", (relative, item.reason))
            _note(skipped, before, item, refused.get(relative))
        tasks = []
        for file in found.files:
            doc_id, digest, mark = known.get(file.relative, (None, None, None))
            if not reprocess and doc_id == file.id and file.signature and mark == file.signature:
                unchanged.append(file.id)
                continue
            prior = refused.get(file.relative)
            if prior and prior[0] and file.signature and prior[2] == file.signature:  # refused before, unchanged since
                _note(skipped, before, Skipped(str(file.path), prior[1]), prior)
                continue
            known_digest = digest if doc_id == file.id and not reprocess else None
            tasks.append(Task(str(file.path), file.id, file.relative, str(corpus), limit, known_digest, prior))
        signatures = {file.relative: file.signature for file in found.files}
        indexed = 0  # the last sentence id in the full-text index of a fresh one
        for task, outcome in zip(tasks, engine.map(tasks)):
            mark = signatures[task.relative]
            if outcome.unchanged:
                db.execute("UPDATE documents SET signature = ? WHERE path = ?", (mark, task.relative))
                unchanged.append(task.id)
                continue
            _delete(db, task.relative)
            if outcome.skipped is not None:
                if outcome.remember:  # its text was the reason: remember it
                    db.execute(
                        "INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?)",
                        (task.relative, outcome.digest, outcome.skipped.reason, mark),
                    )
                else:
                    db.execute("INSERT OR REPLACE INTO refused VALUES (?, '', ?, '')", (task.relative, outcome.skipped.reason))
                _note(skipped, before, outcome.skipped, task.refused)
                continue
            db.execute("DELETE FROM refused WHERE path = ?", (task.relative,))
            _insert(db, outcome, mark)
            (updated if task.relative in known else added).append(task.id)
            if fresh and len(added) % _FTS_BATCH == 0:
                indexed = _index_stems(db, indexed)
        if fresh:
            _index_stems(db, indexed)
            db.execute(_FTS_INSERT)
        if dict(found.folders) != folders:
            db.execute("DELETE FROM folders")
            db.executemany("INSERT INTO folders VALUES (?, ?)", found.folders)
        if reprocess:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('processing', ?)", (fingerprint,))
    return BuildReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(removed),
        unchanged=tuple(unchanged),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        rebuilt_because=rebuilt_because,
        skipped_before=tuple(before),
    )


def _folders_unchanged(corpus: Path, folders: dict[str, str]) -> bool:
    """Whether every folder of the corpus has the stat it had at the last refresh: then no file was
    added, removed or renamed (a file rewritten in place is seen by the next `corpus build`)."""
    now = time.time_ns()
    for folder, mark in folders.items():
        try:
            if not mark or signature(os.stat(corpus / folder if folder else corpus), now) != mark:
                return False
        except OSError:
            return False
    return True


def _note(skipped: list[Skipped], before: list[str], item: Skipped, prior: tuple | None) -> None:
    """Count a skipped file, and whether it was skipped for the same reason last time (said once, not at every make)."""
    skipped.append(item)
    if prior is not None and prior[1] == item.reason:
        before.append(item.path)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:  # SQLite ends the transaction itself on a full disk or an I/O error
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _delete(db: sqlite3.Connection, relative: str) -> None:
    db.execute("DELETE FROM sentences WHERE document_id IN (SELECT id FROM documents WHERE path = ?)", (relative,))
    db.execute("DELETE FROM documents WHERE path = ?", (relative,))


def _insert(db: sqlite3.Connection, outcome: Outcome, mark: str) -> None:
    db.execute(
        f"INSERT INTO documents (id, path, content_hash, {', '.join(_SOURCE_COLUMNS)}, signature)"
        f" VALUES (?, ?, ?, {', '.join('?' * len(_SOURCE_COLUMNS))}, ?)",
        (*outcome.document, mark),
    )
    db.executemany(
        "INSERT INTO sentences"
        " (document_id, paragraph, position, text, speaker, is_question, in_quote, is_heading, stems)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        outcome.sentences,
    )


def _index_stems(db: sqlite3.Connection, after: int) -> int:
    """Put the stems of the sentences after id ``after`` in the full-text index; the last id put there."""
    db.execute("INSERT INTO sentence_fts (rowid, stems) SELECT id, stems FROM sentences WHERE id > ?", (after,))
    return db.execute("SELECT coalesce(max(id), 0) FROM sentences").fetchone()[0]


def _sentence(row: tuple) -> Sentence:
    doc_id, paragraph, position, text, speaker, question, quote, heading = row
    return Sentence(doc_id, paragraph, position, text, speaker, bool(question), bool(quote), bool(heading))


def _source(values: tuple) -> Source:
    fields = dict(zip(_SOURCE_COLUMNS, values))
    if fields["date"] is not None:
        fields["date"] = parse_date(fields["date"])
    return Source(**fields)
