"""The SQLite index: incremental builds, FTS5 over stems, schema versions, corrupt files."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from briefing.corpus import RACY_NS
from briefing.digest import record
from briefing.errors import BusyError, CorpusError, IndexDatabaseError, NotAnIndexError
from briefing.index import APPLICATION_ID, SCHEMA_VERSION, Index
from briefing.nlp import stem

from .conftest import CORPUS, POLITICO, SPECIAL_EURASIA


def sentence_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, document_id, position, text FROM sentences ORDER BY id").fetchall()


def test_build_indexes_every_document_with_its_metadata(seed_index):
    with Index(seed_index) as index:
        documents = {d.id: d for d in index.documents()}
    assert len(documents) == 5
    politico = documents[POLITICO]
    assert politico.source.outlet == "POLITICO Europe"
    assert str(politico.source.date) == "2022-10"
    assert politico.source.title is None
    assert politico.sentences == 10


def test_fts_matches_on_snowball_stems(seed_index):
    with sqlite3.connect(seed_index) as db:
        hits = db.execute(
            "SELECT s.text FROM sentence_fts JOIN sentences s ON s.id = sentence_fts.rowid "
            "WHERE sentence_fts MATCH ? ORDER BY bm25(sentence_fts)",
            (f'"{stem("sanctioned")} {stem("against")} {stem("Russia")}"',),
        ).fetchall()
    assert hits == [("That is why we have not joined the sanctions against Russia.",)]


def test_second_build_with_no_change_does_no_work(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    first = Index.build(corpus_copy, index)
    rows = sentence_rows(index)
    before = index.read_bytes()
    second = Index.build(corpus_copy, index)
    assert first.processed == 5
    assert second.processed == 0 and len(second.unchanged) == 5 and not second.removed
    assert second.rebuilt_because is None
    assert index.read_bytes() == before  # not a byte written
    assert sentence_rows(index) == rows


def test_changed_added_and_removed_files(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    changed = corpus_copy / f"{POLITICO}.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new closing sentence was added today.\n", "utf-8")
    (corpus_copy / f"{SPECIAL_EURASIA}.md").unlink()
    (corpus_copy / "new.txt").write_text("Astana hosted a summit on water security this week.\n", encoding="utf-8")
    report = Index.build(corpus_copy, index)
    assert report.updated == (POLITICO,)
    assert report.removed == (SPECIAL_EURASIA,)
    assert report.added == ("new",)
    assert len(report.unchanged) == 3
    with Index(index) as opened:
        assert {d.id for d in opened.documents()} == {d.stem for d in corpus_copy.iterdir() if d.suffix in (".md", ".txt")}
        _, sentences = opened.document(POLITICO)
    assert sentences[-1].text == "A new closing sentence was added today."
    with sqlite3.connect(index) as db:
        stale = db.execute("SELECT count(*) FROM sentence_fts WHERE sentence_fts MATCH 'turkic'").fetchone()[0]
    assert stale == 0  # the removed interview's sentences left the full-text index too


def test_a_file_refused_for_its_text_is_not_processed_again_until_it_changes(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    chrome = corpus_copy / "chrome.md"
    chrome.write_text("".join(f"Section {n}\n" for n in range(50)), encoding="utf-8")  # headings, no article
    first = Index.build(corpus_copy, index)
    reason = "no article text left after removing page chrome"
    assert [(s.path, s.reason) for s in first.skipped] == [(str(chrome), reason)]
    with closing(sqlite3.connect(index)) as db:  # what it was refused for is what the next build says
        db.execute("UPDATE refused SET reason = 'as remembered'")
        db.commit()
    assert [s.reason for s in Index.build(corpus_copy, index).skipped] == ["as remembered"]
    chrome.write_text("Section 1\nKazakhstan opened a new border crossing with China on Monday.\n", encoding="utf-8")
    changed = Index.build(corpus_copy, index)
    assert changed.added == ("chrome",) and not changed.skipped
    chrome.write_text("Section 1\n", encoding="utf-8")
    assert [s.reason for s in Index.build(corpus_copy, index).skipped] == [reason]
    chrome.unlink()
    Index.build(corpus_copy, index)
    with closing(sqlite3.connect(index)) as db:
        assert db.execute("SELECT count(*) FROM refused").fetchone()[0] == 0


def test_bad_files_are_skipped_and_the_rest_is_built(corpus_copy, tmp_path):
    (corpus_copy / "empty.md").write_bytes(b"")
    (corpus_copy / "binary.md").write_bytes(b"\x00\x01\x02 not text")
    (corpus_copy / "chrome-only.md").write_text("Connect with us\nShare this article:\n", encoding="utf-8")
    (corpus_copy / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = Index.build(corpus_copy, tmp_path / "index.sqlite")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "empty file" in reasons["empty.md"]
    assert "binary file" in reasons["binary.md"]
    assert "no article text left" in reasons["chrome-only.md"]
    assert "unsupported file type" in reasons["photo.jpg"]
    assert len(report.added) == 5


def test_a_file_that_turns_bad_leaves_the_index(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    (corpus_copy / f"{POLITICO}.md").write_bytes(b"")
    report = Index.build(corpus_copy, index)
    assert [s.path for s in report.skipped] == [str(corpus_copy / f"{POLITICO}.md")]
    with Index(index) as opened:
        assert POLITICO not in {d.id for d in opened.documents()}


def test_two_files_with_one_id_are_reported(corpus_copy, tmp_path):
    (corpus_copy / f"{POLITICO}.txt").write_text("Another text with the same name.\n", encoding="utf-8")
    report = Index.build(corpus_copy, tmp_path / "index.sqlite")
    assert [s.path for s in report.skipped] == [str(corpus_copy / f"{POLITICO}.txt")]
    assert "same id" in report.skipped[0].reason


def test_a_corrupt_index_is_set_aside_and_rebuilt(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    data = bytearray(index.read_bytes())
    data[4096 : 4096 * 3] = b"\xa5" * (4096 * 2)  # scribble over pages 2 and 3, header intact
    index.write_bytes(bytes(data))
    report = Index.build(corpus_copy, index)
    kept = tmp_path / "index.sqlite.unreadable"
    assert report.rebuilt_because == f"{index} is corrupt (database disk image is malformed); kept it as {kept}"
    assert kept.read_bytes() == bytes(data)
    assert len(report.added) == 5
    with Index(index) as opened:
        assert len(opened.documents()) == 5


@pytest.mark.parametrize("name", ["topics.toml", f"corpus/{POLITICO}.md", "notes.txt"])
def test_a_file_that_is_not_an_index_is_refused_untouched(corpus_copy, tmp_path, name):
    target = corpus_copy / f"{POLITICO}.md" if name.startswith("corpus/") else tmp_path / name
    if not target.exists():
        target.write_text("these are someone's notes, not a database\n", encoding="utf-8")
    before = target.read_bytes()
    with pytest.raises(NotAnIndexError, match=f"{target} is not a briefing index .* left as it is") as raised:
        Index.build(corpus_copy, target)
    assert raised.value.exit_code == 2
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith((target.name, f".{target.name}"))) == [
        target.name
    ]  # nothing set aside, no lock file made beside it


def test_an_empty_file_becomes_an_index(corpus_copy, tmp_path):
    (tmp_path / "index.sqlite").write_bytes(b"")
    assert len(Index.build(corpus_copy, tmp_path / "index.sqlite").added) == 5


def test_another_programs_database_is_refused_untouched(corpus_copy, tmp_path):
    other = tmp_path / "app.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE precious (x)")
        db.commit()
    before = other.read_bytes()
    with pytest.raises(IndexDatabaseError, match="another program's SQLite database"):
        Index.build(corpus_copy, other)
    with pytest.raises(IndexDatabaseError, match="is not a briefing index"):
        Index(other)
    assert other.read_bytes() == before


def test_a_folder_is_not_an_index(corpus_copy, tmp_path):
    with pytest.raises(NotAnIndexError, match="is a folder, not a file: give --index the path of an index file"):
        Index.build(corpus_copy, tmp_path)
    with pytest.raises(IndexDatabaseError, match="cannot use the index .*: Not a directory"):
        Index.build(corpus_copy, corpus_copy / f"{POLITICO}.md" / "index.sqlite")


def schema_version(index: Path, version: int) -> None:
    with closing(sqlite3.connect(index)) as db:
        db.execute("CREATE TABLE IF NOT EXISTS documents (id TEXT)")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()


def test_an_index_of_an_older_schema_version_is_rebuilt_not_misread(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    schema_version(index, 1)
    with pytest.raises(IndexDatabaseError, match="schema version"):
        Index(index)
    report = Index.build(corpus_copy, index)
    assert "schema version 1" in report.rebuilt_because
    assert len(report.added) == 5


def test_an_index_of_a_newer_version_is_refused_not_rebuilt(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    schema_version(index, SCHEMA_VERSION + 1)
    before = index.read_bytes()
    with pytest.raises(NotAnIndexError, match=f"an index of a newer briefing \\(schema version {SCHEMA_VERSION + 1}"):
        Index.build(corpus_copy, index)
    assert index.read_bytes() == before


def test_a_renamed_file_keeps_its_id(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    source = corpus_copy / f"{POLITICO}.md"
    source.rename(source.with_suffix(".txt"))
    report = Index.build(corpus_copy, index)
    assert report.removed == (POLITICO,) and report.added == (POLITICO,)
    with Index(index) as opened:
        assert opened.documents(POLITICO)[0].path == f"{POLITICO}.txt"


def test_changed_text_processing_reprocesses_every_file(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = 'older code' WHERE key = 'processing'")
    report = Index.build(corpus_copy, index)
    assert report.rebuilt_because == "the text-processing code changed"
    assert len(report.updated) == 5


def test_a_failed_fresh_build_leaves_no_file(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        Index.build(tmp_path / "no-such-corpus", tmp_path / "index.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_opening_a_missing_or_foreign_index_says_what_to_do(tmp_path):
    with pytest.raises(IndexDatabaseError, match="run `briefing corpus build`"):
        Index(tmp_path / "missing.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"junk" * 1000)
    with pytest.raises(NotAnIndexError, match="not a briefing index"):
        Index(tmp_path / "junk.sqlite")


def test_unknown_document_names_the_closest(seed_index):
    with Index(seed_index) as index, pytest.raises(CorpusError, match="did you mean 2022-10-politico-europe"):
        index.document("2022-10-politico")


def test_the_shipped_corpus_has_the_five_seeds():
    assert len(list(CORPUS.glob("*.md"))) == 5


def test_headings_are_kept_in_order_but_never_matched(seed_index):
    with Index(seed_index) as index:
        _, rows = index.document(SPECIAL_EURASIA)
        headings = [s.text for s in rows if s.heading]
        assert headings and all(not s.is_question and s.speaker is None for s in rows if s.heading)
        assert [s.position for s in rows] == list(range(len(rows)))  # one order for headings and sentences
        for heading in headings:
            query = " ".join(f'"{stem(word)}"' for word in heading.split() if word.isalpha())
            assert all(not s.heading for s, _, _ in index.match(query, 100))
        counted = index.documents(SPECIAL_EURASIA)[0].sentences
        assert counted == len(rows) - len(headings)


@pytest.mark.parametrize("version", [2, 3])
def test_an_index_of_an_earlier_version_is_migrated_and_its_digest_record_moves_beside_it(corpus_copy, tmp_path, version):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    with closing(sqlite3.connect(index)) as db:  # as versions 2 and 3 left it: the record inside, no stats
        db.execute("DROP TABLE refused")
        db.execute("DROP TABLE folders")
        db.execute("ALTER TABLE documents DROP COLUMN signature")
        db.execute("CREATE TABLE digested (document_id TEXT PRIMARY KEY, digest TEXT NOT NULL)")
        db.executemany("INSERT INTO digested VALUES (?, ?)", [(POLITICO, "added-2025-01-08"), (SPECIAL_EURASIA, "added-2025-01-01")])
        if version == 2:
            db.execute("ALTER TABLE sentences DROP COLUMN is_heading")
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()
    report = Index.build(corpus_copy, index)
    if version == 2:  # only version 2 lacked headings: its sentences are made again
        assert report.rebuilt_because == "the index was migrated from schema 2" and len(report.updated) == 5
    else:
        assert report.rebuilt_because is None and len(report.unchanged) == 5
    kept = record.load(tmp_path / "digests", index)  # the next digest takes it over
    assert (kept.digested, kept.last) == ({POLITICO: "added-2025-01-08", SPECIAL_EURASIA: "added-2025-01-01"}, "added-2025-01-01")
    with Index(index) as opened:
        assert any(s.heading for s in opened.document(SPECIAL_EURASIA)[1])
        assert not opened.db.execute("SELECT name FROM sqlite_master WHERE name = 'digested'").fetchall()


def test_an_index_in_use_by_another_program_is_waited_for_and_never_called_corrupt(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    record.legacy_add(index, [("added-2025-01-01", [POLITICO])])
    before = index.read_bytes()
    with closing(sqlite3.connect(index, isolation_level=None)) as other:  # another program, writing
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(BusyError, match=f"the index {index} is in use by another program; gave up after waiting 0.3 s"):
            Index.build(corpus_copy, index, wait=0.3)
        other.execute("ROLLBACK")
    assert index.read_bytes() == before and not (tmp_path / "index.sqlite.unreadable").exists()
    assert record.load(tmp_path / "digests", index).digested == {POLITICO: "added-2025-01-01"}


def _trusted(corpus: Path, index: Path) -> None:
    """Wait until the corpus's stats are old enough to be trusted, and let a build record them."""
    time.sleep(RACY_NS / 1e9 + 0.1)
    Index.build(corpus, index)


