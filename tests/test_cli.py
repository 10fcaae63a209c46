"""The CLI driven with Typer's CliRunner against real corpora and real SQLite files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from .conftest import CORPUS, PROJECT, SPECIAL_EURASIA
from .test_feeds import rss, russian_rss

runner = CliRunner()


def run(*args: str, **kwargs) -> object:
    return runner.invoke(app, list(args), **kwargs)


@pytest.fixture
def paths(corpus_copy: Path, tmp_path: Path) -> list[str]:
    return ["--corpus", str(corpus_copy), "--index", str(tmp_path / "out" / "index.sqlite")]


def test_build_then_build_again_does_nothing(paths):
    first = run("corpus", "build", *paths)
    assert first.exit_code == 0, first.output
    assert "5 added, 0 updated, 0 removed, 0 unchanged, 0 skipped" in first.output
    second = run("corpus", "build", *paths)
    assert second.exit_code == 0
    assert "0 added, 0 updated, 0 removed, 5 unchanged, 0 skipped" in second.output


def test_list_shows_a_table_of_documents(paths):
    result = run("corpus", "list", *paths)
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["id", "outlet", "date", "title", "sentences"]
    assert len(rows) == 5
    assert any(row.startswith(SPECIAL_EURASIA) and row.rstrip().endswith("119") for row in rows)


def test_list_json_for_other_tools(paths):
    result = run("corpus", "list", "--json", *paths)
    documents = json.loads(result.output)
    assert len(documents) == 5
    for document in documents:
        assert {"id", "outlet", "title", "author", "date", "url", "sentences"} <= set(document)
    by_id = {d["id"]: d for d in documents}
    assert by_id[SPECIAL_EURASIA]["author"] == "Silvia Boltuc"
    assert by_id[SPECIAL_EURASIA]["date"] == "2023-06-08"


def test_show_json_marks_questions_speakers_and_quotes(paths):
    result = run("corpus", "show", SPECIAL_EURASIA, "--json", *paths)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["id"] == SPECIAL_EURASIA
    sentences = document["sentences"]
    assert {"text", "speaker", "question", "quote", "paragraph", "position"} <= set(sentences[0])
    assert [s["position"] for s in sentences] == list(range(len(sentences)))
    assert any(s["question"] for s in sentences)
    assert any(s["speaker"] == "Roman Vassilenko" for s in sentences)


def test_show_marks_questions_and_speakers_in_text(paths):
    result = run("corpus", "show", SPECIAL_EURASIA, *paths)
    lines = result.output.splitlines()
    assert any("?" in line[:8] and "How did Kazakhstan approach" in line for line in lines)
    assert any("Roman Vassilenko: That is why we have not joined the sanctions against Russia." in line for line in lines)


def test_unknown_document_is_one_line_and_exit_1(paths):
    result = run("corpus", "show", "no-such-doc", *paths)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: no document 'no-such-doc' in the index (see `briefing corpus list`)"
    ]


def test_missing_corpus_folder_is_one_line_not_a_traceback_and_exit_2(tmp_path):
    """A usage error, as the README says: --corpus (or corpus.dir) names no folder."""
    result = run("corpus", "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i.sqlite"))
    assert result.exit_code == 2
    assert result.output.startswith("Error: corpus folder")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_debug_shows_the_exception(tmp_path):
    result = run("--debug", "corpus", "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i"))
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "NoCorpusError"


def test_skipped_files_are_named_and_exit_3(paths, corpus_copy):
    (corpus_copy / "empty.md").write_bytes(b"")
    result = run("corpus", "build", *paths)
    assert result.exit_code == 3
    assert f"Skipped {corpus_copy / 'empty.md'}: empty file" in result.output
    assert "5 added" in result.output


def test_corrupt_index_is_reported_set_aside_and_rebuilt(paths, tmp_path):
    index = tmp_path / "out" / "index.sqlite"
    assert run("corpus", "build", *paths).exit_code == 0
    data = bytearray(index.read_bytes())
    data[4096:8192] = b"\xa5" * 4096  # its header intact: an index of ours, damaged
    index.write_bytes(bytes(data))
    result = run("corpus", "build", *paths)
    assert result.exit_code == 0, result.output
    assert f"Rebuilt the index: {index} is corrupt (database disk image is malformed); kept it as {index}.unreadable." in (
        result.output
    )


def test_a_file_that_is_not_an_index_is_refused_with_exit_2(paths, tmp_path):
    index = tmp_path / "out" / "index.sqlite"
    index.parent.mkdir()
    index.write_bytes(b"garbage" * 500)
    result = run("corpus", "build", *paths)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {index} is not a briefing index") and len(result.output.splitlines()) == 1
    assert index.read_bytes() == b"garbage" * 500


def test_add_copies_with_metadata_from_options(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = tmp_path / "water.txt"
    article.write_text("Kazakhstan and Uzbekistan signed a water-sharing deal on Monday.\n", encoding="utf-8")
    result = run("corpus", "add", str(article), "--corpus", str(corpus), "--outlet", "Steppe Times", "--date", "2024-03")
    assert result.exit_code == 0, result.output
    added = corpus / "2024-03-steppe-times.md"
    assert f"Added {added}" in result.output
    assert added.read_text(encoding="utf-8") == (
        '+++\noutlet = "Steppe Times"\ndate = "2024-03"\n+++\n\n'
        "Kazakhstan and Uzbekistan signed a water-sharing deal on Monday.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "someday"], "Error: not a date: 'someday'"),
        (["--kind", "opinion"], "Error: --kind must be one of interview, report, not 'opinion'"),
    ],
)
def test_add_rejects_bad_options_with_exit_2(tmp_path, args, message):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = tmp_path / "a.txt"
    article.write_text("Text.\n", encoding="utf-8")
    result = run("corpus", "add", str(article), "--corpus", str(corpus), *args)
    assert result.exit_code == 2
    assert result.output.strip().startswith(message)
    assert list(corpus.iterdir()) == []


def test_settings_come_from_briefing_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text("Astana hosted a summit on water security.\n", encoding="utf-8")
    (tmp_path / "briefing.toml").write_text('[corpus]\ndir = "articles"\nindex = "cache/ix.sqlite"\n', "utf-8")
    result = run("corpus", "build")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / "ix.sqlite").is_file()


def test_bad_briefing_toml_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text("[corpus\n", encoding="utf-8")
    result = run("corpus", "build")
    assert result.exit_code == 2
    assert result.output.startswith("Error: briefing.toml: not valid TOML")


def test_python_dash_m_and_console_script(tmp_path):
    module = subprocess.run(
        [sys.executable, "-m", "briefing", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.startswith("briefing ")
    script = Path(sys.executable).with_name("briefing")
    listing = subprocess.run(
        [str(script), "corpus", "list", "--json", "--corpus", str(CORPUS), "--index", str(tmp_path / "i.sqlite")],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert listing.returncode == 0, listing.stderr
    assert len(json.loads(listing.stdout)) == 5


TOPICS = ["--topics", str(PROJECT / "topics.toml")]


def test_make_prints_the_selection_with_sources(paths):
    result = run("make", "--topic", "sanctions", "--format", "text", *TOPICS, *paths)
    assert result.exit_code == 0, result.output
    assert re.match(r"Sanctions: \d+ points from 3 sources \(ranker lexrank; keywords: sanctions,", result.output)
    assert "That is why we have not joined the sanctions against Russia." in result.output
    assert "[POLITICO Europe, 2022-10]" in result.output
    assert "honey" not in result.output


def test_make_explain_gives_every_candidate_a_verdict(paths):
    result = run("make", "--topic", "sanctions", "--format", "text", "--explain", "--sentences", "5", *TOPICS, *paths)
    assert result.exit_code == 0, result.output
    verdicts = result.output.split("relevance  centrality  redundancy  score  verdict — sentence\n")[1].splitlines()
    assert sum("chosen, rank" in line for line in verdicts) == 5
    assert any("below the cut" in line for line in verdicts)
    assert any("(continues " in line for line in verdicts)


def test_make_with_ad_hoc_keywords(paths):
    result = run("make", "--keywords", "water, glaciers", "--format", "text", *paths)
    assert result.exit_code == 0, result.output
    assert "melting glaciers" in result.output


def test_make_takes_a_title(paths, tmp_path):
    out = tmp_path / "brief.json"
    result = run("make", "--keywords", "Russia, Moscow", "--title", "Kazakhstan and Russia", "--format", "json",
                 "--out", str(out), *paths)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["title"].startswith("Kazakhstan and Russia")
    assert run("make", "--topic", "trade", "--title", " ", *paths).output.startswith("Error: --title must not be empty")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--topic", "sanction"], 2, "Error: unknown topic 'sanction'; did you mean sanctions"),
        ([], 2, "Error: give --topic NAME (repeat for more), --all, or --keywords TEXT"),
        (["--topic", "trade", "--keywords", "x"], 2, "Error: give --topic NAME (repeat for more), --all, or --keywords TEXT"),
        (["--topic", "trade", "--all"], 2, "Error: give --topic NAME (repeat for more), --all, or --keywords TEXT"),
        (["--all", "--title", "Both"], 2, "Error: --title names one brief: give one topic"),
        (["--topic", "trade", "--topic", "transport", "--out", "b.pdf"], 2, "Error: --out b.pdf is one file: give a folder for 2 briefs"),
        (["--keywords", "penguins"], 1, "Error: no sentence in the corpus matches topic 'penguins' (penguins)"),
        (["--topic", "trade", "--ranker", "nope"], 2, "Error: unknown ranker 'nope'"),
    ],
)
def test_make_errors_are_one_line(paths, args, code, message):
    result = run("make", *args, *TOPICS, *paths)
    assert result.exit_code == code
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1


def test_topics_lists_match_counts(paths):
    result = run("topics", *TOPICS, "--json", *paths)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert len(rows) >= 10
    assert all(r["matches"] > 0 for r in rows.values())
    text = run("topics", *TOPICS, *paths).output.splitlines()
    assert text[0].split()[:2] == ["sanctions", str(rows["sanctions"]["matches"])]


def test_make_writes_a_one_page_pdf_into_out(tmp_path, monkeypatch, paths):
    monkeypatch.chdir(tmp_path)
    result = run("make", "--topic", "sanctions", *TOPICS, *paths)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "sanctions.pdf"
    assert result.output.startswith(f"Wrote {Path('out') / 'sanctions.pdf'}: ")
    from pypdf import PdfReader

    assert len(PdfReader(pdf).pages) == 1
    hidden = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("."))
    assert hidden == [".index.sqlite.checked", ".index.sqlite.lock"]  # no temp file


@pytest.mark.parametrize(("fmt", "check"), [("html", "<!DOCTYPE html>"), ("md", "# Sanctions"), ("json", '"title":')])
def test_make_other_formats(tmp_path, paths, fmt, check):
    target = tmp_path / f"brief.{fmt}"
    result = run("make", "--topic", "sanctions", "--format", fmt, "--out", str(target), *TOPICS, *paths)
    assert result.exit_code == 0, result.output
    assert check in target.read_text(encoding="utf-8")


def test_json_is_the_same_bytes_twice(tmp_path, paths):
    outputs = []
    for n in (1, 2):
        target = tmp_path / f"{n}.json"
        run("make", "--topic", "trade", "--format", "json", "--issued", "2026-11-24", "--out", str(target), *TOPICS, *paths)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["issued"] == "2026-11-24"


def test_topic_names_become_safe_file_names(tmp_path, monkeypatch, paths):
    monkeypatch.chdir(tmp_path)
    result = run("make", "--keywords", "../../glaciers", "--format", "md", *paths)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "glaciers.md").is_file()
    assert not list(tmp_path.parent.glob("glaciers*"))


def test_a_failed_make_keeps_the_previous_brief(tmp_path, paths):
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"%PDF- the previous brief")
    result = run("make", "--keywords", "penguins", "--out", str(target), *paths)
    assert result.exit_code == 1
    assert target.read_bytes() == b"%PDF- the previous brief"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".brief")) == []


def test_make_explain_says_what_was_left_out(tmp_path, paths):
    result = run(
        "make", "--topic", "eu-relations", "--sentences", "60", "--explain", "--out", str(tmp_path / "b.pdf"), *TOPICS, *paths
    )
    assert result.exit_code == 0, result.output
    assert "left out to fit one page" in result.output
    assert "Left out to fit one page (lowest ranked first out):\n  rank " in result.output


def test_bad_issue_date_is_a_usage_error(paths):
    result = run("make", "--topic", "trade", "--issued", "24/11/2026", *TOPICS, *paths)
    assert result.exit_code == 2
    assert result.output.startswith("Error: --issued must be a date as YYYY-MM-DD")


def test_schedule_prints_a_cron_line_for_this_folder(tmp_path, monkeypatch):
    from croniter import croniter

    monkeypatch.chdir(tmp_path)
    shutil.copy(PROJECT / "topics.toml", tmp_path)  # the digest options are checked as the run would
    result = run("schedule", "--weekly", "mon", "07:00", "--digest-args", "--since-last")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert croniter.is_valid(" ".join(line.split()[:5])) and line.startswith("0 7 * * 1 ")
    assert f"cd {tmp_path} &&" in line and f"digest --since-last --skip-if-busy --log {tmp_path}/out/digest.log" in line


def test_schedule_install_puts_one_line_in_the_crontab(tmp_path, monkeypatch):
    tools = tmp_path / "tools"
    tools.mkdir()
    shutil.copy(PROJECT / "topics.toml", tmp_path)
    crontab, store = tools / "crontab", tools / "crontab.txt"  # a stand-in crontab keeping its table in store
    crontab.write_text(f'#!/bin/sh\ncase "$1" in\n  -l) /bin/cat "{store}" ;;\n  -) /bin/cat > "{store}" ;;\nesac\n')
    crontab.chmod(0o755)
    store.write_text("MAILTO=me@example.org\n")
    monkeypatch.setenv("PATH", str(tools))  # never the real crontab of whoever runs the tests
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = run("schedule", "--weekly", "fri", "18:30", "--install")
        assert result.exit_code == 0, result.output
    assert store.read_text() == f"MAILTO=me@example.org\n{result.stdout}"
    assert "Installed in your crontab" in result.stderr


def test_schedule_refuses_a_bad_day(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("schedule", "--weekly", "someday", "07:00")
    assert result.exit_code == 2 and "Error: --weekly needs a day as mon" in result.stderr


def test_fetch_adds_a_feeds_entries_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("http://127.0.0.1:9"))  # full-text entries: their links are never fetched
    first = run("corpus", "fetch", str(feed), "--corpus", str(corpus))
    assert first.exit_code == 0, first.output
    assert first.output.count("Added ") == 2
    assert "(from http://127.0.0.1:9/news/water-deal)" in first.output
    second = run("corpus", "fetch", str(feed), "--corpus", str(corpus))
    assert second.exit_code == 0
    assert "Added" not in second.output and f"Feed {feed}: 2 already in the corpus\n" in second.output


def test_fetch_says_on_one_line_per_feed_what_became_of_it(tmp_path):
    """A feed with no entries is said so, and is no failure: it was read, and nothing in it was skipped."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    quiet, full, empty = tmp_path / "quiet.xml", tmp_path / "full.xml", tmp_path / "empty.xml"
    quiet.write_text('<rss version="2.0"><channel><title>Quiet Times</title></channel></rss>', encoding="utf-8")
    full.write_bytes(rss("http://127.0.0.1:9"))
    empty.write_bytes(b"")
    alone = run("corpus", "fetch", str(quiet), "--corpus", str(corpus))
    assert alone.exit_code == 0, alone.output
    assert alone.output == f"Feed {quiet}: no entries\n"
    together = run("corpus", "fetch", str(quiet), str(full), str(empty), "--corpus", str(corpus))
    assert together.exit_code == 3
    lines = [line for line in together.output.splitlines() if not line.startswith("Added ")]
    assert lines == [
        f"Feed {quiet}: no entries",
        f"Feed {full}: 2 added",
        f"Skipped {empty}: not an RSS or Atom feed (empty)",
    ]


