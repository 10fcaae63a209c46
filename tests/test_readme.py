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


def test_the_settings_the_readme_shows_are_settings_briefing_knows(tmp_path):
    """Every briefing.toml example in the README loads under the schema: no key it shows is refused."""
    from briefing.config import load_settings, schema

    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.+?)\n```", text, re.DOTALL)
    examples = [b for b in blocks if set(re.findall(r"(?m)^\[(\w+)\]", b)) <= set(schema())]  # not topics.toml's
    assert len(examples) >= 2
    for number, example in enumerate(examples):
        config = tmp_path / f"{number}.toml"
        config.write_text(example, encoding="utf-8")
        load_settings(config=config)
