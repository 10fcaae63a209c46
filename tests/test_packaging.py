"""The built wheel, installed in a fresh venv outside the repository, lays out a project, makes a
brief and a digest. Every other test runs on the editable install, which reads templates/ and the
starter from the source tree and so cannot notice package data missing from the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import PROJECT

# What a fresh clone holds: no virtualenv, build output, caches or generated files.
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "out", "*.egg-info", "__pycache__", ".pytest_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding only the wheel built from a copy of the source tree.
    The dependencies come from this test run's environment through a .pth line (no network): a
    path line adds the folder alone, not its .pth files, so the editable install there is not
    loaded and cannot stand in for the wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(PROJECT, source, symlinks=True, ignore=NOT_SOURCE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(root / "dist"), str(source)], check=True)
    (wheel,) = (root / "dist").glob("briefing-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("templates/brief.html.j2", "templates/digest.html.j2", "templates/brief.css",
                    "starter/topics.toml", "starter/briefing.toml", "data/stopwords.txt"):
        assert f"briefing/{shipped}" in names, shipped
    modules = {p.relative_to(PROJECT).as_posix() for p in (PROJECT / "briefing").rglob("*.py") if "starter" not in p.parts}
    assert modules <= set(names)  # every module of the source tree, packages found by pyproject's find
    return venv / "bin"


def briefing(bin_folder: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["PATH"] = f"{bin_folder}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([bin_folder / "briefing", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_installed_wheel_lays_out_a_project_and_makes_a_brief_and_a_digest(installed, tmp_path):
    where = subprocess.run([installed / "python", "-c", "import briefing; print(briefing.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed.parent)), where  # the wheel's copy, not the source tree's

    laid = briefing(installed, "init", "team", cwd=tmp_path)
    assert laid.returncode == 0, laid.stderr
    project = tmp_path / "team"

    made = briefing(installed, "make", "--topic", "sanctions", cwd=project)
    assert made.returncode == 0, made.stderr
    text = pdf_text(project / "out" / "sanctions.pdf")
    assert "Sanctions — Kazakhstan" in text and "POLITICO" in text

    digest = briefing(installed, "digest", "--week", "2025-W16", cwd=project)
    assert digest.returncode == 0, digest.stderr
    folder = project / "out" / "digests" / "2025-W16"
    assert "Trade" in pdf_text(folder / "2025-04-14_2025-04-20-trade.pdf")
    assert "Digest — Kazakhstan, Week 16 of 2025" in " ".join(pdf_text(folder / "2025-04-14_2025-04-20-index.pdf").split())