def test_make_trusts_unchanged_folders_and_corpus_build_sees_an_edit_in_place(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    _trusted(corpus_copy, index)
    with open(corpus_copy / f"{POLITICO}.md", "a", encoding="utf-8") as article:  # in place: its folder is unchanged
        article.write("A sentence added in place today.\n")
    assert len(Index.build(corpus_copy, index, thorough=False).unchanged) == 5
    assert Index.build(corpus_copy, index).updated == (POLITICO,)  # corpus build takes every file's stat
    (corpus_copy / "new.md").write_text("Kazakhstan opened a new border crossing with China on Monday.\n", "utf-8")
    assert Index.build(corpus_copy, index, thorough=False).added == ("new",)  # a new file changes its folder


def test_a_skipped_file_is_named_once_to_the_commands_that_only_read(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    (corpus_copy / "empty.md").write_bytes(b"")
    (corpus_copy / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    first = Index.build(corpus_copy, index)
    assert len(first.skipped) == len(first.newly_skipped) == 2
    again = Index.build(corpus_copy, index, thorough=False)
    assert len(again.skipped) == 2 and again.newly_skipped == ()
    (corpus_copy / "empty.md").write_bytes(b"\x00 binary now")
    changed = Index.build(corpus_copy, index, thorough=False)
    assert [Path(s.path).name for s in changed.newly_skipped] == ["empty.md"]


def test_a_damaged_index_is_found_by_make_too_when_the_file_changed_underneath(corpus_copy, tmp_path):
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    data = bytearray(index.read_bytes())
    data[4096:8192] = b"\xa5" * 4096
    index.write_bytes(bytes(data))
    report = Index.build(corpus_copy, index, thorough=False)
    assert "is corrupt" in report.rebuilt_because and len(report.added) == 5


def test_documents_dated_in_a_span_are_those_a_digest_can_place(seed_index):
    import datetime as dt

    with Index(seed_index) as opened:
        every = opened.documents()
        for first, last in [(dt.date(2022, 10, 5), dt.date(2022, 10, 5)), (dt.date(2023, 1, 1), dt.date(2025, 4, 10))]:
            dated = opened.documents(dated=(first, last))
            expected = [
                d for d in every
                if d.source.date is None
                or str(first)[: len(str(d.source.date))] <= str(d.source.date) <= str(last)[: len(str(d.source.date))]
            ]
            assert dated == expected and dated


def test_a_new_index_takes_its_stems_a_batch_at_a_time_and_then_keeps_them_up(corpus_copy, tmp_path, monkeypatch):
    """A new index fills its full-text index a batch of documents at a time, then makes the trigger that
    keeps it up: batches of two over five documents hold every sentence once, and a file added after is
    found like the others."""
    import briefing.index

    monkeypatch.setattr(briefing.index, "_FTS_BATCH", 2)
    index = tmp_path / "index.sqlite"
    Index.build(corpus_copy, index)
    query = "SELECT count(*) FROM sentence_fts WHERE sentence_fts MATCH ?"
    # FTS5's check with rank 1 compares the index with the sentences table: a batch left out is "malformed"
    check = "INSERT INTO sentence_fts (sentence_fts, rank) VALUES ('integrity-check', 1)"
    with closing(sqlite3.connect(index)) as db:
        db.execute(check)
        before = db.execute(query, (stem("sanctions"),)).fetchone()[0]
    added = "Kazakhstan has not joined the sanctions, the minister said again.\n"
    (corpus_copy / "added.md").write_text(added, encoding="utf-8")
    assert Index.build(corpus_copy, index).added == ("added",)
    with closing(sqlite3.connect(index)) as db:
        db.execute(check)
        assert db.execute(query, (stem("sanctions"),)).fetchone()[0] == before + 1
