"""Rendering real one-page PDFs and reading them back: pages, text, notes, metadata, safety."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from briefing.compose import compose
from briefing.index import Index
from briefing.rank.base import RankSettings
from briefing.render.html import TEMPLATES, render_html
from briefing.render.pdf import _measure, _renderer, fetcher, fit, one_page
from briefing.render.text import json_document, markdown
from briefing.summarise import SummarySettings, summarise
from briefing.topics import load_topics, topic_from_keywords

from .conftest import PROJECT
from .test_clean import test_no_trap_reaches_the_index

ISSUED = dt.date(2026, 11, 24)


def pdf_of(html: str) -> bytes:
    return _renderer(TEMPLATES)(html).write_pdf()
TOPICS = load_topics(PROJECT / "topics.toml")
TRAPS = [mark.args for mark in test_no_trap_reaches_the_index.pytestmark if mark.name == "parametrize"][0][1]


def words(text: str) -> str:
    """PDF text with its line breaks undone, for comparing with sentences. The template sets no
    automatic hyphenation, so a hyphen at the end of a line is the text's own ("so-called")."""
    return " ".join(re.sub(r"-\n", "-", text).split())


@pytest.fixture(scope="module")
def rendered(seed_index):
    with Index(seed_index) as index:
        selection = summarise(index, TOPICS["sanctions"])
    return one_page(selection, ISSUED, "Kazakhstan")


@pytest.fixture(scope="module")
def pdf(rendered):
    return PdfReader(io.BytesIO(rendered.pdf))


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return words(pdf.pages[0].extract_text())


def test_the_brief_is_one_page_with_its_title(pdf, text, rendered):
    assert len(pdf.pages) == 1
    assert "Sanctions — Kazakhstan, Oct 2022 – Oct 2023" in text
    assert not rendered.warnings  # the fonts the README installs are there


def test_every_point_is_printed_verbatim_once(rendered, text):
    for point in rendered.brief.points:
        for sentence in point.sentences:
            assert text.count(words(sentence.text)) == 1, sentence.text


def test_every_marker_has_its_note_naming_a_source_that_printed_the_sentence(rendered, text, seed_index):
    notes = {n.number: n for n in rendered.brief.notes}
    with Index(seed_index) as index:
        for point in rendered.brief.points:
            assert point.notes
            for n in point.notes:
                assert n in notes
                note = notes[n]
                assert f"{n} {note.source.outlet}" in text
            for sentence in point.sentences:  # each own note names a source that printed it
                assert any(sentence.text in {s.text for s in index.document(notes[n].document_id)[1]} for n in point.notes)


def test_no_question_no_chrome_no_repeat(rendered, text):
    assert not any(s.is_question for p in rendered.brief.points for s in p.sentences)
    for trap in TRAPS:
        assert trap not in text
    sentences = [s.text for p in rendered.brief.points for s in p.sentences]
    assert len(sentences) == len(set(sentences))


def test_a_source_without_a_headline_is_cited_by_outlet_author_and_date(text, markdown_text):
    assert "untitled" not in text and "untitled" not in markdown_text
    assert "POLITICO Europe · Oct 2022." in text  # no headline, no author: outlet and date


@pytest.fixture(scope="module")
def markdown_text(rendered) -> str:
    return markdown(rendered.brief)


def test_pdf_metadata_and_tags(pdf):
    info = pdf.metadata
    assert info.title == "Sanctions — Kazakhstan, Oct 2022 – Oct 2023"
    assert info.author == "briefing"
    assert info.subject == "Sanctions"
    assert "circumvention" in info["/Keywords"]
    assert info.creation_date.date() == ISSUED
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root


