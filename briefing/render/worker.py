"""One-page PDFs laid out on the other core.

Importing WeasyPrint costs ~0.7 s, as much as refreshing the index and choosing a brief on a
large corpus, and laying a brief out costs as much again. A worker process, forked before the
index is opened, imports WeasyPrint while the parent chooses the first brief, then lays out each
brief while the parent chooses the next. The worker only ever saves time: where no process can
be forked, where the worker died, and where laying a brief out failed there, the brief is laid
out in this process, so a failure is raised here as it is without a worker, traceback and all.
Start it before taking any lock: a forked worker would hold a lock the parent holds. That is why a
digest, which holds the digests lock throughout, lays its briefs out on ``digest.pdfs``' fresh
interpreters instead (ready ~0.25 s later than a fork, which ``make`` cannot spare).
"""

from __future__ import annotations

import multiprocessing
import sys
from contextlib import suppress
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:  # the parent imports the renderer only if it lays a brief out itself
    from ..models import Selection
    from .pdf import Rendered


class Pending:
    """A brief being laid out; ``result()`` waits for it (or lays it out here if the worker failed)."""

    def __init__(self, renderer: Renderer, arguments: tuple, options: dict) -> None:
        self._arguments, self._options = arguments, options
        self._renderer = renderer if renderer._send(arguments, options) else None
        self._rendered: Rendered | None = None

    def collect(self) -> None:
        """Take the worker's answer off the pipe (the worker sends nothing more until it is taken)."""
        if self._renderer is not None:
            self._rendered = self._renderer._receive()
            self._renderer = None

    def result(self) -> Rendered:
        self.collect()
        if self._rendered is not None:
            return self._rendered
        from .pdf import one_page

        return one_page(*self._arguments, **self._options)


class Renderer:
    """``submit(...)`` takes ``one_page``'s arguments and returns a ``Pending``. One brief at a time
    is in the worker's hands: submitting the next first collects the one before (both ends of one
    pipe must never be sending at once). Close it (or use it as a context manager) to end the worker."""

    def __init__(self, parallel: bool = True) -> None:
        self._process = None
        self._connection: Connection | None = None
        self._pending: Pending | None = None
        if parallel and sys.platform == "linux":
            parent, child = multiprocessing.Pipe()
            process = multiprocessing.get_context("fork").Process(target=_serve, args=(child, parent), daemon=True)
            try:
                process.start()
            except OSError:  # no process to be had (limits, memory): lay out here
                parent.close()
            else:
                self._process, self._connection = process, parent
            child.close()

    @property
    def worker(self) -> int | None:
        """The worker's process id, while there is one."""
        return self._process.pid if self._process is not None else None

    def submit(self, selection: Selection, *arguments, **options) -> Pending:
        """Lay out ``one_page(selection, *arguments, **options)``. The worker is sent only the picks
        a page shows: what was turned down (thousands of candidates on a large corpus, 0.1 s to
        pickle) is left here."""
        if self._pending is not None:
            self._pending.collect()
        self._pending = Pending(self, (replace(selection, rejected=()), *arguments), options)
        return self._pending

    def _send(self, arguments: tuple, options: dict) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.send((arguments, options))
        except (OSError, ValueError):
            self.close()
            return False
        return True

    def _receive(self) -> Rendered | None:
        """The worker's layout; None when it failed there or the worker is gone."""
        try:
            return self._connection.recv() if self._connection is not None else None
        except (OSError, EOFError):
            self.close()
            return None

    def close(self) -> None:
        """End the worker at once, even mid-import: nothing it holds needs keeping."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _serve(connection: Connection, parents_end: Connection) -> None:
    """The worker: import WeasyPrint now, then lay out what is sent until the parent hangs up.
    Whatever fails here is answered None, to be done again (and raised) in the parent."""
    from .pdf import _weasyprint, one_page

    parents_end.close()
    with suppress(Exception):  # the parent meets it again, and reports it
        _weasyprint()
    while True:
        try:
            arguments, options = connection.recv()
        except (EOFError, OSError):
            return
        try:
            rendered = one_page(*arguments, **options)
        except Exception:  # noqa: BLE001 - the parent meets it again, and reports it
            rendered = None
        connection.send(rendered)
