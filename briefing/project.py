"""`briefing init`: a working project folder, laid out from the starter shipped in the package.

The starter is this repository's own topics.toml, briefing.toml (every setting, with its
default) and sample corpus, so a new folder makes a real brief at once and shows by example
what an article file looks like; the user then replaces the articles and topics with theirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .errors import BriefingError, UsageError
from .files import write_atomically


@dataclass(frozen=True)
class Laid:
    """Where ``init`` laid out a project, and how many sample articles its corpus holds."""

    folder: Path
    articles: int


def starter() -> dict[str, bytes]:
    """The starter project's files by relative path, read from the package."""
    root = files("briefing") / "starter"
    found = {name: (root / name).read_bytes() for name in ("topics.toml", "briefing.toml")}
    for article in sorted((root / "corpus").iterdir(), key=lambda p: p.name):
        if article.name.endswith(".md"):
            found[f"corpus/{article.name}"] = article.read_bytes()
    return found


def init_project(folder: Path) -> Laid:
    """Lay out ``folder`` (made if need be): corpus/, topics.toml, briefing.toml and out/.
    Nothing is overwritten: if any of the starter's files, or a corpus/ with files in it, is
    already there, nothing is written at all."""
    laid = starter()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"cannot lay out a project in {folder}: it is not a folder")
    corpus, out = folder / "corpus", folder / "out"
    taken = [folder / name for name in laid if os.path.lexists(folder / name)]
    taken += [f for f in (corpus, out) if os.path.lexists(f) and not f.is_dir()]
    if corpus.is_dir() and any(corpus.iterdir()):
        taken.append(corpus)
    if taken:
        raise UsageError(f"{taken[0]} already exists: `briefing init` never overwrites; choose an empty folder")
    try:
        for name, data in laid.items():
            write_atomically(folder / name, data)
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise BriefingError(f"cannot lay out a project in {folder}: {exc.strerror or exc}") from exc
    articles = sum(name.startswith("corpus/") for name in laid)
    return Laid(folder, articles)
