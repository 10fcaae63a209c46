"""`briefing init`: a project folder from the starter shipped in the package, never over anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import Settings, load_settings
from briefing.project import starter

from .conftest import PROJECT

runner = CliRunner()


def test_the_starter_is_the_repository_s_own_project(tmp_path):
    """One copy of each file: the package's starter is the top-level topics.toml, briefing.toml and corpus/."""
    laid = starter()
    assert laid["topics.toml"] == (PROJECT / "topics.toml").read_bytes()
    assert laid["briefing.toml"] == (PROJECT / "briefing.toml").read_bytes()
    assert sorted(n for n in laid if n.startswith("corpus/")) == sorted(f"corpus/{p.name}" for p in (PROJECT / "corpus").glob("*.md"))


def test_init_lays_out_a_project_that_makes_a_brief(tmp_path, monkeypatch):
    result = runner.invoke(app, ["init", str(tmp_path / "team")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Laid out {tmp_path / 'team'}: corpus/ (5 sample articles), topics.toml")
    folder = tmp_path / "team"
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.toml", "corpus", "out", "topics.toml"]
    assert not any(p.name.endswith(".tmp") for p in folder.rglob("*"))
    monkeypatch.chdir(folder)
    assert load_settings() == Settings(subject="Kazakhstan")
    made = runner.invoke(app, ["make", "--topic", "sanctions", "--format", "md"])
    assert made.exit_code == 0, made.output
    assert (folder / "out" / "sanctions.md").read_text(encoding="utf-8").startswith("# Sanctions — Kazakhstan")


def test_init_here_in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()  # an empty out/ or corpus/ is no reason to refuse
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert len(list((tmp_path / "corpus").glob("*.md"))) == 5


@pytest.mark.parametrize("there", ["topics.toml", "briefing.toml", "corpus/mine.md", "out"])
def test_init_never_overwrites_and_writes_nothing_when_it_refuses(tmp_path, there):
    folder = tmp_path / "team"
    target = folder / there
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("mine\n", encoding="utf-8")  # out as a file is in the way too
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 2
    shown = folder / ("corpus" if there.startswith("corpus/") else there)
    assert result.output == f"Error: {shown} already exists: `briefing init` never overwrites; choose an empty folder\n"
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_init_into_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = runner.invoke(app, ["init", str(tmp_path / "notes.txt")])
    assert result.exit_code == 2 and result.output == f"Error: cannot lay out a project in {tmp_path / 'notes.txt'}: it is not a folder\n"

