"""Date strings to timezone-aware datetimes: the one date parser of feeds and extraction."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateparser

__all__ = ["parse_date"]

_MAX_CHARS = 80
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # no news site dates from before the web had them
_LATEST_YEAR = 2100
_UNIX_TIME = re.compile(r"\d{10}(\d{3})?")  # seconds or milliseconds
_LABEL = re.compile(r"^(?:published|posted|updated|on)\s*:?\s*", re.I)


def parse_date(value, fuzzy: bool = False) -> datetime | None:
    """Parse a date string into a timezone-aware datetime, or None.

    Reads ISO 8601 / RFC 3339 (sitemaps' W3C dates among them), RFC 822 (RSS, e-mail) and Unix
    time in seconds or milliseconds; with ``fuzzy``, also a date as pages write it for readers
    ("Posted: March 5, 2024", "Tuesday 5th March 2024"), found anywhere in the string. A date without a zone,
    or with a zone name other than UTC's and RFC 822's, is read as UTC; a stated offset is kept.
    Returns None for a value that is not a string, is empty or longer than 80 characters, does
    not parse, or falls before 1995 or after 2100.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > _MAX_CHARS:
        return None
    parsed = _strict(text)
    if parsed is None and fuzzy:
        parsed = _loose(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed < _EARLIEST or parsed.year > _LATEST_YEAR:
        return None
    return parsed


def _strict(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a year past a C int
        pass
    if _UNIX_TIME.fullmatch(text):
        return datetime.fromtimestamp(int(text[:10]), tz=UTC)
    return None


def _loose(text: str) -> datetime | None:
    try:
        # tzinfos: an unknown zone name gives a naive result, read as UTC, instead of a warning.
        return dateparser.parse(_LABEL.sub("", text), fuzzy=True, default=datetime(2000, 1, 1),
                                tzinfos=_no_zone)
    except (ValueError, OverflowError, TypeError):
        return None


def _no_zone(name, offset):
    return timezone(timedelta(seconds=offset)) if offset is not None else None