def test_fetch_says_on_the_feeds_line_that_its_encoding_was_guessed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    feed = tmp_path / "koi8.xml"
    feed.write_bytes(russian_rss().encode("koi8-r"))
    result = run("corpus", "fetch", str(feed), "--corpus", str(corpus))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Feed {feed}: 3 added; encoding not declared, read as koi8-r (a guess)"
    assert "Москва готовится к зиме" in "".join(p.read_text(encoding="utf-8") for p in corpus.iterdir())


def test_fetch_reads_the_feeds_of_briefing_toml_and_reports_skipped_with_exit_3(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "briefing.toml").write_text('[feeds]\nurls = ["missing.xml", "ftp://example.org/feed"]\n', "utf-8")
    result = run("corpus", "fetch")
    assert result.exit_code == 3
    assert "Skipped missing.xml: cannot read (No such file or directory)" in result.output
    assert "Skipped ftp://example.org/feed: only http and https URLs are fetched, not ftp:" in result.output


def test_fetch_without_feeds_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    result = run("corpus", "fetch")
    assert result.exit_code == 2
    assert result.output.startswith("Error: no feeds")


def test_dash_h_is_help():
    assert run("-h").exit_code == 0 and "Usage:" in run("-h").output
    assert "--keywords" in run("make", "-h").output and "build" in run("corpus", "-h").output


