"""A digest's PDFs, laid out on other processes while this one selects and ranks the next topic.

Laying a brief out costs several times what choosing its points does, and WeasyPrint holds the
interpreter while it works, so the briefs go to worker processes, one per core, each writing its
PDF into the staging folder itself. A worker is a fresh ``python`` reading calls on its standard
input: it inherits no lock, thread or open index of this process, needs no ``__main__`` guard in a
caller's script, and ends when this process closes its input, however this process ends.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

import briefing

from ..errors import BriefingError
from ..files import write_atomically
from ..models import Digest, Selection

_ROOT = str(Path(briefing.__file__).resolve().parents[1])  # the worker imports this very briefing
_STARTED_AS = (sys.executable, "-c", f"import sys; sys.path.insert(0, {_ROOT!r}); from briefing.digest.pdfs import serve; serve()")


def brief_pdf(selection: Selection, issued, subject: str | None, edition: str, target: Path) -> tuple[int, int, str]:
    """Lay the brief out on one page and write it to ``target``: its points, its sources and the PDF's sha256."""
    from ..render.pdf import one_page

    rendered = one_page(selection, issued, subject, edition=edition)
    write_atomically(target, rendered.pdf)
    return len(rendered.brief.points), len(rendered.brief.notes), hashlib.sha256(rendered.pdf).hexdigest()


def index_pdf(digest: Digest, target: Path) -> str:
    """Write the digest's index page to ``target``; its sha256."""
    from ..render.pdf import digest_page

    pdf = digest_page(digest)
    write_atomically(target, pdf)
    return hashlib.sha256(pdf).hexdigest()


class Workers:
    """Up to ``count`` worker processes, each driven by a thread of this process that hands it one call
    at a time; a process is started when its thread gets its first call. Leaving the block waits for
    every call; leaving it on an error (or a stop) ends the workers at once."""

    def __init__(self, count: int) -> None:
        self._count = max(1, count)
        self._threads = ThreadPoolExecutor(self._count, thread_name_prefix="pdf-worker")
        self._mine = threading.local()
        self._processes: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._ending = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:
            with self._lock:
                self._ending = True
            self._threads.shutdown(wait=False, cancel_futures=True)
            for process in self._processes_now():
                process.kill()
        self._threads.shutdown(wait=True)
        for process in self._processes_now():
            process.stdin.close()
            process.wait()
            process.stdout.close()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        return self._threads.submit(self._call, function, args)

    def start(self) -> None:
        """Start every worker now, so that each one's start (Python, briefing and WeasyPrint imported:
        0.5 s) overlaps choosing the first briefs' points rather than following it."""
        for _ in range(self._count):
            self.submit(os.getpid)

    def _processes_now(self) -> list[subprocess.Popen]:
        with self._lock:
            return list(self._processes)

    def _call(self, function: Callable[..., Any], args: tuple) -> Any:
        process = getattr(self._mine, "process", None)
        if process is None:
            with self._lock:
                if self._ending:
                    raise BriefingError("the digest was stopped")
                process = subprocess.Popen(_STARTED_AS, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                self._processes.append(process)
            self._mine.process = process
        try:
            pickle.dump((function, args), process.stdin)
            process.stdin.flush()
            ok, value = pickle.load(process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            if process.poll() is None:  # it closed its output but lives on: it is of no use any more
                process.kill()
            raise BriefingError(f"a PDF worker process ended unexpectedly (exit status {process.wait()})") from None
        if not ok:
            raise value
        return value


def serve() -> None:
    """A worker's loop: read a call, answer with its value or its exception, until the input ends.
    Anything printed goes to standard error, never into the answers; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    calls = sys.stdin.buffer
    try:
        import weasyprint  # noqa: F401  (0.7 s, spent while the parent chooses the first brief's points)
    except OSError:
        pass  # without Pango: the first call's RenderError says what to install

    while True:
        try:
            function, args = pickle.load(calls)
        except EOFError:
            return
        try:
            answer = (True, function(*args))
        except Exception as exc:  # noqa: BLE001  (every failure goes back to the parent, which raises it)
            answer = (False, _portable(exc))
        pickle.dump(answer, answers)
        answers.flush()


def _portable(exc: Exception) -> Exception:
    """``exc`` as the parent can unpickle it. One of ours keeps its one-line message and exit status;
    any other (a bug) carries the worker's traceback, which the parent's would not show."""
    if not isinstance(exc, BriefingError):
        exc.add_note("In a PDF worker process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001  (an exception whose constructor takes other arguments than its args)
        if isinstance(exc, BriefingError):
            copy = BriefingError(str(exc))
            copy.exit_code = exc.exit_code
            return copy
        failure = RuntimeError(f"{type(exc).__name__}: {exc}")
        failure.add_note(exc.__notes__[-1])
        return failure
