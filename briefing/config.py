"""Settings: built-in defaults < ``briefing.toml`` < environment < command-line flags.

The CLI passes what the user gave (flags, or ``BRIEFING_*`` variables through Typer);
anything left unset comes from ``briefing.toml`` in the working folder, then the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import FileError, UsageError
from .files import LOCK_WAIT, MAX_SETTINGS_BYTES, read_limited
from .ingest.loaders import MAX_FILE_BYTES

CONFIG_FILE = Path("briefing.toml")


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("corpus")
    index: Path = Path("out/index.sqlite")
    max_file_bytes: int = MAX_FILE_BYTES
    lock_wait: float = LOCK_WAIT  # seconds to wait for another briefing process writing the index
    subject: str | None = None  # what the corpus is about, for brief titles: "Sanctions — Kazakhstan, …"
    out: Path = Path("out")  # where briefs go
    stale_after_days: int = 90  # a brief whose newest source is older says how old its material is
    feeds: tuple[str, ...] = ()  # RSS/Atom feeds `corpus fetch` reads when given none: URLs or files
    feed_timeout: float = 20.0  # seconds a feed or page may take in all, whatever the server does
    digests: Path = Path("out/digests")  # one folder per digest window
    deliver: Path | None = None  # shared folder a finished digest is copied to
    mail: MailSettings | None = None  # SMTP hand-off, when [mail] is configured


SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailSettings:
    """SMTP settings; the password never sits in the file, only the name of the variable holding it."""

    host: str
    sender: str
    port: int = 587
    to: tuple[str, ...] = ()  # default recipients of --mail-to
    username: str | None = None
    password_env: str = "BRIEFING_SMTP_PASSWORD"
    security: str = "starttls"
    timeout: float = 30.0


def load_settings(
    corpus: Path | None = None, index: Path | None = None, config: Path = CONFIG_FILE
) -> Settings:
    data = _read_config(config)
    table, brief = data.get("corpus", {}), data.get("brief", {})
    feeds, digest, mail = data.get("feeds", {}), data.get("digest", {}), data.get("mail")
    if not all(isinstance(t, dict) for t in (table, brief, feeds, digest, mail or {})):
        raise UsageError(f"{config}: [corpus], [brief], [feeds], [digest] and [mail] must be tables")
    subject = brief.get("subject")
    if subject is not None and (not isinstance(subject, str) or not subject.strip()):
        raise UsageError(f"{config}: brief.subject must be text in quotes")
    defaults = Settings()
    stale = brief.get("stale_after_days", defaults.stale_after_days)
    if isinstance(stale, bool) or not isinstance(stale, int) or stale < 0:
        raise UsageError(f"{config}: brief.stale_after_days must be a whole number of days, 0 or more")
    max_bytes = table.get("max_file_bytes", defaults.max_file_bytes)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):  # true is 1 to Python: a 1-byte cap
        raise UsageError(f"{config}: corpus.max_file_bytes must be a whole number of bytes")
    if max_bytes <= 0:
        raise UsageError(f"{config}: corpus.max_file_bytes must be positive")
    return Settings(
        corpus=corpus or _path(table, "dir", defaults.corpus, config),
        index=index or _path(table, "index", defaults.index, config),
        max_file_bytes=max_bytes,
        lock_wait=_seconds(table, "lock_wait", defaults.lock_wait, f"{config}: corpus.lock_wait"),
        subject=subject.strip() if subject else None,
        out=_path(brief, "out", defaults.out, config),
        stale_after_days=stale,
        feeds=_texts(feeds, "urls", config),
        feed_timeout=_seconds(feeds, "timeout", defaults.feed_timeout, f"{config}: feeds.timeout"),
        digests=_path(digest, "out", defaults.digests, config),
        deliver=_path(digest, "deliver", Path(), config) if "deliver" in digest else None,
        mail=_mail(mail, config) if mail is not None else None,
    )


def _seconds(table: dict, key: str, default: float, where: str) -> float:
    """A positive number of seconds; ``true`` is no number, though Python counts it as 1."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise UsageError(f"{where} must be a positive number of seconds")
    return float(value)


def _texts(table: dict, key: str, config: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{config}: {key} must be a list of texts in quotes")
    return tuple(v.strip() for v in value)


def _mail(table: dict, config: Path) -> MailSettings:
    known = {"host", "port", "sender", "to", "username", "password_env", "security", "timeout"}
    if unknown := sorted(set(table) - known):
        raise UsageError(f"{config}: unknown [mail] setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    for key in ("host", "sender"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise UsageError(f"{config}: mail.{key} must be given, in quotes")
    port = table.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise UsageError(f"{config}: mail.port must be a port number, 1 to 65535")
    timeout = _seconds(table, "timeout", 30.0, f"{config}: mail.timeout")
    security = table.get("security", "starttls")
    if security not in SECURITY:
        raise UsageError(f"{config}: mail.security must be one of {', '.join(SECURITY)}")
    username = table.get("username")
    if username is not None and not isinstance(username, str):
        raise UsageError(f"{config}: mail.username must be text in quotes")
    password_env = table.get("password_env", "BRIEFING_SMTP_PASSWORD")
    if not isinstance(password_env, str) or not password_env:
        raise UsageError(f"{config}: mail.password_env must be the name of an environment variable")
    return MailSettings(
        host=table["host"].strip(),
        sender=table["sender"].strip(),
        port=port,
        to=_texts(table, "to", config),
        username=username,
        password_env=password_env,
        security=security,
        timeout=timeout,
    )


def _path(table: dict, key: str, default: Path, config: Path) -> Path:
    value = table.get(key, str(default))
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{config}: {key} must be a path in quotes")
    return Path(value)


def _read_config(config: Path) -> dict:
    if not os.path.lexists(config):
        return {}
    try:
        return tomllib.loads(read_limited(config, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{config}: not valid TOML: {exc}") from exc
    except FileError as exc:
        raise UsageError(str(exc)) from exc