@pytest.mark.parametrize(
    ("out", "expected", "starts"),
    [
        ("brief.md", "brief.md", b"# Sanctions"),
        ("brief.json", "brief.json", b"{"),
        ("brief.html", "brief.html", b"<!DOCTYPE html>"),
        ("briefs/", "briefs/sanctions.pdf", b"%PDF"),
    ],
)
def test_the_output_format_follows_out(paths, tmp_path, out, expected, starts):
    result = run("make", "--topic", "Sanctions", "--out", str(tmp_path / out).rstrip("/") + ("/" if out.endswith("/") else ""), *paths)
    assert result.exit_code == 0, result.output
    assert (tmp_path / expected).read_bytes().startswith(starts)


def test_an_out_that_cannot_say_its_format_is_a_usage_error(paths, tmp_path):
    odd = run("make", "--topic", "sanctions", "--out", str(tmp_path / "brief.docx"), *paths)
    assert odd.exit_code == 2 and "cannot tell a brief's format" in odd.output
    clash = run("make", "--topic", "sanctions", "--format", "pdf", "--out", str(tmp_path / "brief.md"), *paths)
    assert clash.exit_code == 2 and "is a .md file but --format is pdf" in clash.output
    assert not (tmp_path / "brief.md").exists() and not (tmp_path / "brief.docx").exists()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_make_makes_every_topic_named_each_once(paths, tmp_path):
    """--topic twice makes both briefs (not only the last one), whatever the names' case."""
    result = run("make", "--topic", "sanctions", "--topic", "Transport", "--topic", "SANCTIONS", "--out", f"{tmp_path}/b/", *paths)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["sanctions.pdf", "transport.pdf"]
    assert result.output.count("Wrote ") == 2
    assert "Sanctions" in pdf_text(tmp_path / "b" / "sanctions.pdf")
    assert "Transport and the Middle Corridor" in pdf_text(tmp_path / "b" / "transport.pdf")


