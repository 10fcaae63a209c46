"""Digest windows: what a digest covers, and which articles fall in it.

A window is either dates (an ISO week, a range, the last seven days) or "added since the
last digest" (``--since-last``). Articles dated only to a month count in every date window
their month overlaps; ones dated only to a year, or not at all, cannot be placed in a date
window and are reported as such, never dropped without a word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence

from ..dates import PartialDate
from ..errors import UsageError
from ..models import DocumentSummary, Placed, Unplaced, Window

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_ADDED = re.compile(r"(added-\d{4}-\d{2}-\d{2})(?:-(\d+))?")


def iso_week(text: str) -> Window:
    match = _ISO_WEEK.match(text.strip())
    try:
        if not match:
            raise ValueError
        year, week = int(match[1]), int(match[2])
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks = dt.date(int(match[1]), 12, 28).isocalendar().week if match and int(match[1]) >= 1 else None
        known = f" ({match[1]} has {weeks} ISO weeks)" if weeks else ""
        raise UsageError(f"--week must be an ISO week such as 2025-W16, not {text!r}{known}") from None
    end = start + dt.timedelta(days=6)
    return Window(f"{year}-W{week:02d}", f"Week {week} of {year}, {span(start, end)}", span(start, end), start, end)


def between(since: dt.date, until: dt.date) -> Window:
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}")
    return Window(f"{since}_{until}", span(since, until), span(since, until), since, until)


def last_days(as_of: dt.date, days: int = 7) -> Window:
    """The ``days`` days up to and including ``as_of``: a weekly run on Monday covers Tuesday to Monday."""
    return between(as_of - dt.timedelta(days=days - 1), as_of)


def since_last(as_of: dt.date, last: str | None, handed_off: Collection[str]) -> Window:
    """A window of what was added since the digest named ``last``. It is named after its day, so a
    rerun (after a refused mail, say) replaces its folder; only a digest already handed off under
    that name makes the next one take a number, as it holds other articles."""
    name, number = f"added-{as_of}", 2
    while name in handed_off:
        name, number = f"added-{as_of}-{number}", number + 1
    after = added_day(last) if last else None
    if after is not None and after < as_of:
        dates = f"added {span(after + dt.timedelta(days=1), as_of)}"
    else:
        dates = f"added by {span(as_of, as_of)}"
    label = f"Added since digest {last}" if last else "Everything in the corpus (first digest)"
    return Window(name, label, dates, None, as_of)


def added_day(name: str) -> dt.date | None:
    """The day of a ``--since-last`` digest's name, or None for another name."""
    match = _ADDED.fullmatch(name)
    return dt.date.fromisoformat(match[1].removeprefix("added-")) if match else None


def added_order(name: str) -> tuple[str, int]:
    """Sort key of ``--since-last`` digests: added-2025-05-01-10 comes after -2."""
    match = _ADDED.fullmatch(name)
    return (match[1], int(match[2] or 1)) if match else (name, 0)


def span(start: dt.date, end: dt.date) -> str:
    """14–20 Apr 2025; 28 Apr – 4 May 2025; 29 Dec 2025 – 4 Jan 2026."""
    if start == end:
        return f"{end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.year != end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} {start.year} – {end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.month != end.month:
        return f"{start.day} {_MONTHS[start.month - 1]} – {end.day} {_MONTHS[end.month - 1]} {end.year}"
    return f"{start.day}–{end.day} {_MONTHS[end.month - 1]} {end.year}"


def place(
    documents: Sequence[DocumentSummary], window: Window, digested: Mapping[str, str] | None = None
) -> tuple[tuple[Placed, ...], tuple[Unplaced, ...]]:
    """The articles a window holds, and those it could not place."""
    if not window.by_date:
        done = digested or {}
        return tuple(Placed(d.id, d.source, "added") for d in documents if d.id not in done), ()
    placed: list[Placed] = []
    unplaced: list[Unplaced] = []
    for d in documents:
        date = d.source.date
        if date is None:
            unplaced.append(Unplaced(d.id, d.source, "undated"))
            continue
        first, last = _bounds(date)
        if last < window.start or first > window.end:
            continue
        if date.day is not None:
            placed.append(Placed(d.id, d.source, "day"))
        elif date.month is not None:
            placed.append(Placed(d.id, d.source, "month"))
        elif window.start <= first and last <= window.end:
            placed.append(Placed(d.id, d.source, "year"))
        else:
            unplaced.append(Unplaced(d.id, d.source, f"dated only to {date.year}"))
    return tuple(placed), tuple(unplaced)


def _bounds(date: PartialDate) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date may mean."""
    if date.day is not None:
        day = dt.date(date.year, date.month, date.day)
        return day, day
    if date.month is not None:
        first = dt.date(date.year, date.month, 1)
        following = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
