"""What a digest run needs when no one watches it: secrets from a private file, a log with a
header per run that does not grow without end, and an alert when a run fails.

A scheduler runs the job without the user's shell, so the SMTP password variable of an
interactive session never reaches it: it comes from a file only its owner can read (``--secrets``)
or from systemd's ``LoadCredential=``, which puts that file in ``$CREDENTIALS_DIRECTORY``.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..errors import BriefingError, FileError, UsageError
from ..files import MAX_SETTINGS_BYTES, read_limited
from .record import now

CREDENTIAL = "briefing-secrets"  # the name LoadCredential= gives the secrets file
LOG_LIMIT = 1024 * 1024  # a log past this size is rotated before a run writes to it
LOG_KEEP = 5  # rotated logs kept: digest.log.1 (newest) … digest.log.5
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def read_secrets(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a file no one but its owner can read; one that others can read is
    refused, as the password in it is no longer a secret."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the secrets file ({exc.strerror or exc})") from exc
    if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
        raise UsageError(
            f"{path}: the secrets file can be read by others (mode {stat.S_IMODE(info.st_mode):04o}): chmod 600 {path}"
        )
    try:
        text = read_limited(path, MAX_SETTINGS_BYTES).decode("utf-8")
    except FileError as exc:
        raise UsageError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: the secrets file is not UTF-8 text") from exc
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line.strip())
        if match is None:  # the line is not shown: it may hold the password
            raise UsageError(f"{path}, line {number}: not NAME=value")
        value = match[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[match[1]] = value
    return found


def environment(secrets: Path | None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables a run sees: the process's, then systemd's credential, then ``secrets``."""
    merged = dict(environ)
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL).is_file():
        merged.update(read_secrets(Path(credentials) / CREDENTIAL))
    if secrets is not None:
        merged.update(read_secrets(secrets))
    return merged


def rotate(log: Path, limit: int = LOG_LIMIT, keep: int = LOG_KEEP) -> None:
    """Move a log past ``limit`` bytes to ``log.1``, the older ones one number up, the oldest dropped."""
    try:
        if log.stat().st_size <= limit:
            return
        for number in range(keep - 1, 0, -1):
            older = log.with_name(f"{log.name}.{number}")
            if older.exists():
                os.replace(older, log.with_name(f"{log.name}.{number + 1}"))
        os.replace(log, log.with_name(f"{log.name}.1"))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BriefingError(f"cannot rotate the log {log}: {exc.strerror or exc}") from exc


@contextmanager
def run_log(log: Path, command: Sequence[str]) -> Iterator[TextIO]:
    """Append a run to ``log``: a header with the time, the command and the process, everything the
    run prints, and a footer saying how it ended, so a log read weeks later says which run did what."""
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        rotate(log)
        stream = open(log, "a", encoding="utf-8", errors="replace", buffering=1)
    except OSError as exc:
        raise BriefingError(f"cannot write the log {log}: {exc.strerror or exc}") from exc
    with stream:
        stream.write(f"=== {now()} {shlex.join(command)} (process {os.getpid()})\n")
        try:
            yield stream
        except BaseException as exc:
            code = getattr(exc, "exit_code", getattr(exc, "code", 1))
            stream.write(f"=== {now()} ended with exit status {code}\n")
            raise
        stream.write(f"=== {now()} ended with exit status 0\n")


def tail(log: Path | None, lines: int = 40) -> str:
    """The end of the log, for an alert: what the failed run said."""
    if log is None:
        return ""
    try:
        return "".join(log.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)[-lines:])
    except OSError:
        return ""


def journal(unit: str, lines: int = 40) -> str:
    """The end of a systemd user unit's journal, for an alert; empty where journalctl cannot say."""
    try:
        result = subprocess.run(
            ["journalctl", "--user", "--unit", unit, "--lines", str(lines), "--no-pager", "--quiet"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout if result.returncode == 0 else ""
