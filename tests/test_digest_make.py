"""Making digests over the seed corpus, and the digest command end to end: real indexes, real PDFs read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefing.cli import app
from briefing.corpus import add
from briefing.dates import PartialDate
from briefing.digest import record
from briefing.digest.make import make_digest
from briefing.digest.windows import iso_week
from briefing.index import Index
from briefing.models import Digest, Placed, Quote, Source, TopicBrief

from .conftest import DIPLOMAT_TIMES, EU_REPORTER, POLITICO, PROJECT, SPECIAL_EURASIA, UN_JOURNAL
from .test_digest_handoff import Inbox, smtp_server  # noqa: F401  (a fixture)
from .test_feeds import rss

runner = CliRunner()
APRIL_2025 = {DIPLOMAT_TIMES, UN_JOURNAL}
OLDER = {EU_REPORTER, SPECIAL_EURASIA, POLITICO}


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 1, path
    return " ".join(reader.pages[0].extract_text().split())


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def week16(seed_index: Path, topics, tmp_path_factory: pytest.TempPathFactory) -> Digest:
    digests = tmp_path_factory.mktemp("digests")
    with Index(seed_index) as index:
        return make_digest(index, topics, iso_week("2025-W16"), digests, "Kazakhstan")


def add_article(corpus: Path, tmp_path: Path, date: str | None, outlet: str = "Astana Times") -> None:
    """A new article on sanctions, added to the corpus the way users add one."""
    new = tmp_path / f"new-{outlet}-{date}.md"
    dated = f'date = "{date}"\n' if date else ""
    new.write_text(
        f'+++\noutlet = "{outlet}"\ntitle = "Sanctions talks"\n{dated}+++\n'
        "The European Union sanctions envoy visited Astana to discuss the circumvention of sanctions on dual-use goods.\n"
        "Officials said Kazakhstan would tighten export controls on banned goods re-exported to Russia.\n",
        encoding="utf-8",
    )
    assert add([new], corpus).added


# the week of 14 April 2025 over the seed corpus


def test_week16_holds_the_two_april_2025_interviews_and_nothing_older(week16):
    assert {p.document_id for p in week16.placed} == APRIL_2025
    assert {p.document_id: p.how for p in week16.placed}[UN_JOURNAL] == "month"
    assert week16.briefs and week16.nothing_new
    for brief in week16.briefs:
        text = pdf_text(week16.folder / brief.file)
        assert "Digest 2025-W16" in text
        for outlet in ("Politico", "EU Reporter", "Special Eurasia"):
            assert outlet not in text, (brief.name, outlet)
        assert "Sources dated Apr 2025 ·" in text
        for older_date in ("Oct 2022", "Jun 2023", "Oct 2023"):
            assert older_date not in text, (brief.name, older_date)


def test_week16_index_names_every_topic_and_how_the_month_only_article_was_counted(week16):
    text = pdf_text(week16.folder / week16.index_pdf)
    for brief in week16.briefs:
        assert brief.title in text and brief.file in text
    for topic in week16.nothing_new:
        assert topic.title in text
    assert "nothing new" in text.lower()
    assert "Dated only to a month" in text and "Apr 2025" in text
    for brief in week16.briefs:  # every topic quotes a point of its own brief, and no point is quoted twice
        quoted = [p.text for p in brief.top if " ".join(p.text.split()) in text]
        assert quoted and all(text.count(" ".join(q.split())) == 1 for q in quoted), brief.name


def links(path: Path) -> list[tuple[str, float]]:
    """Every link of a one-page PDF: where it goes (a URI, or a named destination) and the height of its area."""
    page = PdfReader(io.BytesIO(path.read_bytes())).pages[0]
    found = []
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        action = annotation.get("/A")
        rect = [float(v) for v in annotation["/Rect"]]
        found.append((action["/URI"] if action else str(annotation.get("/Dest")), abs(rect[3] - rect[1])))
    return found


def test_week16_index_links_to_each_brief_beside_it_and_its_footnote_calls_can_be_clicked(week16):
    found = links(week16.folder / week16.index_pdf)
    assert [uri for uri, _ in found if uri.endswith(".pdf")] == [b.file for b in week16.briefs]  # relative: beside it
    assert all(b.file.startswith("2025-04-14_2025-04-20-") for b in week16.briefs)
    assert all(height > 5 for _, height in found)
    calls = [(uri, height) for uri, height in links(week16.folder / week16.briefs[0].file) if uri.startswith("note-")]
    assert calls and all(height > 5 for _, height in calls)


def test_week16_index_json(week16):
    data = json.loads((week16.folder / "index.json").read_text(encoding="utf-8"))
    assert data["window"] == {
        "name": "2025-W16", "label": "Week 16 of 2025, 14–20 Apr 2025", "dates": "14–20 Apr 2025",
        "start": "2025-04-14", "end": "2025-04-20", "by": "date",
    }
    assert [b["name"] for b in data["briefs"]] == [b.name for b in week16.briefs]
    assert {a["id"]: a["counted_by"] for a in data["articles"]} == {DIPLOMAT_TIMES: "day", UN_JOURNAL: "month"}
    for b in data["briefs"]:
        assert hashlib.sha256((week16.folder / b["file"]).read_bytes()).hexdigest() == b["sha256"]


def test_rerunning_a_window_renders_nothing_and_gives_the_same_files(week16, seed_index, topics, tmp_path):
    before = hashes(week16.folder)
    with Index(seed_index) as index:
        again = make_digest(index, topics, week16.window, week16.folder.parent, "Kazakhstan")
        assert not any(b.rendered for b in again.briefs)
        assert hashes(week16.folder) == before
        elsewhere = make_digest(index, topics, week16.window, tmp_path, "Kazakhstan")
    assert all(b.rendered for b in elsewhere.briefs)
    assert hashes(elsewhere.folder) == before  # rendered from scratch: the same bytes


def test_a_changed_topic_renders_only_its_brief_and_a_topic_gone_quiet_loses_its_pdf(week16, seed_index, topics, tmp_path):
    folder = tmp_path / "digests"
    shutil.copytree(week16.folder, folder / week16.window.name)
    changed = dict(topics)
    name = week16.briefs[0].name
    changed[name] = type(topics[name])(name, "Retitled", topics[name].terms)
    gone = week16.briefs[-1].name
    del changed[gone]
    with Index(seed_index) as index:
        again = make_digest(index, changed, week16.window, folder, "Kazakhstan")
    assert [b.name for b in again.briefs if b.rendered] == [name]
    assert not (again.folder / week16.briefs[-1].file).exists()


def test_a_window_without_articles_gives_an_empty_digest_and_exit_0(corpus_copy, tmp_path):
    out = tmp_path / "digests"
    result = runner.invoke(
        app,
        ["digest", "--week", "2024-W10", "--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "No articles in Week 10 of 2024" in result.output
    data = json.loads((out / "2024-W10" / "index.json").read_text(encoding="utf-8"))
    assert data["briefs"] == [] and data["articles"] == [] and len(data["nothing_new"]) == 12
    assert sorted(p.name for p in (out / "2024-W10").iterdir()) == ["2024-03-04_2024-03-10-index.pdf", "index.json"]
    assert "nothing in this window" in pdf_text(out / "2024-W10" / "2024-03-04_2024-03-10-index.pdf").lower()


def test_since_last_digests_what_was_added_after_the_last_one(corpus_copy, tmp_path, raw_text):
    args = ["--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite"), "--out", str(tmp_path / "d")]
    first = runner.invoke(app, ["digest", "--since-last", "--as-of", "2025-04-21", *args])
    assert first.exit_code == 0, first.output
    data = json.loads((tmp_path / "d" / "added-2025-04-21" / "index.json").read_text(encoding="utf-8"))
    assert len(data["articles"]) == 5 and data["window"]["by"] == "added"
    second = runner.invoke(app, ["digest", "--since-last", "--as-of", "2025-04-21", *args])
    assert second.exit_code == 0 and "No articles" in second.output
    assert (tmp_path / "d" / "added-2025-04-21" / "index.json").read_text(encoding="utf-8") == json.dumps(
        data, ensure_ascii=False, indent=2
    ) + "\n"  # the first digest is not replaced by the empty second one
    add_article(corpus_copy, tmp_path, "2025-04-25")
    third = runner.invoke(app, ["digest", "--since-last", "--as-of", "2025-04-28", *args])
    assert third.exit_code == 0, third.output
    data = json.loads((tmp_path / "d" / "added-2025-04-28" / "index.json").read_text(encoding="utf-8"))
    assert [a["outlet"] for a in data["articles"]] == ["Astana Times"]
    assert "sanctions" in [b["name"] for b in data["briefs"]]
    assert "Sanctions talks" in pdf_text(tmp_path / "d" / "added-2025-04-28" / "added-2025-04-28-sanctions.pdf")


def test_undated_articles_are_named_on_the_index_page(corpus_copy, tmp_path):
    add_article(corpus_copy, tmp_path, None, outlet="Steppe Wire")
    out = tmp_path / "d"
    result = runner.invoke(
        app, ["digest", "--week", "2025-W16", "--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Not placed in the window" in result.output
    text = pdf_text(out / "2025-W16" / "2025-04-14_2025-04-20-index.pdf")
    assert "Steppe Wire" in text and "undated" in text
    data = json.loads((out / "2025-W16" / "index.json").read_text(encoding="utf-8"))
    assert [(a["outlet"], a["reason"]) for a in data["not_placed"]] == [("Steppe Wire", "undated")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--week", "2025-W16", "--since", "2025-04-01"], "one window"),
        (["--until", "2025-04-01"], "--until needs --since"),
        (["--since", "April"], "--since must be a date"),
        (["--mail-to", "analyst@example.org"], "[mail]"),
        (["--week", "2025-W16", "--as-of", "2025-04-01"], "--as-of sets the end of the default window"),
        (["--since", "2030-01-01", "--as-of", "2026-11-24"], "--since 2030-01-01 is after --as-of 2026-11-24"),
        (["--week", "2025-W53"], "2025 has 52 ISO weeks"),
    ],
)
def test_bad_digest_options_are_one_line_and_exit_2(corpus_copy, tmp_path, args, message):
    result = runner.invoke(app, ["digest", *args, "--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_digest_delivers_and_mails_and_records_since_last_only_after_the_hand_off(corpus_copy, tmp_path, monkeypatch, smtp_server):
    inbox, refusing = Inbox(), Inbox(refuse=("gone@example.org",))
    good, bad = smtp_server(inbox), smtp_server(refusing)
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.chdir(tmp_path)
    config = '[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "briefs@example.org"\nsecurity = "none"\n'
    args = ["digest", "--since-last", "--as-of", "2025-04-21", "--corpus", str(corpus_copy), "--index", "i.sqlite"]
    args += ["--topics", str(PROJECT / "topics.toml")]
    (tmp_path / "briefing.toml").write_text(config.format(port=bad), encoding="utf-8")
    refused = runner.invoke(app, [*args, "--mail-to", "analyst@example.org", "--mail-to", "gone@example.org"])
    assert refused.exit_code == 1 and "refused recipient gone@example.org" in refused.output, refused.output
    assert refusing.messages == []
    folder = tmp_path / "out" / "digests" / "added-2025-04-21"
    kept = record.load(folder.parent)
    assert kept.digested == {}  # not handed off: the next run covers the same articles
    assert [f.what for f in kept.digests[folder.name].failures] == ["mail"]
    (tmp_path / "briefing.toml").write_text(config.format(port=good), encoding="utf-8")
    result = runner.invoke(app, [*args, "--deliver", str(shared), "--mail-to", "analyst@example.org"])
    assert result.exit_code == 0, result.output
    assert hashes(shared / folder.name) == {k: v for k, v in hashes(folder).items() if k != record.HANDED_OFF}
    (sender, recipients, message, _), = inbox.messages
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(p.name for p in folder.parent.iterdir() if not p.name.startswith(".")) == [folder.name, "record.json"]  # the rerun replaced it
    index_pdf = "added-2025-04-21-index.pdf"
    assert recipients == ["analyst@example.org"] and attached[index_pdf] == (folder / index_pdf).read_bytes()
    assert set(attached) == {index_pdf, *(b["file"] for b in json.loads((folder / "index.json").read_text())["briefs"])}
    assert message["Subject"] == "Briefing digest added by 21 Apr 2025"
    digested = record.load(folder.parent).digested
    assert set(digested.values()) == {folder.name} and len(digested) == 5


def test_a_tampered_index_json_can_neither_delete_files_nor_put_words_on_the_page(week16, seed_index, topics, tmp_path):
    folder = tmp_path / "digests" / week16.window.name
    shutil.copytree(week16.folder, folder)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    data = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    data["briefs"].append(dict(data["briefs"][0], name="gone", file="../../victim.txt"))
    data["briefs"][1]["top"][0]["text"] = "FORGED: Kazakhstan will leave the EU tomorrow."
    data["briefs"][2]["points"] = "many"
    (folder / "index.json").write_text(json.dumps(data), encoding="utf-8")
    with Index(seed_index) as index:
        again = make_digest(index, topics, week16.window, folder.parent, "Kazakhstan")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert "FORGED" not in pdf_text(folder / again.index_pdf)
    assert [b.rendered for b in again.briefs] == [False, False, True, *[False] * (len(again.briefs) - 3)]
    assert hashes(folder) == hashes(week16.folder)


def test_since_last_survives_a_rebuilt_index_and_a_lost_record(corpus_copy, tmp_path):
    index = tmp_path / "i.sqlite"
    base = ["--corpus", str(corpus_copy), "--index", str(index), "--out", str(tmp_path / "d")]
    args = ["digest", "--since-last", *base]
    assert runner.invoke(app, [*args, "--as-of", "2025-05-01"]).exit_code == 0
    index.unlink()  # the index is a cache: the record is beside it, not in it
    result = runner.invoke(app, [*args, "--as-of", "2025-05-08"])
    assert result.exit_code == 0, result.output
    assert "No articles in Added since digest added-2025-05-01" in result.output and "Warning" not in result.output
    record.path(tmp_path / "d").unlink()  # the record lost too: it is read back from the handed-off digests
    result = runner.invoke(app, [*args, "--as-of", "2025-05-15"])
    assert result.exit_code == 0, result.output
    assert "took it from the handed-off digests" in result.output
    assert "No articles in Added since digest added-2025-05-01" in result.output
    kept = record.load(tmp_path / "d")
    assert len(kept.digested) == 5 and kept.last == "added-2025-05-01"  # empty digests cover nothing: not recorded


def test_digest_fetch_adds_the_feeds_of_briefing_toml_first(corpus_copy, tmp_path, monkeypatch):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss("http://127.0.0.1:9"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefing.toml").write_text(f'[feeds]\nurls = ["{feed}"]\n', encoding="utf-8")
    args = ["digest", "--fetch", "--week", "2025-W16", "--corpus", str(corpus_copy), "--index", "i.sqlite"]
    result = runner.invoke(app, [*args, "--topics", str(PROJECT / "topics.toml")])
    assert result.exit_code == 0, result.output
    assert result.output.count("Added ") == 2
    data = json.loads((tmp_path / "out" / "digests" / "2025-W16" / "index.json").read_text(encoding="utf-8"))
    assert "Steppe Times" in {a["outlet"] for a in data["articles"]} and len(data["articles"]) == 4


@pytest.mark.parametrize("topics_count", [12, 60])
def test_the_index_page_stays_one_page_with_many_topics_and_a_huge_title(topics_count, tmp_path):
    from briefing.render.pdf import digest_page

    source = Source(outlet="Steppe Wire", title="Very long headline " * 600, date=PartialDate(2025, 4))
    point = Quote("Cargo on the Middle Corridor through Kazakhstan grew again as transit volumes rose. " * 3, (source,))
    briefs = tuple(
        TopicBrief(f"t{i}", f"Topic number {i} on transit", f"t{i}.pdf", 9, 2, (point,), "f", "s", True)
        for i in range(topics_count)
    )
    digest = Digest(iso_week("2025-W16"), tmp_path, "Kazakhstan", briefs, (), (Placed("a", source, "month"),), ())
    path = tmp_path / "index.pdf"
    path.write_bytes(digest_page(digest))
    text = pdf_text(path)
    for i in range(topics_count):
        assert f"Topic number {i} on transit" in text and f"t{i}.pdf" in text
    assert "Very long headline" in text and text.count("Very long headline") < 20


def test_the_index_page_names_as_many_topics_as_fit_and_counts_the_rest(tmp_path):
    from briefing.models import Topic
    from briefing.render.pdf import digest_page

    source = Source(outlet="Steppe Wire", title="Corridor", date=PartialDate(2025, 4, 16))
    point = Quote("Cargo on the Middle Corridor grew again.", (source,))
    title = "A topic with a rather long descriptive title about regional transit number"
    briefs = tuple(TopicBrief(f"t{i}", f"{title} {i}", f"t{i}.pdf", 9, 2, (point,), "f", "s", True) for i in range(150))
    quiet = tuple(Topic(f"q{i}", f"{title} {i}", ()) for i in range(150))
    digest = Digest(iso_week("2025-W16"), tmp_path, "Kazakhstan", briefs, quiet, (Placed("a", source, "day"),), ())
    path = tmp_path / "index.pdf"
    path.write_bytes(digest_page(digest))
    text = pdf_text(path)
    assert "more topics: see index.json" in text and "t0.pdf" in text


def test_a_digest_whose_hand_off_failed_is_not_taken_as_sent_when_the_record_is_rebuilt(
    corpus_copy, tmp_path, monkeypatch, smtp_server
):
    monkeypatch.chdir(tmp_path)
    port = smtp_server(Inbox(refuse=("gone@example.org",)))
    (tmp_path / "briefing.toml").write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {port}\nsender = "briefs@example.org"\nsecurity = "none"\n', encoding="utf-8"
    )
    args = ["digest", "--since-last", "--corpus", str(corpus_copy), "--index", "i.sqlite", "--topics", str(PROJECT / "topics.toml")]
    assert runner.invoke(app, [*args, "--as-of", "2025-05-01"]).exit_code == 0
    add_article(corpus_copy, tmp_path, "2025-05-02")
    failed = runner.invoke(app, [*args, "--as-of", "2025-05-08", "--mail-to", "gone@example.org"])
    assert failed.exit_code == 1 and (tmp_path / "out" / "digests" / "added-2025-05-08" / "index.json").exists()
    (tmp_path / "i.sqlite").unlink()
    record.path(tmp_path / "out" / "digests").unlink()
    result = runner.invoke(app, [*args, "--as-of", "2025-05-15"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "digests" / "added-2025-05-15" / "index.json").read_text(encoding="utf-8"))
    assert [a["outlet"] for a in data["articles"]] == ["Astana Times"]


def test_a_stopped_digest_leaves_no_half_made_folder(corpus_copy, tmp_path):
    out = tmp_path / "d"
    command = [sys.executable, "-m", "briefing", "digest", "--since", "2022-01-01", "--until", "2025-12-31"]
    command += ["--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite"), "--out", str(out)]
    job = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(out.glob(".*.tmp")) and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.poll() is None, "the digest ended before it could be stopped"
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=60) == 128 + signal.SIGTERM
    assert [p.name for p in out.iterdir()] == [".lock"]  # the lock file stays: deleting one races with the next run


def test_unusable_out_folder_and_year_0_are_one_line_errors(corpus_copy, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    paths = ["--corpus", str(corpus_copy), "--index", str(tmp_path / "i.sqlite")]
    for args, code, message in (
        (["--week", "2025-W16", "--out", str(tmp_path / "afile")], 1, "cannot write the digest into"),
        (["--week", "0000-W01"], 2, "must be an ISO week"),
    ):
        result = runner.invoke(app, ["digest", *args, *paths])
        assert result.exit_code == code and message in result.output and "Traceback" not in result.output
