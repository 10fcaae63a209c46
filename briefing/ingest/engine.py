"""Where corpus files are read, parsed, cleaned and split: in this process, on a pool of local
processes, or on a Dask cluster.

Workers only read files and compute; the parent alone writes the index, in file order, so the
serial, pooled and distributed builds of a corpus are the same index row for row. A task names
its file by path, so a cluster's workers must see the corpus at the same path as the parent.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileError, UsageError
from ..models import Skipped
from ..nlp import preload, stems
from . import document, extract, read

POOLED_FROM = 64  # files to process: below this, starting worker processes costs more than it saves
CHUNK = 16  # files a local worker takes at a time
BATCH = 2000  # files in flight on a cluster at once: bounds the parent's memory
_SOURCE_COLUMNS = ("outlet", "title", "author", "date", "url", "kind", "place", "note")


@dataclass(frozen=True)
class Task:
    """One file to look at; ``known`` is the digest the index holds for it (same id), ``refused``
    what the index remembers of refusing it: (digest, reason, signature)."""

    path: str
    id: str
    relative: str
    corpus: str
    limit: int
    known: str | None = None
    refused: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a file: unchanged after all (same digest), skipped, or rows for the index."""

    digest: str = ""
    unchanged: bool = False
    skipped: Skipped | None = None
    remember: bool = False  # skipped for its text: not processed again until it changes
    document: tuple = ()  # id, path, content_hash and the source columns
    sentences: tuple[tuple, ...] = ()  # the sentences table's columns, stems last


def process(task: Task) -> Outcome:
    """Read, parse, clean and split one file (in whichever process runs it)."""
    path = Path(task.path)
    raw = None
    try:
        raw = read(path, task.limit, Path(task.corpus))
        if task.known == raw.digest:
            return Outcome(raw.digest, unchanged=True)
        if task.refused is not None and task.refused[0] == raw.digest:  # refused before, unchanged since
            raise FileError(path, task.refused[1])
        parsed = document(raw, task.id, task.relative)
        extracted = extract(parsed)
        if not extracted.has_text:
            raise FileError(path, "no article text left after removing page chrome")
    except FileError as exc:
        digest = raw.digest if raw is not None else ""
        return Outcome(digest, skipped=Skipped(exc.path, exc.reason), remember=raw is not None and exc.path == str(path))
    source = extracted.source
    columns = tuple(None if getattr(source, c) is None else str(getattr(source, c)) for c in _SOURCE_COLUMNS)
    rows = tuple(
        (
            *(s.document_id, s.paragraph, s.position, s.text, s.speaker, s.is_question, s.in_quote, s.heading),
            "" if s.heading else " ".join(stems(s.text)),  # headings are never matched or quoted
        )
        for s in extracted.sentences
    )
    return Outcome(raw.digest, document=(parsed.id, parsed.path, parsed.content_hash, *columns), sentences=rows)


class Engine:
    """Runs ``process`` over tasks and yields the outcomes in the tasks' order."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, timeout: float = 30.0) -> None:
        if workers is not None and workers < 1:
            raise UsageError(f"--workers must be 1 or more, not {workers}")
        self.workers = workers if workers is not None else cores()
        self.scheduler = scheduler
        self.timeout = timeout  # seconds to wait for the scheduler to answer

    def map(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        if self.scheduler is not None:
            return _distributed(tasks, self.scheduler, self.timeout)
        if self.workers == 1 or len(tasks) < POOLED_FROM:
            return map(process, tasks)
        return _pooled(tasks, self.workers)


def cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity mask)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pooled(tasks: Sequence[Task], workers: int) -> Iterator[Outcome]:
    """On local processes, forked: they start at once with what is already imported, and a caller's
    script needs no ``__main__`` guard (started afresh, each would run it again). A forked child has
    the parent's open index but never touches it, as SQLite asks, and leaves without closing it.
    What every worker needs is loaded first, once: a build of 1,000 articles took 2 s less CPU."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    preload()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        yield from pool.map(process, tasks, chunksize=CHUNK)


def _distributed(tasks: Sequence[Task], scheduler: str, timeout: float) -> Iterator[Outcome]:
    """On the Dask cluster at ``scheduler``, a batch at a time."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask distributed: pip install 'briefing[cluster]'") from exc
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        for batch in _batches(tasks, BATCH):
            yield from client.gather(client.map(process, batch, pure=False))


def _batches(tasks: Sequence[Task], size: int) -> Iterable[Sequence[Task]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]
