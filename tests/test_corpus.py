"""`corpus add`: files become Markdown corpus files with front matter, once."""

from __future__ import annotations

import pytest

from briefing.corpus import add, file_name
from briefing.files import slug
from briefing.dates import PartialDate
from briefing.errors import CorpusError
from briefing.index import Index
from briefing.ingest import loaders
from briefing.models import Source

from .conftest import CORPUS, SEEDS, needs_seeds
from .test_loaders import HTML_PAGE


@needs_seeds()
def test_the_seeds_import_into_the_shipped_corpus_files(tmp_path):
    """The shipped corpus is what `corpus add` makes of the raw seeds and their sources.toml."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = add(sorted(SEEDS.glob("*.txt")), corpus)
    assert not report.skipped
    made = {p.name: p.read_text(encoding="utf-8") for p in corpus.iterdir()}
    shipped = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md")}
    assert made == shipped


@needs_seeds()
def test_adding_again_is_refused(corpus_copy):
    report = add([SEEDS / "004_cbd1f5967267d5e0.txt"], corpus_copy)
    assert not report.added
    assert report.skipped[0].reason == "already in the corpus as 2022-10-politico-europe.md"


def test_options_override_and_the_file_reads_back(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    report = add([page], corpus, Source(outlet="Steppe Times Weekly", kind="report"))
    [added] = report.added
    source = loaders.parse(loaders.read(added.path)).source
    assert source.outlet == "Steppe Times Weekly"  # the option wins
    assert source.author == "Jane Doe"  # the page's own metadata stays
    assert source.date == PartialDate(2024, 3, 4)
    assert added.path.name == "2024-03-04-kazakhstan-and-uzbekistan-sign-water-deal.md"
    report = Index.build(corpus, tmp_path / "index.sqlite")
    assert report.added == ("2024-03-04-kazakhstan-and-uzbekistan-sign-water-deal",)


def test_same_url_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in (("a.txt", "First version of the story, told in full."), ("b.txt", "A second telling.")):
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    url = Source(url="https://example.org/story")
    add([tmp_path / "a.txt"], corpus, url)
    report = add([tmp_path / "b.txt"], corpus, url)
    assert "URL is already in the corpus" in report.skipped[0].reason


def test_names_never_overwrite(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Story {name} tells its own facts.\n", encoding="utf-8")
    add([tmp_path / "a.txt", tmp_path / "b.txt"], corpus, Source(outlet="Same Outlet", date=PartialDate(2024)))
    assert sorted(p.name for p in corpus.iterdir()) == ["2024-same-outlet-2.md", "2024-same-outlet.md"]


def test_bad_files_are_skipped_and_nothing_half_written(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "chrome.txt").write_text("Connect with us\nFollow us on Facebook and Twitter\n", encoding="utf-8")
    report = add([tmp_path / "empty.txt", tmp_path / "chrome.txt", tmp_path / "missing.txt"], corpus)
    assert [s.reason for s in report.skipped] == [
        "empty file",
        "no article text left after removing page chrome",
        "cannot read (No such file or directory)",
    ]
    assert list(corpus.iterdir()) == []


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        add([], tmp_path / "nope")


def test_file_names_are_readable_and_safe():
    assert slug("Kazakhstan’s deputy foreign minister stresses dialogue among Central Asian countries") == (
        "kazakhstans-deputy-foreign-minister-stresses"
    )
    assert file_name(Source(title="../../etc/passwd"), "x") == "undated-etc-passwd"
    assert file_name(Source(), "000_dbf0511e") == "undated-000-dbf0511e"
