"""Files the tool writes: names made safe, contents swapped in whole.

Corpus file names come from headlines and topic names from users: neither may climb out
of its folder ("../../etc/passwd") or carry characters a file system refuses. A file is
written beside its target and renamed, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    and the previous one survives until the new one is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
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
        old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
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
