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

import errno
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path

from . import ingest
from .digest import record
from .corpus import CorpusFile, scan
from .dates import parse_date
from .errors import BusyError, CorpusError, FileError, IndexDatabaseError, NotAnIndexError
from .files import LOCK_WAIT, not_regular, locked, sweep, temporary_prefix
from .models import BuildReport, Document, DocumentSummary, Sentence, Skipped, Source
from .nlp import stems

SCHEMA_VERSION = 4
# How an index of an earlier version becomes the current one in place: its statements, and
# whether its sentences must be made again. The --since-last record leaves version 3 for record.py;
# version 4 remembers the files it refused for their text, so that each is processed once, not
# at every build (a file of a million lines cost each later `make` its processing time again).
_MIGRATIONS = {
    2: ("ALTER TABLE sentences ADD COLUMN is_heading INTEGER NOT NULL DEFAULT 0;", True),
    3: (
        "DROP TABLE digested;"
        "CREATE TABLE refused (path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reason TEXT NOT NULL);",
        False,
    ),
}
APPLICATION_ID = int.from_bytes(b"brfg", "big")  # marks a database as a briefing index
_SQLITE_HEADER = b"SQLite format 3\x00"
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # what a damaged file gives, as against a busy or full disk
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_CACHE_KIB = 65536  # a build's changes stay in memory until commit, so readers are locked out only then

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    outlet TEXT, title TEXT, author TEXT, date TEXT, url TEXT, kind TEXT, place TEXT, note TEXT
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
CREATE TABLE refused (path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, reason TEXT NOT NULL);
CREATE VIRTUAL TABLE sentence_fts USING fts5(
    stems, content='sentences', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentence_fts (rowid, stems) VALUES (new.id, new.stems);
END;
CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentence_fts (sentence_fts, rowid, stems) VALUES ('delete', old.id, old.stems);
END;
"""

_SENTENCE_COLUMNS = "n.document_id, n.paragraph, n.position, n.text, n.speaker, n.is_question, n.in_quote, n.is_heading"
_SOURCE_COLUMNS = ("outlet", "title", "author", "date", "url", "kind", "place", "note")


def processing_fingerprint() -> str:
    """A hash of the code, data and library versions that turn a file into sentences: when
    it changes, every file is re-processed."""
    from importlib.metadata import version

    libraries = ("nltk", "snowballstemmer", "trafilatura")
    digest = hashlib.sha256(" ".join(f"{name} {version(name)}" for name in libraries).encode())
    package = resources.files("briefing")
    parts = sorted(
        [package / "nlp.py", package / "dates.py", package / "data" / "stopwords.txt"]
        + [p for p in (package / "ingest").iterdir() if p.name.endswith(".py")],
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

    @classmethod
    def build(
        cls,
        corpus: Path,
        path: Path,
        limit: int = ingest.loaders.MAX_FILE_BYTES,
        wait: float = LOCK_WAIT,
        waiting: Callable[[str], None] = lambda message: None,
    ) -> BuildReport:
        """Bring the index at ``path`` up to date with the corpus folder; returns what was done.

        Only a missing path or an empty file becomes a new index; anything else that is not an
        index of ours is refused untouched (NotAnIndexError). A corrupt index of ours is set aside
        (never deleted) and rebuilt. Another process writing the index is waited for, up to ``wait``
        seconds (``waiting`` is told), then BusyError.
        """
        corpus, path = Path(corpus), Path(path)
        files, skipped = scan(corpus)
        _refuse_foreign(path)  # before anything is made beside it
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with locked(path.with_name(f".{path.name}.lock"), wait, f"the index {path}", waiting):
                sweep(path.parent)  # what a killed build left: its temporary index
                reason = _rebuild_reason(path, wait)
                if reason is None:
                    with closing(_connect(path, wait)) as db:
                        _migrate(db, path, wait)
                        return _refresh(db, corpus, files, skipped, limit, rebuilt_because=None)
                return _build_fresh(path, corpus, files, skipped, limit, reason)
        except sqlite3.Error as exc:
            raise _failure(path, exc, wait) from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise IndexDatabaseError(_no_space(path)) from exc
            raise IndexDatabaseError(f"cannot write the index {path}: {exc.strerror or exc}") from exc

    def documents(self, doc_id: str | None = None) -> list[DocumentSummary]:
        """Every document (or the one with ``doc_id``), ordered by id."""
        rows = self._rows(
            f"SELECT d.id, d.path, {', '.join('d.' + c for c in _SOURCE_COLUMNS)},"
            " (SELECT count(*) FROM sentences s WHERE s.document_id = d.id AND s.is_heading = 0)"
            " FROM documents d WHERE ? IS NULL OR d.id = ? ORDER BY d.id",
            (doc_id, doc_id),
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

    def sources(self) -> dict[str, Source]:
        return {d.id: d.source for d in self.documents()}

    def match(
        self, query: str, limit: int, within: Collection[str] | None = None
    ) -> list[tuple[Sentence, tuple[str, ...], float]]:
        """Statements (never questions) matching an FTS5 query, best BM25 first, ties by id;
        only from the documents ``within`` names, when given (a digest's window).

        Each comes with its stems and its BM25 score, made positive: higher is better.
        """
        rows = self._rows(
            f"SELECT {_SENTENCE_COLUMNS}, n.stems, -bm25(sentence_fts) AS score"
            " FROM sentence_fts JOIN sentences n ON n.id = sentence_fts.rowid"
            f" WHERE sentence_fts MATCH ? AND n.is_question = 0{self._scope(within, 'n')}"
            " ORDER BY score DESC, n.document_id, n.position LIMIT ?",
            (query, limit),
        )
        return [(_sentence(row[:8]), tuple(row[8].split()), row[9]) for row in rows]

    def count(self, query: str) -> int:
        return self._rows(
            "SELECT count(*) FROM sentence_fts JOIN sentences s ON s.id = sentence_fts.rowid"
            " WHERE sentence_fts MATCH ? AND s.is_question = 0",
            (query,),
        )[0][0]

    def _scope(self, within: Collection[str] | None, table: str) -> str:
        """A condition keeping rows of ``table`` to the documents ``within`` names (none: all of them);
        the ids go through a temporary table, as a window can hold more ids than SQL parameters allow."""
        if within is None:
            return ""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.scope")
        self.db.executemany("INSERT OR IGNORE INTO temp.scope (id) VALUES (?)", ((i,) for i in within))
        return f" AND {table}.document_id IN (SELECT id FROM temp.scope)"

    def _rows(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        """A query's rows; a database that is busy past the wait, or damaged, is a BriefingError."""
        try:
            return self.db.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise _failure(self.path, exc, self._wait) from exc

    def neighbours(self, ids: list[tuple[str, int]], offset: int) -> dict[tuple[str, int], tuple[Sentence, tuple[str, ...]]]:
        """For each sentence id, the sentence ``offset`` places away in the same paragraph, if any."""
        found = {}
        for doc_id, position in ids:
            for row in self._rows(
                f"SELECT {_SENTENCE_COLUMNS}, n.stems FROM sentences n"
                " JOIN sentences s ON s.document_id = n.document_id AND s.paragraph = n.paragraph"
                " WHERE s.document_id = ? AND s.position = ? AND n.position = ?",
                (doc_id, position, position + offset),
            ):
                found[(doc_id, position)] = (_sentence(row[:8]), tuple(row[8].split()))
        return found

    def preceding(self, ids: list[tuple[str, int]], count: int) -> dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]]:
        """For each sentence id, up to ``count`` rows printed right before it, in any paragraph, in order."""
        found: dict[tuple[str, int], list[tuple[Sentence, tuple[str, ...]]]] = {}
        for doc_id, position in ids:
            rows = self._rows(
                f"SELECT {_SENTENCE_COLUMNS}, n.stems FROM sentences n"
                " WHERE n.document_id = ? AND n.position >= ? AND n.position < ? ORDER BY n.position",
                (doc_id, position - count, position),
            )
            if rows:
                found[(doc_id, position)] = [(_sentence(row[:8]), tuple(row[8].split())) for row in rows]
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


