"""The corpus folder: which files are its articles, and bringing new ones in as Markdown.

A corpus file keeps the article text exactly as the source gave it (briefs quote it
verbatim); cleaning happens when the index is built, so better cleaning rules never
need the corpus to be re-imported.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import ingest
from .errors import CorpusError, FileError, NoCorpusError
from .files import shareable, slug, sweep, temporary_prefix
from .ingest import loaders
from .models import Document, Skipped, Source

RACY_NS = 2_000_000_000  # a folder or file changed this recently may change again within its clock tick: not trusted


@dataclass(frozen=True)
class CorpusFile:
    id: str
    path: Path
    relative: str
    signature: str = ""  # what its stat says (size, times, inode; its sidecars' too): equal means unchanged


@dataclass(frozen=True)
class Known:
    """What the index remembers of the corpus: each folder's signature, and the signature of each
    file it holds (articles and refused files alike). A folder whose signature is unchanged has the
    same entries, so it is not listed again."""

    folders: dict[str, str]
    files: dict[str, str]


@dataclass(frozen=True)
class Scan:
    files: tuple[CorpusFile, ...]
    skipped: tuple[Skipped, ...]
    folders: tuple[tuple[str, str], ...]  # every folder (relative, "" the corpus itself) and its signature


def signature(info: os.stat_result, now: int) -> str:
    """A file's or folder's state as its stat tells it; "" (never equal) when it is too recent to trust."""
    if now - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def scan(corpus: Path, known: Known | None = None) -> Scan:
    """The article files of a corpus folder, in a fixed order; ids are paths without the suffix.

    With ``known``, a folder whose signature is unchanged is not listed: its entries are taken from
    ``known``. Without it, every folder is listed and every file's stat taken."""
    if not corpus.is_dir():
        raise NoCorpusError(f"corpus folder {corpus} does not exist (use --corpus DIR)")
    now = time.time_ns()
    entries: dict[str, str] = {}  # relative path of every candidate file -> signature
    folders: list[tuple[str, str]] = []
    remembered = _by_folder(known) if known else None
    pending = [""]
    while pending:
        folder = pending.pop()
        here = corpus / folder if folder else corpus
        try:
            mark = signature(os.stat(here), now)
        except OSError as exc:
            raise CorpusError(f"cannot read the corpus folder {here}: {exc.strerror or exc}") from exc
        folders.append((folder, mark))
        if remembered is not None and mark and known.folders.get(folder) == mark:
            files, subfolders = remembered.get(folder, ({}, []))
            entries.update(files)
            pending.extend(subfolders)
            continue
        entries.update(_listed(here, folder, now, pending))
    files: list[CorpusFile] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for relative in sorted(entries, key=lambda r: r.split("/")):
        path = corpus / relative
        suffix = path.suffix
        if suffix.lower() not in ingest.SUFFIXES:
            skipped.append(Skipped(str(path), f"unsupported file type (use {', '.join(ingest.SUFFIXES)})"))
            continue
        doc_id = relative[: -len(suffix)]
        if doc_id in seen:
            skipped.append(Skipped(str(path), f"same id {doc_id!r} as {seen[doc_id]}"))
            continue
        seen[doc_id] = relative
        files.append(CorpusFile(doc_id, path, relative, entries[relative]))
    return Scan(tuple(files), tuple(skipped), tuple(sorted(folders)))


def _listed(here: Path, folder: str, now: int, pending: list[str]) -> dict[str, str]:
    """The candidate files of one folder with their signatures; its subfolders go on ``pending``.
    A plain-text file's signature takes in its sidecars', as they hold its metadata."""
    prefix = f"{folder}/" if folder else ""
    stats: dict[str, str] = {}
    names: list[str] = []
    with os.scandir(here) as listing:
        for entry in listing:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(prefix + entry.name)
                continue
            try:
                if entry.is_dir():  # a link to a folder: not followed
                    continue
                stats[entry.name] = signature(entry.stat(), now)
            except OSError:
                stats[entry.name] = ""  # reading it says why
            if not entry.name.lower().endswith(".toml"):
                names.append(entry.name)
    found = {}
    for name in names:
        mark = stats[name]
        if mark and name.lower().endswith(".txt"):
            sidecars = (stats.get(name[:-4] + ".toml"), stats.get("sources.toml"))
            mark = "" if "" in sidecars else "|".join([mark, *(s or "-" for s in sidecars)])
        found[prefix + name] = mark
    return found


def _by_folder(known: Known) -> dict[str, tuple[dict[str, str], list[str]]]:
    """The known files and subfolders of each known folder."""
    grouped: dict[str, tuple[dict[str, str], list[str]]] = {}
    for relative, mark in known.files.items():
        folder = relative.rpartition("/")[0]
        grouped.setdefault(folder, ({}, []))[0][relative] = mark
    for folder in known.folders:
        if folder:
            grouped.setdefault(folder.rpartition("/")[0], ({}, []))[1].append(folder)
    return grouped


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
    for file in scan(corpus).files:
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
