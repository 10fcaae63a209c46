"""A digest run again keeps what did not change and never what did: real indexes, real PDFs, and
every rerun compared with a digest made from nothing on the same inputs.

A brief is kept on the hash of what it is made from (``.<window>.made.json`` beside the folder).
That an unchanged window is neither selected, ranked nor rendered again is shown on an index whose
sentences were then deleted: a brief made again from it would find nothing."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.dates import parse_date
from briefing.digest.make import make_digest
from briefing.digest.pdfs import Workers
from briefing.digest.windows import iso_week
from briefing.errors import BriefingError, FileError, UsageError
from briefing.files import read_limited
from briefing.index import Index
from briefing.models import Digest, Term
from briefing.rank.base import RankSettings
from briefing.summarise import SummarySettings

from .conftest import PROJECT
from .test_digest_make import add_article, pdf_text

WEEK16 = iso_week("2025-W16")
SHOWN = ("sanctions", "trade", "transport")  # no brief in week 16, then two with one


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def topics(topics):
    return {name: topics[name] for name in SHOWN}


@pytest.fixture
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    path = tmp_path / "index.sqlite"
    shutil.copyfile(seed_index, path)
    return path


def digest(index: Path, topics, digests: Path, subject: str = "Kazakhstan", **options) -> Digest:
    with Index(index) as opened:
        return make_digest(opened, topics, WEEK16, digests, subject, **options)


def forget_sentences(index: Path) -> None:
    """Delete every sentence, the documents left as they are: a brief selected again finds nothing."""
    with sqlite3.connect(index) as db:
        db.execute("DELETE FROM sentences")


@pytest.fixture(scope="module")
def made(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Digest:
    """Week 16's digest of three topics over the seed corpus, made once: copied by each test (``again``)."""
    from briefing.topics import load_topics

    topics = {name: topic for name, topic in load_topics(PROJECT / "topics.toml").items() if name in SHOWN}
    first = digest(seed_index, topics, tmp_path_factory.mktemp("made") / "d")
    assert [t.name for t in first.nothing_new] == ["sanctions"] and all(b.rendered for b in first.briefs)
    return first


def again(made: Digest, tmp_path: Path) -> Path:
    """A copy of the digests folder of ``made`` (its record of what was made included), to make the digest again in."""
    shutil.copytree(made.folder.parent, tmp_path / "d")
    return tmp_path / "d"


def test_an_unchanged_window_is_neither_ranked_nor_rendered_again(made, index_copy, topics, tmp_path):
    digests = again(made, tmp_path)
    forget_sentences(index_copy)
    kept = digest(index_copy, topics, digests)
    assert kept == replace(made, folder=kept.folder, briefs=tuple(replace(b, rendered=False) for b in made.briefs))
    assert hashes(kept.folder) == hashes(made.folder)


def test_a_topic_edited_is_ranked_again_and_the_others_are_kept(made, index_copy, topics, tmp_path):
    digests = again(made, tmp_path)
    forget_sentences(index_copy)
    edited = dict(topics, trade=type(topics["trade"])("trade", "Trade", (Term("trade", ("trade",)),)))
    kept = digest(index_copy, edited, digests)
    assert [t.name for t in kept.nothing_new] == ["sanctions", "trade"]  # trade, ranked again, finds nothing left
    assert [b.name for b in kept.briefs] == ["transport"] and not kept.briefs[0].rendered