def test_pdftotext_reads_headings_as_words(rendered, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "brief.pdf"
    path.write_bytes(rendered.pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "BOTTOM LINE" in out and "KEY POINTS" in out
    assert "K E Y" not in out


@pytest.mark.parametrize("name", sorted(TOPICS))
def test_every_shipped_topic_fits_one_page(seed_index, name):
    with Index(seed_index) as index:
        result = one_page(summarise(index, TOPICS[name]), ISSUED, "Kazakhstan")
    assert len(PdfReader(io.BytesIO(result.pdf)).pages) == 1


def test_a_long_topic_is_cut_to_one_page_and_the_page_is_filled(seed_index):
    with Index(seed_index) as index:
        selection = summarise(index, TOPICS["eu-relations"], SummarySettings(rank=RankSettings(sentences=60)))
    result = one_page(selection, ISSUED, "Kazakhstan")
    assert len(PdfReader(io.BytesIO(result.pdf)).pages) == 1
    assert result.brief.left_out
    assert result.brief.sections[0].key == "bottom-line"  # the most important points survive
    bottom = result.brief.sections[0].points
    assert min(p.rank for p in result.brief.left_out) > max(p.rank for p in bottom)
    kept = frozenset(p.key for p in result.brief.left_out)
    for shortest in sorted(result.brief.left_out, key=lambda p: (len(p.text), p.rank))[:3]:
        fuller = compose(selection, ISSUED, "Kazakhstan", kept - {shortest.key})
        assert len(PdfReader(io.BytesIO(pdf_of(render_html(fuller)))).pages) == 2  # no room was left for it


def test_a_tiny_topic_is_one_short_page(seed_index):
    with Index(seed_index) as index:
        result = one_page(summarise(index, topic_from_keywords("honey, aquaculture")), ISSUED)
    pdf = PdfReader(io.BytesIO(result.pdf))
    assert len(pdf.pages) == 1 and not result.brief.left_out
    assert "honey-exporting country" in words(pdf.pages[0].extract_text())


HOSTILE = """+++
outlet = "Hostile <b>Outlet</b>"
title = "{{ 7*7 }} <img src=x>"
url = "javascript:alert(1)"
date = "2025-01"
+++

Glacier monitoring stations reported that <img src="file:///etc/passwd"> appeared in the glacier logs this year.
Officials said the glacier survey also listed <link rel="attachment" href="file:///etc/passwd"> among glacier files.
The glacier report ended with the template text {{ 7*7 }} and {% raw %} markers in its glacier summary.
"""


@pytest.fixture
def hostile(tmp_path):
    """The selection of a corpus whose text and metadata try to become markup."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    Index.build(corpus, tmp_path / "index.sqlite")
    with Index(tmp_path / "index.sqlite") as index:
        return summarise(index, topic_from_keywords("glacier"))


def test_corpus_text_is_data_not_markup(hostile, tmp_path):
    result = one_page(hostile, ISSUED)
    pdf = PdfReader(io.BytesIO(result.pdf))
    text = words(pdf.pages[0].extract_text())
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel="attachment" href="file:///etc/passwd">' in text
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "Hostile <b>Outlet</b>" in text
    assert not pdf.attachments
    assert "root:" not in text
    annotations = [a.get_object() for a in pdf.pages[0].get("/Annots", [])]
    assert not any("javascript" in str(a.get("/A", {})).lower() for a in annotations)
    assert "javascript:alert(1)" in text  # shown, not linked
    path = tmp_path / "hostile.pdf"
    path.write_bytes(result.pdf)
    if shutil.which("pdfdetach"):
        listed = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
        assert listed.startswith("0 embedded files")


def test_the_fetcher_serves_templates_only():
    fetch = fetcher()
    assert fetch.fetch((PROJECT / "templates" / "brief.css").as_uri()) is not None
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.css", (PROJECT / "README.md").as_uri(), "data:,hello"):
        with pytest.raises(ValueError):
            fetch.fetch(url)


def test_html_is_escaped(hostile):
    brief = compose(hostile, ISSUED)
    html = render_html(brief)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert '<a href="javascript' not in html
    assert "\\<img src=" in markdown(brief)


def test_json_is_byte_identical_for_the_same_input(seed_index):
    with Index(seed_index) as index:
        first = json_document(compose(summarise(index, TOPICS["china"]), ISSUED), summarise(index, TOPICS["china"]))
        second = json_document(compose(summarise(index, TOPICS["china"]), ISSUED), summarise(index, TOPICS["china"]))
    assert first == second


def test_enormous_points_still_give_one_page(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    import random

    rng = random.Random(7)
    vocabulary = ["".join(rng.choices("abcdefghiklmnoprstuvz", k=rng.randint(3, 9))) for _ in range(3000)]
    for n in range(6):
        sentences = " ".join(
            f"The glacier water report says {' '.join(rng.choices(vocabulary, k=250))}." for _ in range(8)
        )
        (corpus / f"{n}.md").write_text(f'+++\noutlet = "Outlet {n}"\ndate = "2024-0{n + 1}"\n+++\n\n{sentences}\n', "utf-8")
    Index.build(corpus, tmp_path / "index.sqlite")
    with Index(tmp_path / "index.sqlite") as index:
        selection = summarise(index, topic_from_keywords("water, glacier"), SummarySettings(rank=RankSettings(sentences=40)))
    result = one_page(selection, ISSUED)
    assert len(PdfReader(io.BytesIO(result.pdf)).pages) == 1
    assert result.brief.points and result.brief.left_out


@pytest.fixture(scope="module")
def corroborated(tmp_path_factory):
    """A selection where four outlets tell each fact in their own words."""
    tmp_path = tmp_path_factory.mktemp("corroborated")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    facts = [
        ("Water releases from the Toktogul reservoir rose to {n} cubic kilometres in {year}", "the ministry said"),
        ("Glacier melt in the Tien Shan cut summer flows by {n} percent in {year}", "scientists reported"),
        ("The basin commission approved {n} new irrigation canals for water users", "officials confirmed"),
        ("Water tariffs for cotton farmers will rise by {n} percent from {year}", "the government announced"),
        ("Kyrgyz engineers repaired {n} pumping stations on the Chu river", "a water agency spokesman told reporters"),
        ("Drinking water shortages hit {n} villages near Shymkent last summer", "local authorities admitted"),
        ("A glacier monitoring network of {n} stations opened in the Pamir mountains", "researchers said"),
        ("Uzbekistan lined {n} kilometres of leaking water channels with concrete", "the water minister said"),
        ("The Aral Sea basin fund received {n} million dollars from donors for water projects", "diplomats said"),
        ("Rice growers in Kyzylorda cut their water use by {n} percent with drip irrigation", "farmers said"),
        ("Flooding from a glacier lake destroyed {n} homes in the Alatau foothills", "rescuers said"),
        ("Tajikistan plans {n} small hydropower plants on glacier-fed rivers by {year}", "energy officials said"),
        ("Satellite data show the Tuyuksu glacier lost {n} metres of ice thickness since 2000", "glaciologists said"),
        ("The Syr Darya delivered {n} percent less water to the northern Aral Sea", "hydrologists reported"),
    ]
    for outlet in range(4 * len(facts)):  # each fact told by four outlets, in their own words
        text, said = facts[outlet // 4]
        fact = text.format(n=17 + outlet // 4, year=2024)
        body = f"{fact}, {said}." if outlet % 2 else f"{said.capitalize()} that {fact[0].lower()}{fact[1:]}."
        url = f"https://outlet-{outlet}.example/news/2024/water/{'very-long-article-path-' * 4}{outlet}"
        (corpus / f"{outlet}.md").write_text(
            f'+++\noutlet = "Outlet number {outlet} of the regional press"\ntitle = "Water story {outlet} with a long'
            f' headline about reservoirs and glaciers"\ndate = "2024-05-{outlet % 28 + 1:02d}"\nurl = "{url}"\n+++\n\n{body}\n',
            "utf-8",
        )
    Index.build(corpus, tmp_path / "index.sqlite")
    with Index(tmp_path / "index.sqlite") as index:
        return summarise(index, topic_from_keywords("water, glacier"), SummarySettings(rank=RankSettings(sentences=60)))


def test_notes_for_corroborating_sources_never_cost_a_point(corroborated):
    """Four outlets tell each fact in their own words: listing each one's note would
    crowd the points out of the page, so the sources are counted instead when that shows more."""
    selection = corroborated
    result = one_page(selection, ISSUED)
    assert len(PdfReader(io.BytesIO(result.pdf)).pages) == 1
    listed, _, _ = fit(lambda leave_out: compose(selection, ISSUED, None, frozenset(leave_out), also_notes=3), layout)
    counted, _, _ = fit(lambda leave_out: compose(selection, ISSUED, None, frozenset(leave_out), also_notes=0), layout)
    assert len(counted.points) > len(listed.points)  # the notes would have crowded points out
    assert len(result.brief.points) == len(counted.points) and all(p.more == 3 for p in result.brief.points)
    assert "also reported by 3 more sources" in words(PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text())


def layout(brief, measure=False, counted=None):
    """One real WeasyPrint layout of a brief, as ``one_page`` makes them."""
    html = render_html(brief, measure=measure, counted=counted)
    return html, _renderer(TEMPLATES)(html)


def test_the_counted_variant_is_measured_in_the_same_layout_as_well_as_on_its_own(corroborated):
    """The tall page lays the points that list other sources out a second time with those sources
    counted, with the heading and method line that variant has: what that gives adds up to what
    laying the counted brief out on its own measures."""
    def brief_of(also_notes):
        return lambda leave_out: compose(corroborated, ISSUED, None, frozenset(leave_out), also_notes=also_notes)

    listed, counted = _measure(brief_of(3), layout, brief_of(0))
    alone, _ = _measure(brief_of(0), layout)
    assert listed.cut and counted is not None and counted.cut == alone.cut
    assert counted.sizes.end == pytest.approx(alone.sizes.end, abs=0.01)
    assert counted.sizes.points == pytest.approx(alone.sizes.points, abs=0.01)
    assert counted.sizes.sections == pytest.approx(alone.sizes.sections, abs=0.01)


def test_a_long_brief_is_measured_once_and_laid_out_once_on_a4(seed_index, monkeypatch):
    """The tall page measures what A4 lays out, so the cut it gives is the page: no second A4
    layout to drop a point, none to try one back."""
    made = []

    def counting(templates, relative_links=False):
        render = _renderer(templates, relative_links)
        return lambda html: made.append("tall" if 'class="measure"' in html else "A4") or render(html)

    monkeypatch.setattr("briefing.render.pdf._renderer", counting)
    with Index(seed_index) as index:
        selection = summarise(index, TOPICS["eu-relations"], SummarySettings(rank=RankSettings(sentences=60)))
    result = one_page(selection, ISSUED, "Kazakhstan")
    assert result.brief.left_out and len(PdfReader(io.BytesIO(result.pdf)).pages) == 1
    assert made == ["tall", "A4"]


def test_the_notes_are_at_the_foot_in_the_order_of_their_first_call(rendered, text):
    cited = list(dict.fromkeys(n for p in rendered.brief.points for n in (*p.notes, *p.also)))
    outlets = {n.number: n.source.outlet for n in rendered.brief.notes}
    where = [text.index(f"{n} {outlets[n]}") for n in cited]
    assert where == sorted(where) and where[0] > text.index(words(rendered.brief.method))


def test_footnote_calls_are_links_with_room_to_click(pdf):
    calls = [
        [float(x) for x in a.get_object()["/Rect"]]
        for a in pdf.pages[0].get("/Annots", [])
        if a.get_object().get("/Subtype") == "/Link" and str(a.get_object().get("/Dest", "")).startswith("note-")
    ]
    assert calls and all(abs(top - bottom) >= 4 for _, bottom, _, top in calls)  # points, not a zero-height line
