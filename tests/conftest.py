"""Fixtures over the real seed corpus: the shipped corpus/ folder, and the raw seeds beside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing import ingest
from briefing.corpus import scan
from briefing.index import Index
from briefing.models import Topic
from briefing.topics import load_topics

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / "corpus"
SEEDS = PROJECT.parent / "shared" / "corpus-seeds"

# The shipped corpus files, by what they are.
DIPLOMAT_TIMES = "2025-04-16-diplomat-times-europe"  # "Name :" / "Name:" speaker tags
UN_JOURNAL = "2025-04-kazakhstans-deputy-foreign-minister-stresses"  # Q: / A: Name: blocks
EU_REPORTER = "2023-10-30-kazakhstan-looks-for-further-and-faster-progress"  # report, teasers at the end
SPECIAL_EURASIA = "2023-06-08-exploring-kazakhstans-foreign-policy-and-future"  # untagged questions
POLITICO = "2022-10-politico-europe"  # report with direct quotations


@pytest.fixture(autouse=True)
def _own_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in a fresh folder holding the shipped topics.toml and nothing else, with no
    BRIEFING_* variables: never the briefing.toml, corpus or out/ of the folder pytest was started
    in (a [mail] table there once made a digest test send mail)."""
    here = tmp_path_factory.mktemp("cwd")
    shutil.copy(PROJECT / "topics.toml", here / "topics.toml")
    monkeypatch.chdir(here)
    for name in ("BRIEFING_CONFIG", "BRIEFING_CORPUS", "BRIEFING_INDEX", "BRIEFING_TOPICS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def extracted() -> dict[str, ingest.Extracted]:
    """Every shipped corpus document, cleaned and split, by id."""
    found = scan(CORPUS)
    assert not found.skipped
    return {f.id: ingest.extract(ingest.document(ingest.read(f.path), f.id, f.relative)) for f in found.files}


@pytest.fixture(scope="session")
def raw_text() -> dict[str, str]:
    """The body of every shipped corpus file as scraped, by id."""
    files = scan(CORPUS).files
    return {f.id: ingest.document(ingest.read(f.path), f.id, f.relative).body for f in files}


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped corpus, built once."""
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    report = Index.build(CORPUS, path)
    assert len(report.added) == 5 and not report.skipped
    return path


@pytest.fixture(scope="session")
def topics() -> dict[str, Topic]:
    """The shipped topics.toml."""
    return load_topics(PROJECT / "topics.toml")


def texts(result: ingest.Extracted) -> list[str]:
    """The sentences of a document, its headings left out."""
    return [s.text for s in result.sentences if not s.heading]


def needs_seeds() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the raw seeds are not beside the project ({SEEDS})")
