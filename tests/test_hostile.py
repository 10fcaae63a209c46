"""A hostile battery: every command against files, servers and processes that try to break it.

Each case runs the real CLI in a folder laid out as users have it (corpus/, topics.toml,
briefing.toml, out/index.sqlite) and asserts what the user sees: one ``Error:`` or ``Skipped``
line naming the culprit, the exit code, no traceback, and that nothing the user had is lost.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

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

    def run(self, *args: str):
        return runner.invoke(app, list(args))

    def files(self) -> dict[str, bytes]:
        """Every regular file the user has (what the tool writes in out/ aside), by path."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if relative.parts[0] != "out" and path.is_file() and not path.is_symlink():
                found[relative.as_posix()] = path.read_bytes()
        return found


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
    assert any(re.fullmatch(line, said) for said in result.stderr.splitlines()), output
    errors = [said for said in result.stderr.splitlines() if said.startswith("Error:")]
    assert len(errors) == (1 if code in (1, 2) else 0), output


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
    os.mkfifo(w.root / "brief.pdf")
    return ["make", "--topic", "sanctions", "--out", "brief.pdf"], 2, r"Error: brief\.pdf: a named pipe \(FIFO\), not a regular file: not replaced"


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


@pytest.mark.parametrize("name", CASES)
def test_hostile_case(work: Work, name: str):
    args, code, line = CASES[name](work)
    before = work.files()
    result = work.run(*args)
    reported(result, code, line)
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
    assert (work.root / "out" / "digests" / "added-2025-05-01" / "index.pdf").is_file()


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
