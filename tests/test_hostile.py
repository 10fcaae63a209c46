"""A hostile battery: every command against files, servers and processes that try to break it.

Each case runs the real CLI in a folder laid out as users have it (corpus/, topics.toml,
briefing.toml, out/index.sqlite) and asserts what the user sees: one ``Error:`` or ``Skipped``
line naming the culprit, the exit code, no traceback, and that nothing the user had is lost.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from .conftest import CORPUS, POLITICO, PROJECT
from .test_evaluate import make_dataset

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