def test_make_all_makes_every_topic_and_skips_one_that_matches_nothing(paths, tmp_path):
    topics = tmp_path / "few.toml"
    topics.write_text("[trade]\nkeywords = ['trade']\n[penguins]\nkeywords = ['penguins']\n[water]\nkeywords = ['water']\n")
    result = run("make", "--all", "--topics", str(topics), "--format", "md", "--out", f"{tmp_path}/b/", *paths)
    assert result.exit_code == 3, result.output
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["trade.md", "water.md"]
    assert "Skipped penguins: no sentence in the corpus matches topic 'penguins'" in result.output


def test_topic_names_complete_on_tab(tmp_path):
    def complete(line: str) -> list[str]:
        words = line.split(" ")
        env = {"_BRIEFING_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
        return runner.invoke(app, [], prog_name="briefing", env=env).output.split()

    assert complete("briefing make --topic tr") == ["trade", "transport"]  # the shipped topics.toml, here
    other = tmp_path / "mine.toml"
    other.write_text("[glaciers]\nkeywords = ['glacier']\n[grain]\nkeywords = ['grain']\n")
    assert complete(f"briefing make --topics {other} --topic g") == ["glaciers", "grain"]
    assert complete(f"briefing make --topics {tmp_path / 'none.toml'} --topic g") == []


def test_a_reader_that_stops_reading_ends_the_run_quietly_with_exit_0(corpus_copy, tmp_path):
    """`briefing corpus show ID | head`: the pipe closes before the output is all read."""
    command = [sys.executable, "-m", "briefing", "corpus", "show", SPECIAL_EURASIA]
    command += ["--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before it has written a line: every write meets a closed pipe
    errors = process.stderr.read()
    assert process.wait() == 0
    assert errors == b""


@pytest.mark.parametrize(
    "content",
    [
        "[a\n",
        "[a]\nkeywords = 3\n",
        "[a]\nkeywords = ['the']\n",
        "[a]\nkeywords = ['x']\nweights = { y = 1 }\n",
        "[a]\nkeywords = ['x']\nsynonyms = ['y']\n",
        "a = 1\n",
    ],
)
def test_a_bad_topics_file_is_named_once(paths, tmp_path, content):
    topics = tmp_path / "bad-topics.toml"
    topics.write_text(content, encoding="utf-8")
    for command in (["make", "--topic", "a"], ["topics"], ["digest", "--week", "2025-W16"]):
        result = run(*command, "--topics", str(topics), *paths)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Error: {topics}: ") and result.output.count("bad-topics.toml") == 1, result.output


def test_config_names_the_settings_file_and_the_one_here_is_not_read(paths, tmp_path, monkeypatch):
    """A [mail] table in the briefing.toml of the folder a command runs in is not read when
    --config (or BRIEFING_CONFIG) names another file; without them it is."""
    monkeypatch.chdir(tmp_path)
    closed = "[mail]\nhost = '127.0.0.1'\nport = 9\nsender = 'b@example.org'\nto = ['a@example.org']\nsecurity = 'none'\n"
    (tmp_path / "briefing.toml").write_text(closed, encoding="utf-8")
    (tmp_path / "quiet.toml").write_text("[brief]\nsubject = 'Quiet'\n", encoding="utf-8")
    week = ["digest", "--week", "2025-W16", "--out", str(tmp_path / "d"), *TOPICS, *paths]
    here = run(*week)
    assert here.exit_code == 1 and "127.0.0.1:9" in here.output, here.output  # proof it would read the [mail] here
    for args, env in ((["--config", "quiet.toml"], {}), ([], {"BRIEFING_CONFIG": str(tmp_path / "quiet.toml")})):
        result = run(*args, *week, env=env)
        assert result.exit_code == 0, result.output
        assert "Mailed" not in result.output
        assert "Digest — Quiet" in pdf_text(tmp_path / "d" / "2025-W16" / "2025-04-14_2025-04-20-index.pdf")
    missing = run("--config", "missing.toml", *week)
    assert missing.exit_code == 2 and missing.output == "Error: no settings file at missing.toml\n"


def test_eval_without_rouge_score_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "rouge_score", None)  # as if the eval extra were not installed
    topic = tmp_path / "d" / "t1"
    (topic / "docs").mkdir(parents=True)
    (topic / "refs").mkdir()
    (topic / "topic.txt").write_text("Water\nWhat is said about water?\n")
    (topic / "docs" / "a.txt").write_text("Water is scarce in the region. The glaciers are melting fast.\n")
    (topic / "refs" / "a.txt").write_text("Water is scarce.\n")
    result = run("eval", str(tmp_path / "d"))
    assert result.exit_code == 2
    assert result.output == "Error: briefing eval scores with rouge-score: pip install 'briefing[eval]'\n"


def test_make_does_not_name_again_what_corpus_build_skipped(paths, corpus_copy, tmp_path):
    (corpus_copy / "empty.md").write_bytes(b"")
    assert run("corpus", "build", *paths).exit_code == 3
    made = run("make", "--topic", "sanctions", "--format", "md", "--out", str(tmp_path / "brief.md"), *paths)
    assert made.exit_code == 0, made.output
    assert "Skipped" not in made.output
    again = run("corpus", "build", *paths)
    assert again.exit_code == 3 and f"Skipped {corpus_copy / 'empty.md'}: empty file" in again.output