def _rebuild_reason(path: Path, wait: float) -> str | None:
    """Why the index at ``path`` must be built from scratch ("" for a new one), or None to refresh it.
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
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                why = "it failed its integrity check"
            else:
                return None
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") not in _CORRUPT:
            raise
        why = f"{exc}"
    kept = _set_aside(path)
    return f"{path} is corrupt ({why}); kept it as {kept}"


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


def _build_fresh(
    path: Path, corpus: Path, files: list[CorpusFile], skipped: list[Skipped], limit: int, reason: str
) -> BuildReport:
    """Build into a temporary file beside ``path`` and swap it in only when complete."""
    fd, temp = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with closing(_connect(Path(temp))) as db:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            report = _refresh(db, corpus, files, skipped, limit, rebuilt_because=reason or None)
        os.replace(temp, path)
    finally:
        for leftover in (temp, f"{temp}-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return report


def _refresh(
    db: sqlite3.Connection,
    corpus: Path,
    files: list[CorpusFile],
    skipped: list[Skipped],
    limit: int,
    rebuilt_because: str | None,
) -> BuildReport:
    fingerprint = processing_fingerprint()
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    skipped = list(skipped)
    with _transaction(db):
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        reprocess = stored.get("processing") != fingerprint
        if reprocess and stored and rebuilt_because is None:
            migrated = stored.get("processing", "").startswith("schema ")
            rebuilt_because = f"the index was migrated from {stored['processing']}" if migrated else (
                "the text-processing code changed"
            )
        known = {path: (doc_id, digest) for doc_id, path, digest in db.execute("SELECT id, path, content_hash FROM documents")}
        if reprocess:
            db.execute("DELETE FROM refused")
        refused = {path: (digest, reason) for path, digest, reason in db.execute("SELECT path, content_hash, reason FROM refused")}
        scanned = {file.relative for file in files}
        removed = sorted(known[p][0] for p in known if p not in scanned)
        for relative in known:
            if relative not in scanned:
                _delete(db, relative)
        db.executemany("DELETE FROM refused WHERE path = ?", [(p,) for p in refused if p not in scanned])
        for file in files:
            raw = None
            try:
                raw = ingest.read(file.path, limit, corpus)
                if not reprocess and known.get(file.relative) == (file.id, raw.digest):
                    unchanged.append(file.id)
                    continue
                if refused.get(file.relative, ("",))[0] == raw.digest:  # refused before, unchanged since
                    raise FileError(file.path, refused[file.relative][1])
                document = ingest.document(raw, file.id, file.relative)
                extracted = ingest.extract(document)
                if not extracted.has_text:
                    raise FileError(file.path, "no article text left after removing page chrome")
            except FileError as exc:
                skipped.append(Skipped(exc.path, exc.reason))
                _delete(db, file.relative)
                if raw is not None and exc.path == str(file.path):  # its text was the reason: remember it
                    db.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?)", (file.relative, raw.digest, exc.reason))
                continue
            _delete(db, file.relative)
            db.execute("DELETE FROM refused WHERE path = ?", (file.relative,))
            _insert(db, document, extracted)
            (updated if file.relative in known else added).append(file.id)
        if reprocess:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('processing', ?)", (fingerprint,))
    return BuildReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(removed),
        unchanged=tuple(unchanged),
        skipped=tuple(skipped),
        rebuilt_because=rebuilt_because,
    )


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


def _insert(db: sqlite3.Connection, document: Document, extracted: ingest.Extracted) -> None:
    source = extracted.source
    db.execute(
        f"INSERT INTO documents (id, path, content_hash, {', '.join(_SOURCE_COLUMNS)})"
        f" VALUES (?, ?, ?, {', '.join('?' * len(_SOURCE_COLUMNS))})",
        (document.id, document.path, document.content_hash, *(_column(source, c) for c in _SOURCE_COLUMNS)),
    )
    db.executemany(
        "INSERT INTO sentences"
        " (document_id, paragraph, position, text, speaker, is_question, in_quote, is_heading, stems)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                *(s.document_id, s.paragraph, s.position, s.text, s.speaker, s.is_question, s.in_quote, s.heading),
                "" if s.heading else " ".join(stems(s.text)),  # headings are never matched or quoted
            )
            for s in extracted.sentences
        ],
    )


def _sentence(row: tuple) -> Sentence:
    doc_id, paragraph, position, text, speaker, question, quote, heading = row
    return Sentence(doc_id, paragraph, position, text, speaker, bool(question), bool(quote), bool(heading))


def _column(source: Source, name: str) -> str | None:
    value = getattr(source, name)
    return None if value is None else str(value)


def _source(values: tuple) -> Source:
    fields = dict(zip(_SOURCE_COLUMNS, values))
    if fields["date"] is not None:
        fields["date"] = parse_date(fields["date"])
    return Source(**fields)
