"""Settings: built-in defaults < ``briefing.toml`` < environment < command-line flags.

The CLI passes what the user gave (flags, or ``BRIEFING_*`` variables through Typer);
anything left unset comes from the settings file, then the defaults. The settings file is
``briefing.toml`` in the working folder, or the one ``--config`` (``BRIEFING_CONFIG``) names,
which the CLI sets in ``SETTINGS_FILE`` for the run.

The dataclasses below are the file's schema: each field names its key (``"corpus.dir"``; the
fields of a table's own dataclass are its keys) and its type says what the value must be, so a
new setting is one field, and an unknown key or a wrong type is one line naming the key.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from functools import cache
from pathlib import Path
from types import NoneType, UnionType

from .errors import FileError, UsageError
from .files import LOCK_WAIT, MAX_FILE_BYTES, MAX_SETTINGS_BYTES, read_limited

CONFIG_FILE = Path("briefing.toml")
SETTINGS_FILE: ContextVar[Path | None] = ContextVar("settings_file", default=None)


class Wrong(ValueError):
    """A value that is not what its key takes; the message says what it must be ("must be …")."""


def setting(key: str | None = None, default: object = MISSING, read: Callable[[object], object] | None = None):
    """A field read from the settings file: ``key`` is "table.name" (a table's own dataclass
    needs none: a field's name is its key); ``read`` checks and converts the value when the
    field's type alone does not say enough."""
    return field(default=default, metadata={"key": key, "read": read})


def whole(value: object, what: str = "a whole number") -> int:
    if isinstance(value, bool) or not isinstance(value, int):  # true is 1 to Python: a 1-byte cap
        raise Wrong(f"must be {what}")
    return value


def positive(value: object, what: str = "a positive number") -> float:
    """A positive number; ``true`` is no number, though Python counts it as 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise Wrong(f"must be {what}")
    return float(value)


def seconds(value: object) -> float:
    return positive(value, "a positive number of seconds")


def text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Wrong("must be text in quotes")
    return value.strip()


def path(value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise Wrong("must be a path in quotes")
    return Path(value)


def texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Wrong("must be a list of texts in quotes")
    return tuple(v.strip() for v in value)


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise Wrong("must be true or false")
    return value


def _file_bytes(value: object) -> int:
    size = whole(value, "a whole number of bytes")
    if size <= 0:
        raise Wrong("must be positive")
    return size


def _days(value: object) -> int:
    days = whole(value, "a whole number of days, 0 or more")
    if days < 0:
        raise Wrong("must be a whole number of days, 0 or more")
    return days


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise Wrong("must be a port number, 1 to 65535")
    return value


SECURITY = ("starttls", "ssl", "none")


def _security(value: object) -> str:
    if value not in SECURITY:
        raise Wrong(f"must be one of {', '.join(SECURITY)}")
    return value


def _variable(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise Wrong("must be the name of an environment variable")
    return value


@dataclass(frozen=True)
class MailSettings:
    """SMTP settings, the ``[mail]`` table; the password never sits in the file, only the name of the variable holding it."""

    host: str
    sender: str
    port: int = setting(default=587, read=_port)
    to: tuple[str, ...] = ()  # default recipients of --mail-to
    username: str | None = None
    password_env: str = setting(default="BRIEFING_SMTP_PASSWORD", read=_variable)
    security: str = setting(default="starttls", read=_security)
    timeout: float = setting(default=30.0, read=seconds)


@dataclass(frozen=True)
class Settings:
    corpus: Path = setting("corpus.dir", Path("corpus"))
    index: Path = setting("corpus.index", Path("out/index.sqlite"))
    max_file_bytes: int = setting("corpus.max_file_bytes", MAX_FILE_BYTES, _file_bytes)
    # seconds to wait for another briefing process writing the index
    lock_wait: float = setting("corpus.lock_wait", LOCK_WAIT, seconds)
    # what the corpus is about, for brief titles: "Sanctions — Kazakhstan, …"
    subject: str | None = setting("brief.subject", None)
    out: Path = setting("brief.out", Path("out"))  # where briefs go
    # a brief whose newest source is older says how old its material is
    stale_after_days: int = setting("brief.stale_after_days", 90, _days)
    # RSS/Atom feeds `corpus fetch` reads when given none: URLs or files
    feeds: tuple[str, ...] = setting("feeds.urls", ())
    # seconds a feed or page may take in all, whatever the server does
    feed_timeout: float = setting("feeds.timeout", 20.0, seconds)
    digests: Path = setting("digest.out", Path("out/digests"))  # one folder per digest window
    deliver: Path | None = setting("digest.deliver", None)  # shared folder a finished digest is copied to
    mail: MailSettings | None = setting("mail", None)  # SMTP hand-off, when [mail] is configured


def load_settings(corpus: Path | None = None, index: Path | None = None, config: Path | None = None) -> Settings:
    """The settings of the file ``config`` names (it must exist), else of the run's ``--config``
    file (``SETTINGS_FILE``, which must exist too), else of ``briefing.toml`` here if there is one."""
    chosen = config or SETTINGS_FILE.get()
    source = chosen or CONFIG_FILE
    data = _read_config(source, required=chosen is not None)
    settings = Settings(**_table_values(data, source))
    return replace(settings, corpus=corpus or settings.corpus, index=index or settings.index)


@cache
def schema() -> dict[str, dict[str, tuple[str, Callable[[object], object]]] | tuple[str, type]]:
    """The file's tables: each maps its keys to (field, reader), or is one field's own dataclass."""
    tables: dict = {}
    hints = typing.get_type_hints(Settings)
    for f in fields(Settings):
        key = f.metadata.get("key")
        if not key:
            raise TypeError(f"Settings.{f.name} names no settings-file key: use setting('table.key', ...)")
        table, _, name = key.partition(".")
        kind = _bare(hints[f.name])
        if not name:
            if not is_dataclass(kind):
                raise TypeError(f"Settings.{f.name}: a whole table ({key!r}) is read into a dataclass")
            tables[table] = (f.name, kind)
        else:
            tables.setdefault(table, {})[name] = (f.name, f.metadata.get("read") or _reader(kind, f.name))
    return tables


@cache
def _keys(cls: type) -> dict[str, tuple[str, Callable[[object], object]]]:
    """A table's dataclass: each field's name is its key."""
    hints = typing.get_type_hints(cls)
    return {f.name: (f.name, f.metadata.get("read") or _reader(_bare(hints[f.name]), f.name)) for f in fields(cls)}


def _bare(hint: object) -> object:
    """``X | None`` is read as ``X``: leaving a key out is how a file says None."""
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not NoneType]
    return hint


def _reader(kind: object, name: str) -> Callable[[object], object]:
    readers = {Path: path, str: text, int: whole, float: positive, bool: flag, tuple[str, ...]: texts}
    if kind not in readers:
        raise TypeError(f"setting {name!r}: no reader for {kind}; give setting(read=...)")
    return readers[kind]


def _table_values(data: dict, source: Path) -> dict[str, object]:
    """The top level of the file, checked against ``schema()``: every table known, every key in it."""
    tables = schema()
    values: dict[str, object] = {}
    for name, content in data.items():
        if name not in tables:
            _unknown(source, name, None, tables, content)
        if not isinstance(content, dict):
            raise UsageError(f"{source}: {name} must be a table: [{name}]")
        spec = tables[name]
        if isinstance(spec, tuple):
            field_name, kind = spec
            missing = [f.name for f in fields(kind) if f.default is MISSING and f.default_factory is MISSING]
            for key in missing:
                if key not in content:
                    raise UsageError(f"{source}: {name}.{key} must be given")
            values[field_name] = kind(**_values(_keys(kind), content, source, name))
        else:
            values.update(_values(spec, content, source, name))
    return values


def _values(keys: dict, content: dict, source: Path, table: str) -> dict[str, object]:
    values = {}
    for key, value in content.items():
        if key not in keys:
            _unknown(source, key, table, keys, value)
        field_name, read = keys[key]
        try:
            values[field_name] = read(value)
        except Wrong as exc:
            raise UsageError(f"{source}: {table}.{key} {exc}") from None
    return values


def _unknown(source: Path, key: str, table: str | None, known: dict, value: object) -> typing.NoReturn:
    """One line naming the unknown key or table, and the nearest known one."""
    if table is None and isinstance(value, dict):
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f" (did you mean [{close[0]}]?)" if close else f" (known: {', '.join(f'[{t}]' for t in known)})"
        raise UsageError(f"{source}: unknown table [{key}]{hint}")
    where = f"{table}.{key}" if table else key
    close = difflib.get_close_matches(key, list(known), n=1)
    elsewhere = [f"{t}.{key}" for t, keys in schema().items() if isinstance(keys, dict) and key in keys]
    if close:
        hint = f" (did you mean {close[0]!r}?)"
    elif elsewhere:
        hint = f" (did you mean {elsewhere[0]!r}?)"
    else:
        hint = f" (known: {', '.join(known)})" if table else ""
    raise UsageError(f"{source}: unknown key {where!r}{hint}")


def _read_config(config: Path, required: bool) -> dict:
    if not os.path.lexists(config):
        if required:
            raise UsageError(f"no settings file at {config}")
        return {}
    try:
        return tomllib.loads(read_limited(config, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{config}: not valid TOML: {exc}") from exc
    except FileError as exc:
        raise UsageError(str(exc)) from exc
