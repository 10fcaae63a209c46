"""A hostile battery: every command against files, servers and processes that try to break it.

Each case runs the real CLI in a folder laid out as users have it (corpus/, topics.toml,
briefing.toml, out/index.sqlite) and asserts what the user sees: one ``Error:`` or ``Skipped``
line naming the culprit, the exit code, no traceback, and that nothing the user had is lost.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from briefing.cli import app
from briefing.digest import record
from briefing.errors import EXIT_BUSY
from briefing.files import locked
from briefing.index import SCHEMA_VERSION, Index

from .conftest import CORPUS, POLITICO, PROJECT
from .test_evaluate import make_dataset
from .test_feeds import ATOM, Site, atom, entry, site  # noqa: F401, F811 (site: a fixture)
from .test_feeds import Handler as FeedHandler
from .test_feeds import Server as FeedServer

runner = CliRunner()
SECRET = "The launch codes are kept under the mat at the back door of the embassy."


@dataclass
class Work:
    """A user's folder, the working directory of the command."""

    root: Path
    later: list[Callable[[], object]] = field(default_factory=list)  # undone after the run
    checks: list[Callable[[], object]] = field(default_factory=list)  # what else must hold after it
    result: object = None

    def run(self, *args: str):
        self.result = runner.invoke(app, list(args))
        return self.result

    def files(self) -> dict[str, bytes]:
        """Every regular file the user has (what the tool writes in out/ aside), by path."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            record_file = path.name == "record.json" or path.name.endswith(".digested.json")  # the user's, not a cache
            ours = relative.parts[0] == "out" and not record_file
            if not ours and path.is_file() and not path.is_symlink():
                found[relative.as_posix()] = path.read_bytes()
        return found

    def index(self) -> bytes:
        return (self.root / "out" / "index.sqlite").read_bytes()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's folder with its index built once; each case works on a copy."""
    root = tmp_path_factory.mktemp("built") / "work"
    shutil.copytree(CORPUS, root / "corpus")
    shutil.copy(PROJECT / "topics.toml", root / "topics.toml")
    (root / "briefing.toml").write_text('[brief]\nsubject = "Kazakhstan"\n', encoding="utf-8")
    result = runner.invoke(app, ["corpus", "build", "--corpus", str(root / "corpus"), "--index", str(root / "out" / "index.sqlite")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def work(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Work:
    root = tmp_path / "work"
    shutil.copytree(built, root, symlinks=True)
    monkeypatch.chdir(root)
    for name in ("BRIEFING_CORPUS", "BRIEFING_INDEX", "BRIEFING_TOPICS"):
        monkeypatch.delenv(name, raising=False)
    return Work(root)


def reported(result, code: int, line: str) -> None:
    """The run ended with ``code``, said ``line`` (a regular expression) on one line of its
    errors, and showed no traceback."""
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert "Traceback" not in output and (result.exception is None or isinstance(result.exception, SystemExit)), output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", output), output  # nothing a terminal would obey
    assert not line or any(re.fullmatch(line, said) for said in result.stderr.splitlines()), output
    errors = [said for said in result.stderr.splitlines() if said.startswith("Error:")]
    assert len(errors) == (1 if code in (1, 2, EXIT_BUSY) else 0), output


# Each case: set the folder up as a hostile user or a broken disk would, and give the command
# to run, the exit code and the line the user must see.
Setup = Callable[[Work], tuple[list[str], int, str]]
CASES: dict[str, Setup] = {}


def case(function: Setup) -> Setup:
    CASES[function.__name__] = function
    return function


# 1. Special files and links: only regular files inside their folder, never past the cap.


@case
def build_link_to_dev_zero(w: Work):
    os.symlink("/dev/zero", w.root / "corpus" / "zero.md")
    return ["corpus", "build"], 3, r"Skipped corpus/zero\.md: a link to /dev/zero, outside corpus"


@case
def build_fifo_named_md(w: Work):
    os.mkfifo(w.root / "corpus" / "pipe.md")
    return ["corpus", "build"], 3, r"Skipped corpus/pipe\.md: a named pipe \(FIFO\), not a regular file"


@case
def list_link_out_of_the_corpus(w: Work):
    (w.root / "secret.md").write_text(SECRET + "\n", encoding="utf-8")
    os.symlink(w.root / "secret.md", w.root / "corpus" / "leak.md")
    return ["corpus", "list"], 0, rf"Skipped corpus/leak\.md: a link to {w.root}/secret\.md, outside corpus"


@case
def make_with_a_link_out_of_the_corpus(w: Work):
    (w.root / "secret.md").write_text(f"{SECRET} Sanctions on dual-use goods are {SECRET}\n", encoding="utf-8")
    os.symlink("../secret.md", w.root / "corpus" / "sanctions.md")
    return ["make", "--topic", "sanctions", "--format", "md"], 0, r"Skipped corpus/sanctions\.md: a link to .*, outside corpus"


@case
def show_sidecar_fifo(w: Work):
    (w.root / "corpus" / "note.txt").write_text("Kazakhstan signed a new transit deal on Monday.\n", encoding="utf-8")
    os.mkfifo(w.root / "corpus" / "note.toml")
    return ["corpus", "show", POLITICO], 0, r"Skipped corpus/note\.toml: a named pipe \(FIFO\), not a regular file"


@case
def build_sources_toml_out_of_the_corpus(w: Work):
    (w.root / "corpus" / "note.txt").write_text("Kazakhstan signed a new transit deal on Monday.\n", encoding="utf-8")
    (w.root / "private.toml").write_text('["note.txt"]\ntitle = "private"\n', encoding="utf-8")
    os.symlink(w.root / "private.toml", w.root / "corpus" / "sources.toml")
    return ["corpus", "build"], 3, r"Skipped corpus/sources\.toml: a link to .*/private\.toml, outside corpus"


@case
def topics_file_is_dev_zero(w: Work):
    return ["topics", "--topics", "/dev/zero"], 2, r"Error: /dev/zero: a character device, not a regular file"


@case
def make_topics_file_is_a_fifo(w: Work):
    os.mkfifo(w.root / "topics.fifo")
    return ["make", "--topic", "sanctions", "--topics", "topics.fifo"], 2, r"Error: topics\.fifo: a named pipe \(FIFO\), not a regular file"


@case
def digest_topics_file_is_a_folder(w: Work):
    (w.root / "folder.toml").mkdir()
    return ["digest", "--topics", "folder.toml", "--week", "2025-W16"], 2, r"Error: folder\.toml: a folder, not a file"


@case
def list_config_is_a_fifo(w: Work):
    (w.root / "briefing.toml").unlink()
    os.mkfifo(w.root / "briefing.toml")
    return ["corpus", "list"], 2, r"Error: briefing\.toml: a named pipe \(FIFO\), not a regular file"


@case
def schedule_config_links_to_dev_zero(w: Work):
    (w.root / "briefing.toml").unlink()
    os.symlink("/dev/zero", w.root / "briefing.toml")
    return ["schedule", "--weekly", "mon", "07:00"], 2, r"Error: briefing\.toml: a character device, not a regular file"


@case
def add_a_link_to_dev_zero(w: Work):
    os.symlink("/dev/zero", w.root / "article.md")
    return ["corpus", "add", "article.md"], 3, r"Skipped article\.md: a character device, not a regular file"


@case
def add_a_fifo(w: Work):
    os.mkfifo(w.root / "article.txt")
    return ["corpus", "add", "article.txt"], 3, r"Skipped article\.txt: a named pipe \(FIFO\), not a regular file"


@case
def fetch_a_feed_file_that_is_a_fifo(w: Work):
    os.mkfifo(w.root / "feed.xml")
    return ["corpus", "fetch", "feed.xml"], 3, r"Skipped feed\.xml: a named pipe \(FIFO\), not a regular file"


@case
def make_out_is_a_fifo(w: Work):
    os.mkfifo(w.root / "brief.md")
    return ["make", "--topic", "sanctions", "--out", "brief.md"], 2, (
        r"Error: brief\.md: a named pipe \(FIFO\), not a regular file: not replaced"
    )


@case
def eval_a_document_that_is_a_fifo(w: Work):
    data = make_dataset(w.root / "data")
    (data / "T1" / "docs" / "APW20000101.0001.txt").unlink()
    os.mkfifo(data / "T1" / "docs" / "APW20000101.0001.txt")
    return ["eval", "data"], 2, r"Error: data/T1/docs/APW20000101\.0001\.txt: a named pipe \(FIFO\), not a regular file"


@case
def eval_a_reference_that_links_to_dev_zero(w: Work):
    data = make_dataset(w.root / "data")
    (data / "T2" / "refs" / "B.txt").unlink()
    os.symlink("/dev/zero", data / "T2" / "refs" / "B.txt")
    return ["eval", "data"], 2, r"Error: data/T2/refs/B\.txt: a character device, not a regular file"


# 3. The index: never another program's file, never a lock taken for corruption, no record lost.


def wait_briefly(w: Work, seconds: float = 0.5) -> None:
    (w.root / "briefing.toml").write_text(f'[corpus]\nlock_wait = {seconds}\n[brief]\nsubject = "Kazakhstan"\n')


@case
def make_index_at_the_topics_file(w: Work):
    return ["make", "--topic", "sanctions", "--index", "topics.toml"], 2, (
        r"Error: topics\.toml is not a briefing index \(nor any SQLite database\), so it is left as it is: "
        r"give --index the path of an index, or of a file that does not exist yet"
    )


@case
def build_index_at_an_article(w: Work):
    return ["corpus", "build", "--index", f"corpus/{POLITICO}.md"], 2, rf"Error: corpus/{POLITICO}\.md is not a briefing index .*"


@case
def list_index_at_another_programs_database(w: Work):
    with closing(sqlite3.connect(w.root / "accounts.sqlite")) as db:
        db.execute("CREATE TABLE accounts (name TEXT)")
        db.commit()
    return ["corpus", "list", "--index", "accounts.sqlite"], 2, (
        r"Error: accounts\.sqlite is another program's SQLite database, not a briefing index: left as it is"
    )


@case
def topics_index_is_a_folder(w: Work):
    return ["topics", "--index", "corpus"], 2, r"Error: corpus is a folder, not a file: give --index the path of an index file"


@case
def digest_index_of_a_newer_briefing(w: Work):
    record.save(w.root / "out" / "digests", None, record.Record(digested={POLITICO: "added-2025-04-01"}, last="added-2025-04-01"))
    with closing(sqlite3.connect(w.root / "out" / "index.sqlite")) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return ["digest", "--since-last"], 2, (
        rf"Error: out/index\.sqlite is an index of a newer briefing \(schema version {SCHEMA_VERSION + 1}; this one knows "
        rf"up to {SCHEMA_VERSION}\), so it is left as it is: use that briefing, or give --index another path"
    )


@case
def build_while_another_program_holds_the_index(w: Work):
    wait_briefly(w)
    other = sqlite3.connect(w.root / "out" / "index.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    w.later.append(other.close)
    return ["corpus", "build"], 1, (
        r"Error: the index out/index\.sqlite is in use by another program; gave up after waiting 0\.5 s: "
        r"try again when it has finished"
    )


@case
def make_while_another_briefing_writes_the_index(w: Work):
    wait_briefly(w)
    holding = locked(w.root / "out" / ".index.sqlite.lock", 1, "the index")
    holding.__enter__()
    w.later.append(lambda: holding.__exit__(None, None, None))
    return ["make", "--topic", "sanctions"], 1, (
        rf"Error: the index out/index\.sqlite is in use by another briefing process \(process {os.getpid()}\); "
        r"gave up after waiting 0\.5 s: try again when it has finished"
    )


@case
def list_a_corrupt_index_is_kept_and_rebuilt(w: Work):
    index = w.root / "out" / "index.sqlite"
    digests = w.root / "out" / "digests"
    record.save(digests, None, record.Record(digested={POLITICO: "added-2025-04-01"}, last="added-2025-04-01"))
    data = bytearray(index.read_bytes())
    data[4096:8192] = b"\xa5" * 4096
    index.write_bytes(bytes(data))

    def kept_as_it_was() -> None:
        assert (w.root / "out" / "index.sqlite.unreadable").read_bytes() == bytes(data)
        assert record.load(digests, index).digested == {POLITICO: "added-2025-04-01"}

    w.checks.append(kept_as_it_was)
    return ["corpus", "list"], 0, (
        r"Rebuilt the index: out/index\.sqlite is corrupt \(database disk image is malformed\); "
        r"kept it as out/index\.sqlite\.unreadable\."
    )


@case
def digest_with_a_damaged_record(w: Work):
    (w.root / "out" / "digests").mkdir()
    record.path(w.root / "out" / "digests").write_text('{"digested": ', encoding="utf-8")
    return ["digest", "--since-last"], 1, (
        r"Error: out/digests/record\.json is not a digest record \(.*\): move it away, and the next "
        r"--since-last digest reads what was sent back from the handed-off digests"
    )


@case
def digest_while_another_digest_holds_the_record(w: Work):
    wait_briefly(w)
    holding = record.held(w.root / "out" / "digests", 1)
    holding.__enter__()
    w.later.append(lambda: holding.__exit__(None, None, None))
    return ["digest", "--since-last"], EXIT_BUSY, (
        r"Error: skipped this run: the digests folder out/digests is in use by another briefing process "
        rf"\(process {os.getpid()}\); gave up after waiting 0\.5 s: try again when it has finished"
    )


# 4. Values of the wrong type, terminal escapes, huge files.


@case
def build_author_true_in_front_matter(w: Work):
    (w.root / "corpus" / "odd.md").write_text("+++\nauthor = true\n+++\nKazakhstan opened a new border crossing.\n")
    return ["corpus", "build"], 3, r"Skipped corpus/odd\.md: author must be text in quotes, not true"


@case
def add_yaml_title_no(w: Work):
    (w.root / "story.md").write_text("---\ntitle: no\n---\nKazakhstan opened a new border crossing on Monday.\n")
    return ["corpus", "add", "story.md"], 3, r"Skipped story\.md: title must be text in quotes, not false"


@case
def build_max_file_bytes_true(w: Work):
    (w.root / "briefing.toml").write_text("[corpus]\nmax_file_bytes = true\n")
    return ["corpus", "build"], 2, r"Error: briefing\.toml: corpus\.max_file_bytes must be a whole number of bytes"


@case
def digest_mail_port_true(w: Work):
    (w.root / "briefing.toml").write_text('[mail]\nhost = "127.0.0.1"\nsender = "b@example.org"\nport = true\n')
    return ["digest", "--mail-to", "a@example.org"], 2, r"Error: briefing\.toml: mail\.port must be a port number, 1 to 65535"


@case
def fetch_timeout_true(w: Work):
    (w.root / "briefing.toml").write_text('[feeds]\nurls = ["feed.xml"]\ntimeout = true\n')
    return ["corpus", "fetch"], 2, r"Error: briefing\.toml: feeds\.timeout must be a positive number of seconds"


@case
def topics_weight_true(w: Work):
    (w.root / "topics.toml").write_text("[trade]\nkeywords = ['trade']\nweights = { trade = true }\n")
    return ["topics"], 2, r"Error: topics\.toml: \[trade\]: weights must be a table of numbers"


@case
def schedule_out_is_true(w: Work):
    (w.root / "briefing.toml").write_text("[brief]\nout = true\n")
    return ["schedule", "--weekly", "mon", "07:00"], 2, r"Error: briefing\.toml: brief\.out must be a path in quotes"


@case
def schedule_digest_args_unbalanced(w: Work):
    return ["schedule", "--weekly", "mon", "07:00", "--digest-args", "--topics 'x"], 2, r"Error: --digest-args: No closing quotation"


@case
def eval_dataset_is_a_fifo(w: Work):
    os.mkfifo(w.root / "data")
    return ["eval", "data"], 2, r"Error: no dataset at data"


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\x9b1m"  # retitle the window, clear it, turn it red (twice)


def escaped_article(w: Work) -> str:
    (w.root / "corpus" / "escapes.md").write_text(
        '+++\ntitle = "Sanctions \\u001b[2J talk"\noutlet = "Wire\\u009b1m"\n+++\n'
        f"The sanctions envoy{ESCAPES} visited Astana to discuss the circumvention of sanctions on dual-use goods.\n"
    )
    return "escapes"


@case
def list_terminal_escapes(w: Work):
    escaped_article(w)
    return ["corpus", "list"], 0, r""


@case
def list_json_terminal_escapes(w: Work):
    escaped_article(w)

    def escaped_not_removed() -> None:  # the data stays whole for other tools
        assert "\\u001b[2J" in w.result.stdout and "\\u009b1m" in w.result.stdout

    w.checks.append(escaped_not_removed)
    return ["corpus", "list", "--json"], 0, r""


@case
def show_terminal_escapes(w: Work):
    return ["corpus", "show", escaped_article(w)], 0, r""


@case
def make_text_terminal_escapes(w: Work):
    escaped_article(w)
    return ["make", "--keywords", "sanctions envoy", "--format", "text"], 0, r""


@case
def show_unknown_id_with_escapes(w: Work):
    return ["corpus", "show", f"no{ESCAPES}such"], 1, r"Error: no document 'no\\x1b\]0;owned\\x07.*such' in the index.*"


@case
def fetch_a_link_with_a_control_character(w: Work):  # feedparser reads the ill-formed feed leniently, ESC and all
    (w.root / "feed.xml").write_text(
        '<rss version="2.0"><channel><title>Wire</title><item><title>Transit</title>'
        "<link>http://127.0.0.1:9/news/a\x1b[2Jb</link><description>Kazakhstan opened a new border crossing "
        "with China on Monday, officials said, and trucks queued for hours.</description></item></channel></rss>"
    )
    return ["corpus", "fetch", "feed.xml"], 0, r""


@case
def build_a_paragraph_of_exclamations(w: Work):
    (w.root / "corpus" / "wow.md").write_text("Wow! " + "wow! " * 10_000)  # was a TimeoutError from NLTK's regex guard
    return ["corpus", "build"], 0, r""


@pytest.mark.parametrize("name", CASES)
def test_hostile_case(work: Work, name: str):
    args, code, line = CASES[name](work)
    before, index = work.files(), work.index()
    try:
        result = work.run(*args)
    finally:
        for undo in work.later:
            undo()
    reported(result, code, line)
    if code in (1, 2):
        assert work.index() == index  # a failed run leaves the index as it was
    for check in work.checks:
        check()
    after = work.files()
    assert {path: data for path, data in after.items() if path in before} == before  # nothing lost or changed
    assert SECRET not in result.stdout + result.stderr
    assert not [p for p in (work.root / "out").rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not [p for p in work.root.rglob("*") if p.name.endswith((".tmp", ".tmp-journal"))]


# 2. Feeds: every request under one deadline whatever the server does; no local addresses from afar.


class Trickle:
    """A server on 127.0.0.1 that answers every request one byte at a time, a byte every 0.2 s,
    forever: in its headers (/headers) or in a body it says is long (/body)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self.stop.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:  # closed: the test is over
                return
            threading.Thread(target=self._answer, args=(client,), daemon=True).start()

    def _answer(self, client: socket.socket) -> None:
        with client:
            request = client.recv(4096)
            if b"GET /body" in request:
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
            else:
                client.sendall(b"HTTP/1.1 200 OK\r\nX-Padding: ")
            while not self.stop.wait(0.2):
                try:
                    client.sendall(b"x")
                except OSError:
                    return


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    server = Trickle()
    yield server
    server.stop.set()
    server.server.close()


def test_stalled_feeds_end_at_their_deadline_and_the_other_feed_is_added(work, site, trickle):
    started = time.monotonic()
    result = work.run("corpus", "fetch", trickle.url("headers"), trickle.url("body"), site.url("rss.xml"), "--timeout", "1")
    took = time.monotonic() - started
    reported(result, 3, rf"Skipped {trickle.url('headers')}: no answer within 1 s")
    assert f"Skipped {trickle.url('body')}: not received within 1 s" in result.stderr.splitlines()
    assert f"Feed {site.url('rss.xml')}: 2 added" in result.stdout.splitlines()
    assert took < 2 * 1 + 3, took  # two deadlines and some slack, never the server's pace


def test_a_feed_of_links_to_a_stalled_host_waits_for_it_once(work, trickle, tmp_path):
    entries = "".join(
        f"<item><title>Story {n}</title><link>{trickle.url('headers')}?story={n}</link></item>" for n in range(5)
    )
    (work.root / "feed.xml").write_text(f'<rss version="2.0"><channel><title>Slow</title>{entries}</channel></rss>')
    started = time.monotonic()
    result = work.run("corpus", "fetch", "feed.xml", "--timeout", "1")
    took = time.monotonic() - started
    reported(result, 3, rf"Skipped {re.escape(trickle.url('headers'))}\?story=4: the feed gives no article text and the "
             rf"page cannot be used: 127\.0\.0\.1:\d+ did not answer within 1 s before; not asked again")
    assert "no answer within 1 s" in result.stderr and took < 1 + 3, took


def test_digest_fetch_with_a_stalled_feed_still_makes_the_digest(work, site, trickle):
    (work.root / "briefing.toml").write_text(
        f'[feeds]\nurls = ["{trickle.url("headers")}", "{site.url("rss.xml")}"]\ntimeout = 1\n', encoding="utf-8"
    )
    (work.root / "one.toml").write_text('[trade]\nkeywords = ["trade"]\n', encoding="utf-8")
    result = work.run("digest", "--fetch", "--since-last", "--as-of", "2025-05-01", "--topics", "one.toml")
    reported(result, 3, rf"Skipped {trickle.url('headers')}: no answer within 1 s")
    assert (work.root / "out" / "digests" / "added-2025-05-01" / "added-2025-05-01-index.pdf").is_file()


def local_address() -> str | None:
    """An address of this machine that is not loopback (its own on the local network), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.fixture
def lan_site(site) -> Iterator[Site]:
    """The test site, also served on this machine's local-network address: a feed from elsewhere."""
    address = local_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    server = FeedServer((address, 0), FeedHandler)
    served = Site(base=f"http://{address}:{server.server_port}", routes=site.routes)
    server.site = served  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


def test_a_feed_from_elsewhere_cannot_make_us_fetch_a_page_on_this_machine(work, site, lan_site):
    teasers = [entry(site.base, "Caspian ports expand", "articles/caspian-ports.html", "2025-03-04T09:00:00Z")]
    lan_site.routes["/far.xml"] = (200, ATOM, atom(site.base, teasers))
    lan_site.routes["/moved.xml"] = (302, {"Location": site.url("rss.xml")}, b"")
    before = site.pages_hit()
    result = work.run("corpus", "fetch", lan_site.url("far.xml"), lan_site.url("moved.xml"))
    reported(result, 3, rf"Skipped {site.url('articles/caspian-ports.html')}: the feed gives no article text and the "
             r"page cannot be used: 127\.0\.0\.1 is on this machine, and the feed is not: not fetched")
    assert f"Skipped {lan_site.url('moved.xml')}: 127.0.0.1 is on this machine, and the feed is not: not fetched" in (
        result.stderr.splitlines()
    )
    assert site.pages_hit() == before and not site.hits.get("/rss.xml")  # nothing asked of this machine's server
    assert not list((work.root / "corpus").glob("*caspian*"))


def test_a_feed_on_this_machine_may_use_pages_on_this_machine(work, site):
    site.routes["/near.xml"] = (200, ATOM, atom(site.base, [
        entry(site.base, "Caspian ports expand", "articles/caspian-ports.html", "2025-03-04T09:00:00Z")
    ]))
    result = work.run("corpus", "fetch", site.url("near.xml"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert list((work.root / "corpus").glob("2025-03-04-caspian-ports-expand*.md"))


# Real processes at once, killed, or on a full disk.


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefing", *args]


def start(w: Work, *args: str) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    return subprocess.Popen(command(*args), cwd=w.root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in out + err, out + err
    return process.returncode, out, err


def lock_held(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def more_work(w: Work) -> None:
    """Give a build something to do: every article changed."""
    for path in sorted((w.root / "corpus").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text + f"\nThe {path.stem} story was updated at {time.monotonic()}.\n", encoding="utf-8")


def temporary_files(w: Work) -> list[Path]:
    return [p for p in w.root.rglob("*") if ".tmp" in p.name or p.name.endswith(".old")]


def test_two_builds_at_once_make_one_whole_index(work):
    (work.root / "out" / "index.sqlite").unlink()
    first, second = start(work, "corpus", "build"), start(work, "corpus", "build")
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    said = sorted(re.search(r"\d+ added, .* skipped", out)[0] for _, out, _ in results)
    assert said == ["0 added, 0 updated, 0 removed, 5 unchanged, 0 skipped", "5 added, 0 updated, 0 removed, 0 unchanged, 0 skipped"]
    with Index(work.root / "out" / "index.sqlite") as index:
        assert len(index.documents()) == 5
    assert not temporary_files(work)


def test_make_during_a_build_neither_rebuilds_nor_loses_the_record(work):
    index = work.root / "out" / "index.sqlite"
    digests = work.root / "out" / "digests"
    record.save(digests, None, record.Record(digested={POLITICO: "added-2025-04-01"}, last="added-2025-04-01"))
    more_work(work)
    build = start(work, "corpus", "build")
    deadline = time.monotonic() + 10
    while not lock_held(work.root / "out" / ".index.sqlite.lock") and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    make = start(work, "make", "--topic", "sanctions")
    (built, out, err), (made, made_out, made_err) = finish(build), finish(make)
    assert built == 0, out + err
    assert made == 0 and made_out.startswith("Wrote out/sanctions.pdf"), made_out + made_err
    assert "Rebuilt" not in err + made_err and not list((work.root / "out").glob("*.unreadable*"))
    assert record.load(digests, index).digested == {POLITICO: "added-2025-04-01"}
    with Index(index) as opened:
        assert len(opened.documents()) == 5


def test_make_waits_for_another_process_writing_the_index(work):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time\nfrom pathlib import Path\nfrom briefing.files import locked\n"
        "with locked(Path('out/.index.sqlite.lock'), 1, 'the index'):\n    print('held', flush=True)\n    time.sleep(1.0)\n"
    )], cwd=work.root, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    code, out, err = finish(start(work, "make", "--topic", "sanctions", "--format", "md"))
    holder.wait()
    assert code == 0, out + err
    assert (
        f"Waiting for another briefing process (process {holder.pid}) to finish with the index out/index.sqlite "
        "(up to 60 s)."
    ) in err.splitlines()


def test_two_since_last_digests_at_once_cover_each_article_once(work):
    (work.root / "one.toml").write_text('[trade]\nkeywords = ["trade"]\n', encoding="utf-8")
    args = ("digest", "--since-last", "--as-of", "2025-05-01", "--topics", "one.toml")
    first, second = start(work, *args), start(work, *args)
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    folders = sorted(f for f in (work.root / "out" / "digests").iterdir() if f.is_dir())
    assert [f.name for f in folders] == ["added-2025-05-01", "added-2025-05-01-2"]  # the second waited, found nothing new
    covered = [a["id"] for f in folders for a in json.loads((f / "index.json").read_text())["articles"]]
    assert sorted(covered) == sorted(d.stem for d in (work.root / "corpus").glob("*.md"))  # each once, none lost
    assert record.load(work.root / "out" / "digests").last == "added-2025-05-01"  # an empty digest covers nothing


def test_killed_builds_and_makes_leave_the_index_and_the_brief_whole(work):
    """SIGKILL at random moments of builds and makes: the next run opens the index, the brief on
    disk is always a whole PDF (the old one or a new one), and no temporary file outlives it."""
    randomly = random.Random(12)
    assert finish(start(work, "make", "--topic", "sanctions"))[0] == 0
    pdf = work.root / "out" / "sanctions.pdf"
    for kill in range(10):
        if kill % 2 == 0:
            more_work(work)
        process = start(work, *(("corpus", "build") if kill % 2 == 0 else ("make", "--topic", "sanctions")))
        time.sleep(randomly.uniform(0.2, 0.9))
        process.kill()
        process.communicate()
        with Index(work.root / "out" / "index.sqlite") as index:
            assert len(index.documents()) == 5
        assert len(PdfReader(pdf).pages) == 1
    code, out, err = finish(start(work, "corpus", "build"))  # the next run: it clears the index's folder, out/
    assert code == 0, out + err
    assert not temporary_files(work), temporary_files(work)


def test_a_full_disk_is_one_line_and_the_index_is_left_as_it_was(work):
    """The index's folder on a small file system of its own, filled up (root and a private mount namespace)."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a small file system")
    (work.root / "full").mkdir()
    shutil.copy(work.root / "out" / "index.sqlite", work.root / "index.sqlite")
    record.legacy_add(work.root / "full" / "index.sqlite", [("added-2025-04-01", [POLITICO])])
    more_work(work)
    script = (
        "mount -t tmpfs -o size=400k tmpfs full && cp index.sqlite full/ && "
        'printf \'{"digested": {"%s": "added-2025-04-01"}, "last": "added-2025-04-01"}\' ' + POLITICO + " > full/index.sqlite.digested.json && "
        "(dd if=/dev/zero of=full/filler bs=4k 2>/dev/null; true) && "
        f"{sys.executable} -m briefing corpus build --index full/index.sqlite; echo exit=$?; "
        "cmp -s index.sqlite full/index.sqlite && echo index-unchanged; ls -a full"
    )
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode().strip()}")
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], cwd=work.root,
                          capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert done.stderr.splitlines() == [
        "Error: no space left on the device of full: the index full/index.sqlite is left as it was"
    ], done.stdout + done.stderr
    assert "exit=1" in lines and "index-unchanged" in lines
    assert not [name for name in lines if ".tmp" in name]


def test_what_killed_runs_left_is_removed_and_nothing_else(work):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer runs
    out = work.root / "out"
    left = [out / f".index.sqlite.{gone.pid}.abcd1234.tmp", out / f".index.sqlite.{gone.pid}.abcd1234.tmp-journal",
            out / f".sanctions.pdf.{gone.pid}.x_y2z9w8.tmp", work.root / "corpus" / f".new-story.md.{gone.pid}.k2j3h4g5.tmp"]
    kept = [out / f".sanctions.pdf.{os.getpid()}.abcd1234.tmp", out / "notes.tmp", out / ".index.sqlite.12.tmp",
            work.root / "corpus" / ".drafts.md"]
    for path in left + kept:
        path.write_bytes(b"half")
    (out / f".digests.{gone.pid}.0123abcd.tmp").mkdir()
    left.append(out / f".digests.{gone.pid}.0123abcd.tmp")
    assert work.run("make", "--topic", "sanctions", "--format", "md").exit_code == 0
    (work.root / "article.md").write_text("+++\ntitle = \"Transit\"\n+++\nKazakhstan opened a new border crossing on Monday.\n")
    assert work.run("corpus", "add", "article.md").exit_code == 0
    assert [p for p in left if p.exists()] == [] and all(p.exists() for p in kept)
