"""Bringing files into the corpus folder as Markdown with front matter.

A corpus file keeps the article text exactly as the source gave it (briefs quote it
verbatim); cleaning happens when the index is built, so better cleaning rules never
need the corpus to be re-imported.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import ingest
from .errors import CorpusError, FileError
from .ingest import loaders
from .index import scan
from .models import Document, Skipped, Source
from .nlp import slug


@dataclass(frozen=True)
class Added:
    origin: str
    path: Path


@dataclass(frozen=True)
class AddReport:
    added: tuple[Added, ...]
    skipped: tuple[Skipped, ...]


def add(
    paths: list[Path], corpus: Path, overrides: Source = Source(), limit: int = loaders.MAX_FILE_BYTES
) -> AddReport:
    """Copy each file into ``corpus`` as Markdown; ``overrides`` replace what the file's own metadata says.

    A file whose article text or URL is already in the corpus is skipped, never copied twice.
    """
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder {corpus} does not exist (create it, or use --corpus DIR)")
    bodies, urls = _existing(corpus, limit)
    added: list[Added] = []
    skipped: list[Skipped] = []
    for path in paths:
        try:
            loaded = loaders.parse(loaders.read(path, limit))
            source = _override(loaded.source, overrides)
            body = _normalise(loaded.body)
            if body in bodies:
                raise FileError(path, f"already in the corpus as {bodies[body]}")
            if source.url and source.url in urls:
                raise FileError(path, f"its URL is already in the corpus as {urls[source.url]}")
            trial = Document("new", path.name, source, body, "")
            if not ingest.extract(trial).sentences:
                raise FileError(path, "no article text left after removing page chrome")
            target = _write(corpus, source, body, path.stem)
        except FileError as exc:
            skipped.append(Skipped(exc.path, exc.reason))
            continue
        bodies[body] = target.name
        if source.url:
            urls[source.url] = target.name
        added.append(Added(str(path), target))
    return AddReport(tuple(added), tuple(skipped))


def _existing(corpus: Path, limit: int) -> tuple[dict[str, str], dict[str, str]]:
    """Bodies and URLs already in the corpus, to refuse copies."""
    bodies: dict[str, str] = {}
    urls: dict[str, str] = {}
    for file in scan(corpus)[0]:
        try:
            loaded = loaders.parse(loaders.read(file.path, limit))
        except FileError:
            continue
        bodies[_normalise(loaded.body)] = file.relative
        if loaded.source.url:
            urls[loaded.source.url] = file.relative
    return bodies, urls


def _override(source: Source, overrides: Source) -> Source:
    given = {f.name: getattr(overrides, f.name) for f in fields(overrides) if getattr(overrides, f.name) is not None}
    return replace(source, **given)


def _normalise(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"


def file_name(source: Source, fallback: str) -> str:
    """``<date>-<title or outlet>``: readable, sorts by date, and makes a stable document id."""
    words = slug(source.title or source.outlet or fallback) or "article"
    return f"{source.date or 'undated'}-{words}"


def _write(corpus: Path, source: Source, body: str, fallback: str) -> Path:
    stem = file_name(source, fallback)
    target = corpus / f"{stem}.md"
    number = 2
    while target.exists():
        target = corpus / f"{stem}-{number}.md"
        number += 1
    fd, temp = tempfile.mkstemp(prefix=".adding.", suffix=".md", dir=corpus)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(loaders.front_matter(source) + "\n" + body)
        os.replace(temp, target)
    except OSError as exc:
        raise FileError(target, f"cannot write ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target
