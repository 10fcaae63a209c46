"""Making briefs from Python: the request checked up front, then real briefs of the shipped corpus."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing import BriefFormat, BriefingError, BriefRequest, Settings, UsageError, make_briefs
from briefing.make import output

from .conftest import PROJECT

TOPICS = PROJECT / "topics.toml"


@pytest.fixture
def settings(corpus_copy: Path, tmp_path: Path) -> Settings:
    return Settings(corpus=corpus_copy, index=tmp_path / "index" / "index.sqlite", out=tmp_path / "out")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_each_topic_named_becomes_one_pdf_page(settings, tmp_path):
    reports = []
    request = BriefRequest(topics=("sanctions", "Transport", "SANCTIONS"), topics_file=TOPICS, out=f"{tmp_path}/b/")
    made = list(make_briefs(request, settings, indexed=reports.append))
    assert [m.topic.name for m in made] == ["sanctions", "transport"]
    assert [m.target for m in made] == [tmp_path / "b" / "sanctions.pdf", tmp_path / "b" / "transport.pdf"]
    assert len(reports) == 1 and len(reports[0].added) == 5  # indexed once, before the first brief
    for m in made:
        assert m.format is BriefFormat.pdf and m.skipped is None and m.document is None
        assert len(PdfReader(m.target).pages) == 1
        text = pdf_text(m.target)
        assert m.brief.title.split(",")[0] in " ".join(text.split())
        assert all(" ".join(p.text.split()[:4]) in " ".join(text.split()) for p in m.brief.points)


def test_the_request_is_checked_before_anything_is_indexed(settings):
    for request, message in [
        (BriefRequest(), "give --topic NAME (repeat for more), --all, or --keywords TEXT"),
        (BriefRequest(topics=("sanction",), topics_file=TOPICS), "unknown topic 'sanction'; did you mean sanctions"),
        (BriefRequest(every=True, topics_file=TOPICS, title="Both"), "--title names one brief: give one topic"),
        (BriefRequest(keywords="water", title=" "), "--title must not be empty"),
        (BriefRequest(every=True, topics_file=TOPICS, out="b.pdf"), "--out b.pdf is one file: give a folder for"),
    ]:
        with pytest.raises(UsageError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
            make_briefs(request, settings)
    assert not settings.index.parent.exists()


def test_one_topic_that_matches_nothing_fails_and_one_of_several_is_skipped(settings, tmp_path):
    with pytest.raises(BriefingError, match="no sentence in the corpus matches topic 'penguins'"):
        list(make_briefs(BriefRequest(keywords="penguins"), settings))
    few = tmp_path / "few.toml"
    few.write_text("[trade]\nkeywords = ['trade']\n[penguins]\nkeywords = ['penguins']\n", encoding="utf-8")
    made = list(make_briefs(BriefRequest(every=True, topics_file=few, format=BriefFormat.md), settings))
    assert [(m.topic.name, m.skipped is None) for m in made] == [("trade", True), ("penguins", False)]
    assert made[1].skipped.startswith("no sentence in the corpus matches topic 'penguins'")
    assert sorted(p.name for p in settings.out.iterdir()) == ["trade.md"]


def test_pages_laid_out_while_the_next_topic_is_chosen_come_back_in_order(settings, tmp_path):
    few = tmp_path / "few.toml"
    few.write_text(
        "[trade]\nkeywords = ['trade']\n[penguins]\nkeywords = ['penguins']\n[sanctions]\nkeywords = ['sanctions']\n",
        encoding="utf-8",
    )
    made = list(make_briefs(BriefRequest(every=True, topics_file=few), settings))
    assert [(m.topic.name, m.skipped is None) for m in made] == [("trade", True), ("penguins", False), ("sanctions", True)]
    for m in (made[0], made[2]):
        assert m.target == settings.out / f"{m.topic.name}.pdf" and len(PdfReader(m.target).pages) == 1
        assert " ".join(m.brief.points[0].text.split()[:4]) in " ".join(pdf_text(m.target).split())
    assert made[0].brief.points != made[2].brief.points


def test_a_titled_brief_in_json_says_its_issue_date(settings, tmp_path):
    target = tmp_path / "russia.json"
    request = BriefRequest(keywords="Russia, Moscow", title=" Kazakhstan  and Russia ", out=str(target), issued=dt.date(2026, 11, 24))
    (made,) = make_briefs(request, settings)
    assert made.format is BriefFormat.json and made.target == target
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["title"].startswith("Kazakhstan and Russia") and written["issued"] == "2026-11-24"


def test_a_brief_for_stdout_comes_back_instead_of_being_written(settings):
    (made,) = make_briefs(BriefRequest(keywords="water, glaciers", format=BriefFormat.md, out="-"), settings)
    assert made.target is None and made.document.startswith("# Water")
    assert "melting glaciers" in made.document
    (pdf,) = make_briefs(BriefRequest(keywords="water, glaciers", out="-"), settings)
    assert pdf.format is BriefFormat.pdf and pdf.document.startswith(b"%PDF")
    assert not settings.out.exists()


def test_text_is_the_selection_and_writes_nothing(settings):
    (made,) = make_briefs(BriefRequest(topics=("sanctions",), topics_file=TOPICS, format=BriefFormat.text, sentences=5), settings)
    assert made.brief is None and made.target is None and len(made.selection.chosen) == 5
    assert not settings.out.exists()


@pytest.mark.parametrize(
    ("given", "out", "expected"),
    [
        (None, None, (BriefFormat.pdf, "out/trade.pdf")),
        (BriefFormat.md, None, (BriefFormat.md, "out/trade.md")),
        (None, "b.htm", (BriefFormat.html, "b.htm")),
        (None, "b.markdown", (BriefFormat.md, "b.markdown")),
        (None, "briefs/", (BriefFormat.pdf, "briefs/trade.pdf")),
        (BriefFormat.json, "briefs/", (BriefFormat.json, "briefs/trade.json")),
        (None, "-", (BriefFormat.pdf, "-")),
    ],
)
def test_the_format_comes_from_the_request_then_the_extension(given, out, expected):
    assert output(given, out, Path("out"), "Trade") == (expected[0], Path(expected[1]))


def test_an_extension_that_says_no_format_or_another_one_is_a_usage_error():
    with pytest.raises(UsageError, match=r"cannot tell a brief's format from b\.docx"):
        output(None, "b.docx", Path("out"), "trade")
    with pytest.raises(UsageError, match=r"--out b\.md is a \.md file but --format is pdf"):
        output(BriefFormat.pdf, "b.md", Path("out"), "trade")


def test_a_target_that_cannot_be_replaced_is_a_usage_error(settings):
    with pytest.raises(UsageError, match=r"^/dev/null: a character device, not a regular file: not replaced"):
        list(make_briefs(BriefRequest(keywords="water", format=BriefFormat.md, out="/dev/null"), settings))