@pytest.mark.parametrize(
    "change",
    ["article in the window", "article outside the window", "keywords", "subject", "settings", "garbled record"],
)
def test_a_digest_run_again_after_a_change_is_the_digest_made_from_nothing(change, made, index_copy, corpus_copy, topics, tmp_path):
    digests = again(made, tmp_path)
    subject, options = "Kazakhstan", {}
    if change == "article in the window":
        add_article(corpus_copy, tmp_path, "2025-04-16")
    elif change == "article outside the window":  # BM25 weighs every match against the whole corpus
        add_article(corpus_copy, tmp_path, "2023-02-01")
    elif change == "keywords":
        topics = dict(topics, transport=type(topics["transport"])("transport", "Transport", topics["trade"].terms))
    elif change == "subject":
        subject = "Central Asia"
    elif change == "settings":
        options = {"settings": SummarySettings(rank=RankSettings(sentences=4))}
    else:
        record = digests / ".2025-W16.made.json"
        record.write_text(record.read_text(encoding="utf-8").replace('"sha256": "', '"sha256": "0'), encoding="utf-8")
    Index.build(corpus_copy, index_copy)
    remade = digest(index_copy, topics, digests, subject, **options)
    fresh = digest(index_copy, topics, tmp_path / "fresh", subject, **options)
    assert hashes(remade.folder) == hashes(fresh.folder)
    assert remade == replace(fresh, folder=remade.folder, briefs=tuple(
        replace(b, rendered=r.rendered) for b, r in zip(fresh.briefs, remade.briefs, strict=True)))
    rendered = {b.name for b in remade.briefs if b.rendered}
    if change == "article in the window":
        sanctions = next(b for b in remade.briefs if b.name == "sanctions")
        assert "sanctions" in rendered and "Astana Times" in pdf_text(remade.folder / sanctions.file)
    elif change == "keywords":
        assert rendered == {"transport"}
    elif change in ("subject", "settings"):
        assert rendered == {b.name for b in remade.briefs}
    elif change == "garbled record":
        assert not rendered  # made again, their composed content is the same: kept all the same


def test_a_brief_changed_on_disk_is_rendered_again(made, index_copy, topics, tmp_path):
    digests = again(made, tmp_path)
    folder = digests / made.window.name
    (folder / made.briefs[0].file).write_bytes(b"%PDF-1.7 not the brief")
    (folder / made.index_pdf).unlink()
    remade = digest(index_copy, topics, digests)
    assert [b.rendered for b in remade.briefs] == [True, *[False] * (len(remade.briefs) - 1)]
    assert hashes(remade.folder) == hashes(made.folder)


def test_a_changed_template_renders_every_brief_again(corpus_copy, tmp_path):
    """In a copy of the package, where a template can be changed: the CLI, its worker processes and all."""
    package = tmp_path / "package"
    shutil.copytree(PROJECT / "briefing", package / "briefing", ignore=shutil.ignore_patterns("__pycache__", "starter"))
    (package / "topics.toml").write_text('[trade]\ntitle = "Trade"\nkeywords = ["trade", "exports"]\n', encoding="utf-8")
    command = [sys.executable, "-m", "briefing", "digest", "--week", "2025-W16", "--corpus", str(corpus_copy)]
    command += ["--index", str(tmp_path / "i.sqlite"), "--out", str(tmp_path / "d")]

    def run() -> str:
        done = subprocess.run(command, cwd=package, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "(1 rendered, 0 unchanged)" in run()
    css = package / "briefing" / "templates" / "brief.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0.01em; }\n", encoding="utf-8")
    assert "(1 rendered, 0 unchanged)" in run()


def test_what_fails_in_a_worker_is_raised_here_as_it_was_raised_there(tmp_path):
    with Workers(2) as workers:
        assert workers.submit(parse_date, "2025-04").result() == parse_date("2025-04")
        with pytest.raises(UsageError, match="not a date: 'April'"):
            workers.submit(parse_date, "April").result()
        with pytest.raises(BriefingError, match="no-such-file") as raised:  # FileError's arguments are not its args
            workers.submit(read_limited, tmp_path / "no-such-file", 10).result()
        assert raised.type is not FileError and raised.value.exit_code == FileError.exit_code
        with pytest.raises(ValueError, match="invalid literal") as bug:  # not ours: with where it was raised
            workers.submit(int, "x").result()
        assert "In a PDF worker process" in bug.value.__notes__[-1] and "Traceback" in bug.value.__notes__[-1]
        with pytest.raises(BriefingError, match=r"a PDF worker process ended unexpectedly \(exit status 3\)"):
            workers.submit(os._exit, 3).result()
