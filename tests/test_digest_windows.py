"""Digest windows: ISO weeks, ranges, the default seven days, since-last names, and placing partly dated articles."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.dates import PartialDate
from briefing.digest.windows import between, iso_week, last_days, place, since_last
from briefing.errors import UsageError
from briefing.models import DocumentSummary, Source


@pytest.mark.parametrize(
    "text, name, label, start",
    [
        ("2025-W16", "2025-W16", "Week 16 of 2025, 14–20 Apr 2025", dt.date(2025, 4, 14)),
        ("2025w1", "2025-W01", "Week 1 of 2025, 30 Dec 2024 – 5 Jan 2025", dt.date(2024, 12, 30)),
        ("2025-W18", "2025-W18", "Week 18 of 2025, 28 Apr – 4 May 2025", dt.date(2025, 4, 28)),
    ],
)
def test_iso_weeks(text, name, label, start):
    window = iso_week(text)
    assert (window.name, window.label, window.start, window.end) == (name, label, start, start + dt.timedelta(days=6))


@pytest.mark.parametrize("text", ["2025-W54", "2025-16", "W16", "2025-W0"])
def test_bad_weeks_are_usage_errors(text):
    with pytest.raises(UsageError, match="ISO week"):
        iso_week(text)


def test_the_default_window_is_the_seven_days_up_to_as_of():
    window = last_days(dt.date(2025, 4, 21))
    assert (window.start, window.end, window.name) == (dt.date(2025, 4, 15), dt.date(2025, 4, 21), "2025-04-15_2025-04-21")
    with pytest.raises(UsageError, match="before"):
        between(dt.date(2025, 4, 2), dt.date(2025, 4, 1))


def summary(doc_id: str, date: str | None) -> DocumentSummary:
    return DocumentSummary(doc_id, f"{doc_id}.md", Source(outlet="X", date=PartialDate(*map(int, date.split("-"))) if date else None), 3)


def test_partly_dated_articles_are_placed_by_overlap_or_reported():
    documents = [
        summary("day-in", "2025-04-16"),
        summary("day-out", "2025-04-21"),
        summary("month", "2025-04"),
        summary("other-month", "2025-05"),
        summary("year", "2025"),
        summary("old-year", "2023"),
        summary("undated", None),
    ]
    placed, unplaced = place(documents, iso_week("2025-W16"))
    assert [(p.document_id, p.how) for p in placed] == [("day-in", "day"), ("month", "month")]
    assert [(u.document_id, u.reason) for u in unplaced] == [("year", "dated only to 2025"), ("undated", "undated")]
    whole_year, _ = place(documents, between(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    assert ("year", "year") in [(p.document_id, p.how) for p in whole_year]


def test_a_since_last_window_is_named_after_its_day_and_numbered_only_after_a_handed_off_one():
    day = dt.date(2026, 11, 29)
    first = since_last(day, None, set())
    assert (first.name, first.dates, first.stem) == ("added-2026-11-29", "added by 29 Nov 2026", "added-2026-11-29")
    assert since_last(day, "added-2026-11-22", set()).dates == "added 23–29 Nov 2026"
    assert since_last(day, "added-2026-11-29", {"added-2026-11-29"}).name == "added-2026-11-29-2"


def test_date_windows_name_their_files_and_subjects_by_their_days():
    week = iso_week("2026-W48")
    assert (week.stem, week.dates) == ("2026-11-23_2026-11-29", "23–29 Nov 2026")
