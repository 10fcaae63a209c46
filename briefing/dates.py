"""Dates as precise as the source: a day, a month or only a year.

Articles are often dated only to the month ("2025-04"); a brief must say
"Apr 2025" for those, never invent a day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import UsageError

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """Order dates by ``sort_key``: a month sorts before the days in it."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        dt.date(self.year, self.month or 1, self.day or 1)  # raises ValueError when impossible

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)


def parse_date(text: str | dt.date) -> PartialDate:
    """Read ISO (``2025``, ``2025-04``, ``2025-04-16``) or free text ("April 16, 2025", "April 2025")."""
    if isinstance(text, dt.date):
        return PartialDate.from_date(text)
    value = str(text).strip()
    try:
        match = _ISO.match(value)
        if match:
            year, month, day = (int(g) if g else None for g in match.groups())
            return PartialDate(year, month, day)
        return _parse_free_text(value)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)") from exc


def _parse_free_text(value: str) -> PartialDate:
    """Parse twice with different defaults: a field that changes was not in the text."""
    from dateutil import parser

    first = parser.parse(value, default=dt.datetime(1, 1, 1), fuzzy=False)
    second = parser.parse(value, default=dt.datetime(2, 2, 2), fuzzy=False)
    if first.year != second.year:
        raise ValueError("no year")
    month = first.month if first.month == second.month else None
    day = first.day if first.day == second.day and month is not None else None
    return PartialDate(first.year, month, day)


def find_date(text: str) -> PartialDate | None:
    """The date written in a short line such as a dateline, if there is exactly one."""
    candidates = re.findall(
        r"\b(?:\d{4}-\d{2}-\d{2}"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
        r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b",
        text,
    )
    if len(candidates) != 1:
        return None
    try:
        return parse_date(candidates[0])
    except UsageError:
        return None
