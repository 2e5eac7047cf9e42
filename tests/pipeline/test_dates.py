"""The one date parser, and feeds and extraction reading a date string the same way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.pipeline.dates import parse_date
from newsdesk.pipeline.extraction import extract
from newsdesk.pipeline.feeds import parse

EST = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("2024-03-05T10:00:00+01:00", datetime(2024, 3, 5, 10, tzinfo=timezone(timedelta(hours=1)))),
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),  # no zone: UTC
    ("Tue, 05 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("Tue, 05 Mar 2024 10:00:00 EST", datetime(2024, 3, 5, 10, tzinfo=EST)),
    ("Tue, 05 Mar 2024 10:00:00", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("1709632800", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ("1709632800000", datetime(2024, 3, 5, 10, tzinfo=UTC)),
])
def test_machine_written_dates(text, expected):
    parsed = parse_date(f"  {text} ")
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()
    assert parse_date(text, fuzzy=True) == expected


@pytest.mark.parametrize("value", [None, 1709632800, "", "   ", "soon", "Posted: March 5, 2024",
                                   "1994-12-31T23:00:00Z", "2101-01-01", "2024-03-05" + " " * 80 + "x"])
def test_what_is_not_a_date_is_none(value):
    assert parse_date(value) is None


def test_fuzzy_reads_dates_written_for_readers():
    assert parse_date("Posted: March 5, 2024", fuzzy=True) == datetime(2024, 3, 5, tzinfo=UTC)
    assert parse_date("Tuesday 5th March 2024, 10:30", fuzzy=True) == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    assert parse_date("March 5, 1994", fuzzy=True) is None


def feed_date(text: str) -> datetime | None:
    doc = {"version": "https://jsonfeed.org/version/1.1",
           "items": [{"id": "1", "url": "https://news.example/a", "date_published": text}]}
    return parse(json.dumps(doc).encode(), "https://news.example/feed.json").entries[0].published


def page_date(text: str) -> datetime | None:
    page = (f'<html><head><title>Harbour reopens</title><meta property="article:published_time" content="{text}">'
            "</head><body><article><h1>Harbour reopens after the storm</h1>"
            + "<p>The harbour reopened on the morning tide after a week of repairs to the mole.</p>" * 6
            + "</article></body></html>")
    return extract(page, "https://news.example/harbour").date


@pytest.mark.parametrize("text", ["2024-03-05T10:00:00+01:00", "Tue, 05 Mar 2024 10:00:00 EST", "1709632800",
                                  "1994-12-31T23:00:00Z"])
def test_feeds_and_extraction_read_a_date_alike(text):
    from_feed, from_page = feed_date(text), page_date(text)
    assert from_feed == from_page == parse_date(text)
    if from_feed is not None:
        assert from_feed.utcoffset() == timedelta(0)  # feed dates are given in UTC
