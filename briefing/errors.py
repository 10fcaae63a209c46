"""The project's exceptions.

Library code raises these with a message a user can act on; only ``cli.py``
turns them into ``Error: ...`` and an exit code::

    BriefingError             exit 1  something failed
    ├── UsageError            exit 2  an option, argument or config value is wrong
    ├── CorpusError           exit 1  the corpus folder cannot be used, or a document is unknown
    │   ├── FileError         exit 1  one file cannot be used (batch commands skip it and go on)
    │   └── NoCorpusError     exit 2  the corpus folder given (--corpus, corpus.dir) does not exist
    ├── BusyError             exit 1  another briefing process held a lock for longer than we wait
    │   └── DigestBusyError   exit 75 another digest runs: this one was skipped (EX_TEMPFAIL, try later)
    └── IndexDatabaseError    exit 1  the index database cannot be opened or written
        └── NotAnIndexError   exit 2  --index names something that is not an index of ours (left untouched)

A run that finished but skipped some inputs exits with ``EXIT_PARTIAL``.
"""

from __future__ import annotations

EXIT_PARTIAL = 3
EXIT_BUSY = 75


class BriefingError(Exception):
    """Base of every error the CLI reports as one line."""

    exit_code = 1


class UsageError(BriefingError):
    exit_code = 2


class CorpusError(BriefingError):
    exit_code = 1


class FileError(CorpusError):
    """One file that cannot be used, and why; commands that take many files skip it and go on."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class NoCorpusError(CorpusError):
    """A usage error: the folder named as the corpus is not there."""

    exit_code = 2


class BusyError(BriefingError):
    exit_code = 1


class DigestBusyError(BusyError):
    """Another digest holds the digests folder: this run was skipped, nothing was made or sent."""

    exit_code = EXIT_BUSY


class IndexDatabaseError(BriefingError):
    exit_code = 1


class NotAnIndexError(IndexDatabaseError):
    exit_code = 2
