"""Dates never more precise than the source."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.dates import PartialDate, find_date, parse_date
from briefing.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-16", PartialDate(2025, 4, 16)),
        ("2025-04", PartialDate(2025, 4)),
        ("2025", PartialDate(2025)),
        ("April 16, 2025", PartialDate(2025, 4, 16)),
        ("16 April 2025", PartialDate(2025, 4, 16)),
        ("April 2025", PartialDate(2025, 4)),
        (dt.date(2023, 10, 30), PartialDate(2023, 10, 30)),
    ],
)
def test_parse_keeps_the_precision_given(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-13", "2025-02-30", "yesterday", "April", ""])
def test_impossible_or_vague_dates_are_usage_errors(text):
    with pytest.raises(UsageError, match="not a date"):
        parse_date(text)


def test_str_and_order():
    assert str(PartialDate(2025, 4)) == "2025-04"
    assert sorted([PartialDate(2025, 4, 16), PartialDate(2025), PartialDate(2025, 4)], key=lambda d: d.sort_key) == [
        PartialDate(2025),
        PartialDate(2025, 4),
        PartialDate(2025, 4, 16),
    ]


def test_find_date_in_a_dateline():
    assert find_date("Location: Astana, Kazakhstan | April 16, 2025") == PartialDate(2025, 4, 16)
    assert find_date("between April 1, 2024 and May 2, 2024") is None  # two dates: not a dateline
    assert find_date("Connect with us") is None
