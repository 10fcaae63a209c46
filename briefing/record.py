"""The ``--since-last`` record: which articles earlier ``--since-last`` digests covered.

It is the one thing next to the index that is not a cache of the corpus, so it is not kept in
the index, which is rebuilt whenever it is unreadable or of an older version: it is a small
JSON file beside it (``out/index.sqlite.digested.json``), written whole (a temporary file
renamed into place) and changed only by a digest that holds its lock from reading it to
writing it, so two digests never cover the same articles, and none is ever forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefingError, FileError
from .files import locked, read_limited, write_atomically

_MAX_BYTES = 64 * 1024 * 1024  # a million articles' ids fit
_ABOUT = "Articles covered by `briefing digest --since-last`, by digest; the next one starts after them."


@dataclass(frozen=True)
class Record:
    """What the --since-last digests covered, as the file says it."""

    digested: Mapping[str, str] = field(default_factory=dict)  # document id -> the digest that covered it
    last: str | None = None  # the digest recorded last: the one a new digest follows


def path(index: Path) -> Path:
    return index.with_name(index.name + ".digested.json")


@contextmanager
def held(index: Path, wait: float, waiting: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold the record of ``index`` for a whole ``--since-last`` run, from reading it to writing it."""
    with locked(index.with_name(f".{index.name}.digested.lock"), wait, f"the --since-last record {path(index)}", waiting):
        yield


def load(index: Path) -> Record:
    """The record beside ``index`` (empty when there is none yet); one that cannot be read is named, not guessed."""
    where = path(index)
    if not where.exists() and not where.is_symlink():
        return Record()
    try:
        data = json.loads(read_limited(where, _MAX_BYTES))
        digested, last = data["digested"], data["last"]
        if not isinstance(digested, dict) or not all(isinstance(v, str) for v in [*digested, *digested.values()]):
            raise ValueError("digested must map article ids to digest names")
        if last is not None and not isinstance(last, str):
            raise ValueError("last must be a digest name")
    except (FileError, ValueError, KeyError, TypeError) as exc:
        raise BriefingError(
            f"{where} is not a --since-last record ({exc}): move it away, and the next --since-last digest "
            "reads the record back from the handed-off digests"
        ) from exc
    return Record(digested, last)


def add(index: Path, covered: list[tuple[str, list[str]]]) -> None:
    """Add what digests covered, in the order they were made (``(digest name, document ids)``), to the
    record beside ``index``; an article covered again moves to the later digest."""
    before = load(index)
    digested = dict(before.digested)
    last = before.last
    for name, documents in covered:
        digested.update((document, name) for document in documents)
        last = name
    data = {"about": _ABOUT, "last": last, "digested": dict(sorted(digested.items()))}
    try:
        write_atomically(path(index), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise BriefingError(f"cannot write the --since-last record {path(index)}: {exc.strerror or exc}") from exc
