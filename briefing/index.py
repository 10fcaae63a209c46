"""The sentence index: documents and sentences in SQLite, with an FTS5 index over stems.

The index is a cache of the corpus folder, rebuilt incrementally: a file whose bytes
(and sidecar metadata) hash the same as last time is not parsed again, a removed file
is removed, and a change to the text-processing code re-processes every file. A
database from another schema version, or one that is not a database at all, is
rebuilt into a temporary file and swapped in, so a failed build never leaves a
half-written index behind.

One thing in it is not a cache: which documents the last ``--since-last`` digest
covered (the ``digested`` table), so that the next one holds only what came after.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Collection, Iterator
from contextlib import closing, contextmanager
from importlib import resources
from pathlib import Path

from . import ingest
from .corpus import CorpusFile, scan
from .dates import parse_date
from .errors import CorpusError, FileError, IndexDatabaseError
from .models import BuildReport, Document, DocumentSummary, Sentence, Skipped, Source
from .nlp import stems

SCHEMA_VERSION = 3
# How an index of an earlier version becomes the current one in place, keeping the digest record.
_MIGRATIONS = {2: "ALTER TABLE sentences ADD COLUMN is_heading INTEGER NOT NULL DEFAULT 0;"}
APPLICATION_ID = int.from_bytes(b"brfg", "big")  # marks a database as a briefing index
_SQLITE_HEADER = b"SQLite format 3\x00"

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
CREATE VIRTUAL TABLE sentence_fts USING fts5(
    stems, content='sentences', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE digested (document_id TEXT PRIMARY KEY, digest TEXT NOT NULL);
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

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise IndexDatabaseError(f"no index at {self.path}: run `briefing corpus build` first")
        try:
            self.db = _connect(self.path)
        except sqlite3.Error as exc:
            raise IndexDatabaseError(f"cannot open the index {self.path}: {exc}") from exc
        try:
            application, version = (
                self.db.execute("PRAGMA application_id").fetchone()[0],
                self.db.execute("PRAGMA user_version").fetchone()[0],
            )
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise IndexDatabaseError(f"index {self.path} is corrupt ({exc}): run `briefing corpus build`") from exc
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
    def build(cls, corpus: Path, path: Path, limit: int = ingest.loaders.MAX_FILE_BYTES) -> BuildReport:
        """Bring the index at ``path`` up to date with the corpus folder; returns what was done.

        A corrupt index is set aside (never deleted) and rebuilt; a file that is some other
        program's database, or not a file at all, is refused.
        """
        files, skipped = scan(Path(corpus))
        path = Path(path)
        try:
            reason = _rebuild_reason(path)
            if reason is None:
                with closing(_connect(path)) as db:
                    _migrate(db)
                    return _refresh(db, files, skipped, limit, rebuilt_because=None)
            return _build_fresh(path, files, skipped, limit, reason)
        except sqlite3.Error as exc:
            raise IndexDatabaseError(f"cannot write the index {path}: {exc}") from exc
        except OSError as exc:
            raise IndexDatabaseError(f"cannot write the index {path}: {exc.strerror or exc}") from exc

    def documents(self, doc_id: str | None = None) -> list[DocumentSummary]:
        """Every document (or the one with ``doc_id``), ordered by id."""
        rows = self.db.execute(
            f"SELECT d.id, d.path, {', '.join('d.' + c for c in _SOURCE_COLUMNS)},"
            " (SELECT count(*) FROM sentences s WHERE s.document_id = d.id AND s.is_heading = 0)"
            " FROM documents d WHERE ? IS NULL OR d.id = ? ORDER BY d.id",
            (doc_id, doc_id),
        ).fetchall()
        return [DocumentSummary(row[0], row[1], _source(row[2:-1]), row[-1]) for row in rows]

    def document(self, doc_id: str) -> tuple[DocumentSummary, list[Sentence]]:
        """A document and its sentences; an unknown id names the closest ones."""
        found = self.documents(doc_id)
        if not found:
            raise CorpusError(_unknown_id(doc_id, [d.id for d in self.documents()]))
        rows = self.db.execute(
            f"SELECT {_SENTENCE_COLUMNS} FROM sentences n WHERE n.document_id = ? ORDER BY n.position", (doc_id,)
        ).fetchall()
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
        rows = self.db.execute(
            f"SELECT {_SENTENCE_COLUMNS}, n.stems, -bm25(sentence_fts) AS score"
            " FROM sentence_fts JOIN sentences n ON n.id = sentence_fts.rowid"
            f" WHERE sentence_fts MATCH ? AND n.is_question = 0{self._scope(within, 'n')}"
            " ORDER BY score DESC, n.document_id, n.position LIMIT ?",
            (query, limit),
        ).fetchall()
        return [(_sentence(row[:8]), tuple(row[8].split()), row[9]) for row in rows]

    def count(self, query: str) -> int:
        return self.db.execute(
            "SELECT count(*) FROM sentence_fts JOIN sentences s ON s.id = sentence_fts.rowid"
            " WHERE sentence_fts MATCH ? AND s.is_question = 0",
            (query,),
        ).fetchone()[0]

    def _scope(self, within: Collection[str] | None, table: str) -> str:
        """A condition keeping rows of ``table`` to the documents ``within`` names (none: all of them);
        the ids go through a temporary table, as a window can hold more ids than SQL parameters allow."""
        if within is None:
            return ""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.scope")
        self.db.executemany("INSERT OR IGNORE INTO temp.scope (id) VALUES (?)", ((i,) for i in within))
        return f" AND {table}.document_id IN (SELECT id FROM temp.scope)"

    def digested(self) -> dict[str, str]:
        """The documents earlier ``--since-last`` digests covered, each with the digest that did."""
        return dict(self.db.execute("SELECT document_id, digest FROM digested ORDER BY document_id"))

    def last_digest(self) -> str | None:
        """The ``--since-last`` digest recorded last."""
        row = self.db.execute("SELECT digest FROM digested ORDER BY rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def mark_digested(self, doc_ids: Collection[str], digest: str) -> None:
        """Record that a finished digest covered these documents."""
        try:
            with _transaction(self.db):
                self.db.executemany(
                    "INSERT OR REPLACE INTO digested (document_id, digest) VALUES (?, ?)",
                    ((doc_id, digest) for doc_id in sorted(doc_ids)),
                )
        except sqlite3.Error as exc:
            raise IndexDatabaseError(f"cannot record the digest in {self.path}: {exc}") from exc

    def neighbours(self, ids: list[tuple[str, int]], offset: int) -> dict[tuple[str, int], tuple[Sentence, tuple[str, ...]]]:
        """For each sentence id, the sentence ``offset`` places away in the same paragraph, if any."""
        found = {}
        for doc_id, position in ids:
            row = self.db.execute(
                f"SELECT {_SENTENCE_COLUMNS}, n.stems FROM sentences n"
                " JOIN sentences s ON s.document_id = n.document_id AND s.paragraph = n.paragraph"
                " WHERE s.document_id = ? AND s.position = ? AND n.position = ?",
                (doc_id, position, position + offset),
            ).fetchone()
            if row:
                found[(doc_id, position)] = (_sentence(row[:8]), tuple(row[8].split()))
        return found

    def mentions(self, phrase: str, limit: int = 50) -> list[str]:
        """Texts of sentences that contain a phrase (matched on stems), in id order."""
        query = '"' + " ".join(stems(phrase)).replace('"', '""') + '"'
        rows = self.db.execute(
            "SELECT n.text FROM sentence_fts JOIN sentences n ON n.id = sentence_fts.rowid"
            " WHERE sentence_fts MATCH ? ORDER BY n.document_id, n.position LIMIT ?",
            (query, limit),
        )
        return [row[0] for row in rows]

    def stems_by_document(self, doc_ids: list[str]) -> dict[str, list[tuple[str, ...]]]:
        """The stems of every sentence of these documents: the background a summariser weighs words against."""
        marks = ", ".join("?" * len(doc_ids))
        rows = self.db.execute(
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


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _rebuild_reason(path: Path) -> str | None:
    """Why the index at ``path`` must be built from scratch ("" for a new one), or None to refresh it."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return ""
    if not path.is_file():
        raise IndexDatabaseError(f"{path} is not a file: give --index the path of an index file")
    with path.open("rb") as file:
        head = file.read(100)
    if not head.startswith(_SQLITE_HEADER):
        kept = _set_aside(path)
        return f"{path} was not a readable index; kept it as {kept}"
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise IndexDatabaseError(f"{path} is another program's SQLite database, not a briefing index")
    try:
        with closing(_connect(path)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION and version not in _MIGRATIONS:
                return f"{path} had schema version {version}, this briefing uses {SCHEMA_VERSION}"
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return f"{path} failed its integrity check"
    except sqlite3.DatabaseError as exc:
        return f"{path} is corrupt ({exc})"
    return None


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an index of an earlier version to this one in one transaction, keeping what is
    not a cache (the digest record); every file is re-processed by the next refresh."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version not in _MIGRATIONS:
        return
    with _transaction(db):
        while version in _MIGRATIONS:
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            version += 1
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('processing', ?)", (f"schema {version - 1}",))
        db.execute(f"PRAGMA user_version = {version}")


def _set_aside(path: Path) -> Path:
    """Move an unreadable file out of the way without losing it."""
    kept = path.with_name(path.name + ".unreadable")
    number = 2
    while kept.exists():
        kept = path.with_name(f"{path.name}.unreadable-{number}")
        number += 1
    path.rename(kept)
    return kept


def _build_fresh(path: Path, files: list[CorpusFile], skipped: list[Skipped], limit: int, reason: str) -> BuildReport:
    """Build into a temporary file beside ``path`` and swap it in only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with closing(_connect(Path(temp))) as db:
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            report = _refresh(db, files, skipped, limit, rebuilt_because=reason or None)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return report


def _refresh(
    db: sqlite3.Connection, files: list[CorpusFile], skipped: list[Skipped], limit: int, rebuilt_because: str | None
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
        scanned = {file.relative for file in files}
        removed = sorted(known[p][0] for p in known if p not in scanned)
        for relative in known:
            if relative not in scanned:
                _delete(db, relative)
        for file in files:
            try:
                raw = ingest.read(file.path, limit)
                if not reprocess and known.get(file.relative) == (file.id, raw.digest):
                    unchanged.append(file.id)
                    continue
                document = ingest.document(raw, file.id, file.relative)
                extracted = ingest.extract(document)
                if not extracted.has_text:
                    raise FileError(file.path, "no article text left after removing page chrome")
            except FileError as exc:
                skipped.append(Skipped(exc.path, exc.reason))
                _delete(db, file.relative)
                continue
            _delete(db, file.relative)
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
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise IndexDatabaseError(f"cannot write the index: {exc}") from exc
    try:
        yield
    except BaseException:
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
