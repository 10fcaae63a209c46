"""Files to raw article text and what is known of it.

``.md`` carries its metadata in front matter (TOML between ``+++`` or YAML between
``---``); ``.txt`` in a sidecar (``NAME.toml`` beside it, or a ``sources.toml`` in the
same folder with a ``["NAME.txt"]`` table); ``.html`` is reduced to its main text and
metadata by trafilatura.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from ..dates import parse_date
from ..errors import BriefingError, FileError
from ..files import MAX_FILE_BYTES, read_limited
from ..models import KINDS, Source

SUFFIXES = (".md", ".txt", ".html", ".htm")
_LEGACY_ENCODINGS = ("cp1252",)
_BOMS = (  # longest first: a UTF-32 mark begins like a UTF-16 one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SOURCE_FIELDS = tuple(f.name for f in fields(Source))


@dataclass(frozen=True)
class Raw:
    """A file's bytes and sidecar metadata: enough to tell whether it changed, before any parsing."""

    path: Path
    data: bytes
    sidecar: tuple[tuple[str, object], ...]
    digest: str


@dataclass(frozen=True)
class Loaded:
    """A file parsed: its article text (raw, not yet cleaned) and what is known of it."""

    body: str
    source: Source


def decode(data: bytes, name: str) -> str:
    """Text of a file, trying UTF-8 first and then the common fallbacks; binary is refused."""
    if not data.strip():
        raise FileError(name, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise FileError(name, f"starts as {encoding} but is not valid {encoding}") from exc
    if b"\x00" in data[:8192]:
        raise FileError(name, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in _LEGACY_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(name, f"not UTF-8 and not {', '.join(_LEGACY_ENCODINGS)}")


def source_from_mapping(values: dict, where: str) -> Source:
    """A Source from front matter or a sidecar; unknown keys are ignored, bad values named.

    A field is text (a number, as in ``title = 1984``, is read as its digits); true and false are
    not text, though Python would print them as "True" (YAML reads a bare yes, no, on or off so)."""
    known = {}
    for key in _SOURCE_FIELDS:
        value = values.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, list | dict):
            raise FileError(where, f"{key} must be a single value, not a {type(value).__name__}")
        if isinstance(value, bool):
            raise FileError(where, f"{key} must be text in quotes, not {str(value).lower()}")
        if key == "date":
            try:
                known[key] = parse_date(value)
            except BriefingError as exc:
                raise FileError(where, str(exc)) from exc
        else:
            known[key] = _unicode(str(value).strip(), key, where)
    if known.get("kind") not in (None, *KINDS):
        raise FileError(where, f"kind must be one of {', '.join(KINDS)}, not {known['kind']!r}")
    return Source(**known)


def _unicode(value: str, key: str, where: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FileError(where, f"{key} is not valid Unicode text") from exc
    return value


_FRONT_MATTER = re.compile(r"\A(\+\+\+|---)[ \t]*\r?\n(?:(.*?)\r?\n)?\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    """Front matter (TOML ``+++`` or YAML ``---``) and the body after it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        first = text.split("\n", 1)[0].strip()
        if first in ("+++", "---"):
            raise FileError(name, f"front matter opened with {first} is never closed")
        return {}, text
    parse = _parse_toml if match.group(1) == "+++" else _parse_yaml
    try:
        values = parse(match.group(2) or "")
    except ValueError as exc:
        raise FileError(name, f"front matter is not valid: {exc}") from exc
    if not isinstance(values, dict):
        raise FileError(name, "front matter is not a table of fields")
    return values, text[match.end() :]


def _parse_toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from exc


def _parse_yaml(text: str) -> dict:
    import yaml

    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValueError(str(exc).replace("\n", " ")) from exc


def front_matter(source: Source) -> str:
    """TOML front matter for a corpus file, known fields only, in a fixed order."""
    import tomli_w

    return "+++\n" + tomli_w.dumps(source.as_dict()) + "+++\n"


def sidecar(path: Path, limit: int = MAX_FILE_BYTES, within: Path | None = None) -> dict:
    """Metadata for a plain-text file: ``NAME.toml`` beside it, or its table in ``sources.toml``.

    Read by the rules of the file itself: regular files only, inside ``within`` (the file's own
    folder when not given)."""
    folder = within if within is not None else path.parent
    own = path.with_suffix(".toml")
    if os.path.lexists(own):
        return _toml_table(read_limited(own, limit, folder), own)
    shared = path.parent / "sources.toml"
    if os.path.lexists(shared):
        try:
            stat = os.stat(shared)
        except OSError:
            stat = None  # read_limited says why
        version = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino) if stat else None
        entry = _shared_table(shared, version, limit, folder).get(path.name, {})
        if not isinstance(entry, dict):
            raise FileError(shared, f"[{path.name!r}] is not a table of fields")
        return entry
    return {}


@lru_cache(maxsize=8)
def _shared_table(path: Path, version: tuple[int, ...] | None, limit: int, within: Path) -> dict:
    """A folder's sources.toml, parsed once for all its files (while it stays unchanged), not
    once per file; callers only read it."""
    return _toml_table(read_limited(path, limit, within), path)


def _toml_table(data: bytes, path: Path) -> dict:
    try:
        return tomllib.loads(decode(data, str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise FileError(path, f"not valid TOML: {exc}") from exc


def _markdown(raw: Raw) -> Loaded:
    values, body = split_front_matter(decode(raw.data, str(raw.path)), str(raw.path))
    return Loaded(body, source_from_mapping(values, str(raw.path)))


def _plain_text(raw: Raw) -> Loaded:
    return Loaded(decode(raw.data, str(raw.path)), source_from_mapping(dict(raw.sidecar), str(raw.path)))


def _html(raw: Raw) -> Loaded:
    """Main text and metadata of a web page; trafilatura knows page layouts better than regexes."""
    from .html import article

    page = article(decode(raw.data, str(raw.path)))
    if page is None or not page.body.strip():
        raise FileError(raw.path, "no article text found in the page")
    return Loaded(page.body, source_from_mapping({**dict(page.found), **dict(raw.sidecar)}, str(raw.path)))


_PARSERS = {".md": _markdown, ".txt": _plain_text, ".html": _html, ".htm": _html}


def read(path: Path, limit: int = MAX_FILE_BYTES, within: Path | None = None) -> Raw:
    """The bytes that define a corpus file; every failure is a FileError naming the file.

    ``within`` is the corpus folder: a file (or sidecar) whose links lead out of it is refused."""
    if path.suffix.lower() not in _PARSERS:
        raise FileError(path, f"unsupported file type (use {', '.join(SUFFIXES)})")
    data = read_limited(path, limit, within)
    meta = tuple(sorted(sidecar(path, limit, within).items())) if path.suffix.lower() != ".md" else ()
    digest = hashlib.sha256(data + repr(meta).encode()).hexdigest()
    return Raw(path, data, meta, digest)


def parse(raw: Raw) -> Loaded:
    return _PARSERS[raw.path.suffix.lower()](raw)
