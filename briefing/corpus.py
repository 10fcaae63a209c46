"""The corpus folder: which files are its articles, and bringing new ones in as Markdown.

A corpus file keeps the article text exactly as the source gave it (briefs quote it
verbatim); cleaning happens when the index is built, so better cleaning rules never
need the corpus to be re-imported.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import ingest
from .errors import FileError, NoCorpusError
from .ingest import loaders
from .models import Document, Skipped, Source
from .files import shareable, slug, sweep, temporary_prefix


@dataclass(frozen=True)
class CorpusFile:
    id: str
    path: Path
    relative: str


def scan(corpus: Path) -> tuple[list[CorpusFile], list[Skipped]]:
    """The article files of a corpus folder, in a fixed order; ids are paths without the suffix."""
    if not corpus.is_dir():
        raise NoCorpusError(f"corpus folder {corpus} does not exist (use --corpus DIR)")
    files: list[CorpusFile] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus).as_posix()
        if any(part.startswith(".") for part in path.relative_to(corpus).parts):
            continue
        if path.is_dir() or path.suffix.lower() == ".toml":
            continue
        if path.suffix.lower() not in ingest.SUFFIXES:
            skipped.append(Skipped(str(path), f"unsupported file type (use {', '.join(ingest.SUFFIXES)})"))
            continue
        doc_id = relative[: -len(path.suffix)]
        if doc_id in seen:
            skipped.append(Skipped(str(path), f"same id {doc_id!r} as {seen[doc_id]}"))
            continue
        seen[doc_id] = relative
        files.append(CorpusFile(doc_id, path, relative))
    return files, skipped


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
    holdings = Holdings(corpus, limit)
    added: list[Added] = []
    skipped: list[Skipped] = []
    for path in paths:
        try:
            loaded = loaders.parse(loaders.read(path, limit))
            added.append(holdings.put(_override(loaded.source, overrides), loaded.body, str(path), path.stem))
        except FileError as exc:
            skipped.append(Skipped(exc.path, exc.reason))
    return AddReport(tuple(added), tuple(skipped))


class Holdings:
    """The articles a corpus holds, by text and by URL, so that every way in (files, feeds)
    adds an article once, and a feed entry whose link is held is known before its page is fetched."""

    def __init__(self, corpus: Path, limit: int = loaders.MAX_FILE_BYTES) -> None:
        if not corpus.is_dir():
            raise NoCorpusError(f"corpus folder {corpus} does not exist (create it, or use --corpus DIR)")
        sweep(corpus)  # what a killed `corpus add` or `fetch` left half-written
        self.corpus = corpus
        self._bodies, self._urls = _existing(corpus, limit)

    def by_url(self, url: str | None) -> str | None:
        """The corpus file that has this URL, if any."""
        return self._urls.get(url) if url else None

    def by_text(self, body: str) -> str | None:
        """The corpus file that has this article text, if any."""
        return self._bodies.get(_normalise(body))

    def put(self, source: Source, body: str, origin: str, fallback: str) -> Added:
        """Write one article as a corpus file; FileError naming ``origin`` when it is held or has no text."""
        body = _normalise(body)
        if body in self._bodies:
            raise FileError(origin, f"already in the corpus as {self._bodies[body]}")
        if source.url and source.url in self._urls:
            raise FileError(origin, f"its URL is already in the corpus as {self._urls[source.url]}")
        trial = Document("new", origin, source, body, "")
        if not ingest.extract(trial).has_text:
            raise FileError(origin, "no article text left after removing page chrome")
        target = _write(self.corpus, source, body, fallback)
        self._bodies[body] = target.name
        if source.url:
            self._urls[source.url] = target.name
        return Added(origin, target)


def _existing(corpus: Path, limit: int) -> tuple[dict[str, str], dict[str, str]]:
    """Bodies and URLs already in the corpus, to refuse copies."""
    bodies: dict[str, str] = {}
    urls: dict[str, str] = {}
    for file in scan(corpus)[0]:
        try:
            loaded = loaders.parse(loaders.read(file.path, limit, corpus))
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
    """Write the whole file under a temporary name, then link it to the first free name:
    a link never replaces an existing file, so nothing in the corpus is overwritten."""
    stem = file_name(source, fallback)
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=temporary_prefix(corpus / f"{stem}.md"), suffix=".tmp", dir=corpus)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(loaders.front_matter(source) + "\n" + body)
        shareable(temp)
        for number in itertools.count(1):
            target = corpus / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
            try:
                os.link(temp, target)
                return target
            except FileExistsError:
                continue
    except OSError as exc:
        raise FileError(corpus / f"{stem}.md", f"cannot write ({exc.strerror or exc})") from exc
    finally:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
