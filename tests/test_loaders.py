"""Loading .md, .txt and .html files, and refusing bad ones with one clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.dates import PartialDate
from briefing.errors import CorpusError
from briefing.ingest import loaders
from briefing.models import Source

from .conftest import CORPUS, SEEDS, needs_seeds


def load(path: Path, limit: int = loaders.MAX_FILE_BYTES) -> loaders.Loaded:
    return loaders.parse(loaders.read(path, limit))


def test_shipped_corpus_front_matter_carries_the_known_fields_only():
    loaded = load(CORPUS / "2025-04-kazakhstans-deputy-foreign-minister-stresses.md")
    assert loaded.source.outlet == "Diplomacy Journal (UN Journal)"
    assert loaded.source.date == PartialDate(2025, 4)  # month only, as the source
    assert loaded.source.url is None  # not known, not invented
    assert loaded.body.lstrip().startswith("UN members")  # the text as scraped; cleaning comes later


def test_toml_and_yaml_front_matter(tmp_path):
    toml = tmp_path / "a.md"
    toml.write_text('+++\noutlet = "Outlet A"\ndate = 2024-03-01\n+++\nBody text here.\n', encoding="utf-8")
    yaml = tmp_path / "b.md"
    yaml.write_text("---\noutlet: Outlet B\ndate: 2024-03\nkind: report\n---\nBody text here.\n", encoding="utf-8")
    assert load(toml).source == Source(outlet="Outlet A", date=PartialDate(2024, 3, 1))
    assert load(yaml).source == Source(outlet="Outlet B", date=PartialDate(2024, 3), kind="report")
    assert load(yaml).body == "Body text here.\n"


def test_front_matter_round_trips():
    source = Source(outlet="O", title='A "quoted" title', date=PartialDate(2025, 4), kind="interview")
    values, body = loaders.split_front_matter(loaders.front_matter(source) + "\nText.\n", "x.md")
    assert loaders.source_from_mapping(values, "x.md") == source
    assert body == "\nText.\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("+++\noutlet = 'x'\nText without a closing fence.\n", "never closed"),
        ("+++\noutlet = \n+++\nText.\n", "front matter is not valid"),
        ("+++\ndate = 'someday'\n+++\nText.\n", "not a date"),
        ("+++\nkind = 'opinion'\n+++\nText.\n", "kind must be one of"),
        ("+++\nauthor = true\n+++\nText.\n", "author must be text in quotes, not true"),  # never "True"
        ("---\ntitle: no\n---\nText.\n", "title must be text in quotes, not false"),  # YAML's bare no
        ("+++\ndate = false\n+++\nText.\n", "date must be text in quotes, not false"),
    ],
)
def test_bad_front_matter_names_the_file_and_reason(tmp_path, content, reason):
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=reason) as info:
        load(path)
    assert "bad.md" in str(info.value)


def test_text_metadata_from_its_own_sidecar(tmp_path):
    (tmp_path / "a.txt").write_text("Some article text.\n", encoding="utf-8")
    (tmp_path / "a.toml").write_text('outlet = "Sidecar Outlet"\ndate = "2024-05"\n', encoding="utf-8")
    assert load(tmp_path / "a.txt").source == Source(outlet="Sidecar Outlet", date=PartialDate(2024, 5))


@needs_seeds()
def test_text_metadata_from_a_sources_table():
    loaded = load(SEEDS / "003_d17d34601ab07461.txt")
    assert loaded.source.outlet == "SpecialEurasia"
    assert loaded.source.author == "Silvia Boltuc"
    assert loaded.source.date == PartialDate(2023, 6, 8)


def test_sidecar_edits_change_the_digest(tmp_path):
    (tmp_path / "a.txt").write_text("Some article text.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text('["a.txt"]\noutlet = "One"\n', encoding="utf-8")
    before = loaders.read(tmp_path / "a.txt").digest
    (tmp_path / "sources.toml").write_text('["a.txt"]\noutlet = "Two"\n', encoding="utf-8")
    assert loaders.read(tmp_path / "a.txt").digest != before


HTML_PAGE = """<!doctype html>
<html><head>
<title>Kazakhstan and Uzbekistan sign water deal | Steppe Times</title>
<meta property="og:site_name" content="Steppe Times">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-04">
<link rel="canonical" href="https://steppe.example/water-deal">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav>
<article>
<h1>Kazakhstan and Uzbekistan sign water deal</h1>
<p>Kazakhstan and Uzbekistan signed a water-sharing agreement on Monday covering the Syr Darya basin,
officials in both capitals said, after two years of negotiations over summer irrigation quotas.</p>
<p>The agreement runs for ten years and sets up a joint commission to settle disputes over
reservoir releases, the Kazakh foreign ministry said in a statement on its website.</p>
<p>Farmers in southern Kazakhstan have complained for years that upstream releases arrive too late
for the cotton and rice harvests, and the deal promises a fixed schedule from April to September.</p>
</article>
<footer>Copyright 2024 Steppe Times. All rights reserved. Follow us on Facebook and Twitter.</footer>
</body></html>
"""


def test_html_main_text_and_metadata_by_trafilatura(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    loaded = load(path)
    assert "water-sharing agreement on Monday" in loaded.body
    assert "Subscribe" not in loaded.body and "All rights reserved" not in loaded.body
    assert loaded.source.outlet == "Steppe Times"
    assert loaded.source.author == "Jane Doe"
    assert loaded.source.date == PartialDate(2024, 3, 4)
    assert loaded.source.url == "https://steppe.example/water-deal"


def test_legacy_encoding_is_read(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Caf\u00e9 talks \u2013 \u201cquoted\u201d.\n".encode("cp1252"))
    assert load(path).body == "Caf\u00e9 talks \u2013 \u201cquoted\u201d.\n"


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Sanctions talks resumed.\n".encode("utf-16"))
    assert load(path).body == "Sanctions talks resumed.\n"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("garbled.txt", b"text \x81\x8d\x8f\x90\x9d more", "not UTF-8"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CorpusError, match=reason) as info:
        load(path)
    assert name in str(info.value)


def test_files_over_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("word " * 300, encoding="utf-8")
    with pytest.raises(CorpusError, match="over the 1,000-byte limit"):
        load(path, limit=1000)


def test_unreadable_files_are_refused(tmp_path):
    path = tmp_path / "gone.md"
    path.symlink_to(tmp_path / "missing-target.md")
    with pytest.raises(CorpusError, match="gone.md: cannot read"):
        load(path)
