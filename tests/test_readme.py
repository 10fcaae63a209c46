"""README.md opens with the two commands a newcomer runs, and CI runs the second one."""

from __future__ import annotations

import re

from .conftest import PROJECT


def readme_commands() -> list[str]:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_starts_with_a_run_command_and_a_test_command():
    run, test = readme_commands()
    assert "pip install" in run and run.endswith("briefing make --topic sanctions")
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    script = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in script.splitlines()
