"""Files the tool reads and writes: read within bounds, names made safe, contents swapped in whole.

A corpus is untrusted: a file named like an article may be a link to /dev/zero, a named pipe
that never ends, or a link to a file outside the folder, so every file is read only when it is
a regular file, inside its folder when one is given, and never past a size cap.

Corpus file names come from headlines and topic names from users: neither may climb out
of its folder ("../../etc/passwd") or carry characters a file system refuses. A file is
written beside its target and renamed, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BusyError, FileError

MAX_FILE_BYTES = 5 * 1024 * 1024  # a corpus file, a digest's record: anything longer is refused unread
MAX_SETTINGS_BYTES = 1024 * 1024  # briefing.toml, topics.toml: settings, never this long
LOCK_WAIT = 60.0  # seconds a command waits for another briefing process to finish writing
# What a run of ours writes before renaming it into place: hidden, named with its process id.
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}\.(?:tmp|old)(?:-journal)?$")
_KINDS = (  # what a path is when it is not a regular file, for the reason a file is refused
    (stat.S_ISDIR, "a folder, not a file"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "a character device, not a regular file"),
    (stat.S_ISBLK, "a block device, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
)


def read_limited(path: Path, limit: int, within: Path | None = None) -> bytes:
    """The bytes of a regular file, refused past ``limit`` bytes; with ``within``, refused when the
    file (after its links) is outside that folder. Every failure is a FileError naming ``path``.

    Nothing but a regular file is ever opened (a FIFO would block, a device never end), the file
    opened is checked again, as it may have been swapped since, and at most ``limit`` + 1 bytes are
    read, so a file that grows while read cannot flood memory.
    """
    try:
        real = path
        if within is not None:
            real = Path(os.path.realpath(path))
            if not real.is_relative_to(os.path.realpath(within)):
                raise FileError(path, f"a link to {real}, outside {within}")
        _regular(path, os.stat(real), limit)
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | (os.O_NOFOLLOW if within is not None else 0)
        with open(os.open(real, flags), "rb") as file:
            _regular(path, os.fstat(file.fileno()), limit)
            data = file.read(limit + 1)
    except OSError as exc:
        raise FileError(path, f"cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise FileError(path, f"more than {limit:,} bytes, over the limit")
    return data


def _regular(path: Path, info: os.stat_result, limit: int) -> None:
    if what := not_regular(info):
        raise FileError(path, what)
    if info.st_size > limit:
        raise FileError(path, f"{info.st_size:,} bytes, over the {limit:,}-byte limit")


def not_regular(info: os.stat_result) -> str | None:
    """What a path is when it is not a regular file, or None."""
    if stat.S_ISREG(info.st_mode):
        return None
    return next((what for test, what in _KINDS if test(info.st_mode)), "not a regular file")


def slug(text: str, limit: int = 50) -> str:
    """Lower-case ASCII words joined by hyphens: safe as a file name, whatever the text."""
    ascii_text = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text)).encode("ascii", "ignore").decode()
    tokens = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in tokens:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out


def write_atomically(target: Path, data: bytes | str) -> None:
    """Write next to ``target`` and rename: a failed run never leaves a half-written file,
    and the previous one survives until the new one is complete. Only a regular file is replaced:
    renaming over ``/dev/null`` or a folder would destroy it."""
    try:
        what = not_regular(os.stat(target))
    except OSError:
        what = None  # nothing there yet, or a dangling link: the rename says what is wrong
    if what:
        raise FileError(target, f"{what}: not replaced")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        shareable(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def shareable(path: str | Path) -> None:
    """Give a temporary file the mode a new file would have: mkstemp makes files private, but
    briefs and corpus files are for people to read."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


@contextmanager
def new_folder(target: Path) -> Iterator[Path]:
    """A hidden folder beside ``target`` to fill, renamed into place when the block ends normally
    and removed however else it ends. Named before it is made, so no signal can orphan it."""
    temp = target.with_name(f"{temporary_prefix(target)}{secrets.token_hex(4)}.tmp")
    try:
        temp.mkdir()
        yield temp
        _replace_folder(temp, target)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)


def _replace_folder(temp: Path, target: Path) -> None:
    """Rename a complete folder into place; an older one is moved aside first and deleted last, so
    a reader sees the old folder or the new one, never a mix, and the old survives any failure."""
    if not target.exists():
        os.rename(temp, target)
    else:
        old = target.with_name(f"{temporary_prefix(target)}{secrets.token_hex(4)}.old")
        os.rename(target, old)
        try:
            os.rename(temp, target)
        except OSError:
            os.rename(old, target)
            raise
        # The new folder is in place: a leftover hidden folder is no reason to report failure.
        shutil.rmtree(old, ignore_errors=True)
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_prefix(target: Path) -> str:
    """How a temporary file or folder for ``target`` begins: hidden, and with the id of the process
    writing it, so that what a killed run leaves behind is known as such (``sweep``)."""
    return f".{target.name}.{os.getpid()}."


def sweep(folder: Path) -> None:
    """Remove what killed runs of ours left in ``folder``: hidden temporary files and folders whose
    name carries the id of a process that no longer runs. Nothing else is touched, and what
    cannot be removed stays."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or _running(int(match["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextmanager
def locked(lock: Path, wait: float, what: str, waiting: Callable[[str], None] = lambda message: None) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` for the block, waiting up to ``wait`` seconds for
    another process that holds it (``waiting`` is told once); past that, BusyError names ``what``.

    The lock file is made when missing and never deleted (deleting one races with the next process
    to open it); it holds the id of the process holding the lock, for the message.
    """
    import fcntl

    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    try:
        end, pause = time.monotonic() + wait, 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if pause == 0.01:
                    waiting(f"Waiting for another briefing process{holder} to finish with {what} (up to {wait:g} s).")
                if time.monotonic() >= end:
                    raise BusyError(
                        f"{what} is in use by another briefing process{holder}; gave up after waiting {wait:g} s: "
                        "try again when it has finished"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.25)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # the id is for the message only: a full disk must not stop the lock
        yield
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    written = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f" (process {written})" if written.isdigit() else ""
