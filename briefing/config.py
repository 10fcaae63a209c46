"""Settings: built-in defaults < ``briefing.toml`` < environment < command-line flags.

The CLI passes what the user gave (flags, or ``BRIEFING_*`` variables through Typer);
anything left unset comes from ``briefing.toml`` in the working folder, then the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .ingest.loaders import MAX_FILE_BYTES

CONFIG_FILE = Path("briefing.toml")


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("corpus")
    index: Path = Path("out/index.sqlite")
    max_file_bytes: int = MAX_FILE_BYTES
    subject: str | None = None  # what the corpus is about, for brief titles: "Sanctions — Kazakhstan, …"
    out: Path = Path("out")  # where briefs go


def load_settings(
    corpus: Path | None = None, index: Path | None = None, config: Path = CONFIG_FILE
) -> Settings:
    data = _read_config(config)
    table, brief = data.get("corpus", {}), data.get("brief", {})
    if not isinstance(table, dict) or not isinstance(brief, dict):
        raise UsageError(f"{config}: [corpus] and [brief] must be tables")
    subject = brief.get("subject")
    if subject is not None and (not isinstance(subject, str) or not subject.strip()):
        raise UsageError(f"{config}: brief.subject must be text in quotes")
    defaults = Settings()
    try:
        max_bytes = int(table.get("max_file_bytes", defaults.max_file_bytes))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{config}: corpus.max_file_bytes must be a whole number") from exc
    if max_bytes <= 0:
        raise UsageError(f"{config}: corpus.max_file_bytes must be positive")
    return Settings(
        corpus=corpus or _path(table, "dir", defaults.corpus, config),
        index=index or _path(table, "index", defaults.index, config),
        max_file_bytes=max_bytes,
        subject=subject.strip() if subject else None,
        out=_path(brief, "out", defaults.out, config),
    )


def _path(table: dict, key: str, default: Path, config: Path) -> Path:
    value = table.get(key, str(default))
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{config}: {key} must be a path in quotes")
    return Path(value)


def _read_config(config: Path) -> dict:
    if not config.is_file():
        return {}
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{config}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise UsageError(f"{config}: cannot read ({exc.strerror or exc})") from exc
