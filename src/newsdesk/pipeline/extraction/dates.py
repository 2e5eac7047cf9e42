"""The publication date of a page, from structured data first and page text last."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from lxml import etree

from ..dates import parse_date

_META_KEYS = (
    "article:published_time", "og:published_time", "article:published", "published_time",
    "datepublished", "publish-date", "publish_date", "publishdate", "pubdate", "date",
    "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created", "dcterms.date",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "citation_publication_date",
    "citation_date", "article.published", "og:article:published_time", "bt:pubdate", "date.available",
    "originalpublicationdate", "displaydate", "dc.created", "creation_date", "published",
    "date_published", "publication_date", "article_date_original", "release_date",
    "article.created", "datecreated",
)
_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "last-modified",
                  "dcterms.modified")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$|[-_])")


def _ld_date(jsonld) -> str:
    for obj in jsonld:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str) and value.strip():
                return value
    return ""


def find_date(root, meta: dict, jsonld: list, url: str | None) -> datetime | None:
    """The page's date as its readers see it, or None.

    Publication meta tags (the most often right of the structured sources), JSON-LD,
    microdata, <time> elements, then a date in the URL. Dates written in the page come from
    :func:`shown_date`, and :func:`modified_date` is the last resort.
    """
    for raw in (*(meta.get(k, "") for k in _META_KEYS), _ld_date(jsonld)):
        dt = parse_date(raw, fuzzy=True)
        if dt:
            return dt
    for el in root.iterfind(".//*[@itemprop='datePublished']"):
        dt = parse_date(el.get("content") or el.get("datetime") or "".join(el.itertext()), fuzzy=True)
        if dt:
            return dt
    times = list(root.iter("time"))
    # A <time> marked as the publication time beats the first <time> on the page.
    times.sort(key=lambda t: 0 if (t.get("pubdate") is not None or "publish" in
                                   ((t.get("class") or "") + (t.get("itemprop") or "")).lower()) else 1)
    for el in times[:5]:
        dt = parse_date(el.get("datetime") or "", fuzzy=True) or parse_date(_short_text(el), fuzzy=True)
        if dt:
            return dt
    if url:
        match = _URL_DATE.search(url)
        if match:
            try:
                return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)),
                                tzinfo=timezone.utc)
            except ValueError:
                pass
    return None


def modified_date(meta: dict, jsonld: list) -> datetime | None:
    """The page's last-modified date from its meta tags or JSON-LD, or None."""
    for raw in (*(meta.get(k, "") for k in _MODIFIED_KEYS),
                *(o.get("dateModified") for o in jsonld if isinstance(o.get("dateModified"), str))):
        dt = parse_date(raw, fuzzy=True)
        if dt:
            return dt
    return None


_NEAR_HEADLINE = 1000  # characters of page text after the headline where its date is shown
_UPDATE_LABEL = re.compile(r"updat|modifi|revised|reviewed|aktualisiert|mis à jour|actualizad", re.I)
_DATE_CLASS = re.compile(r"date|time|posted|publish|byline|meta|updated|info", re.I)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# No word boundary before a month name: page text often runs into it ("...LeanDecember 15").
_SHOWN = re.compile(
    rf"(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+(?:19|20)\d{{2}}"
    r"|\b(?:19|20)\d{2}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}|\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}"
    r")(?!\d)", re.I)


def _short_text(el) -> str:
    text = " ".join("".join(el.itertext()).split())
    return text if len(text) <= 60 else ""


def _shown_date(root) -> datetime | None:
    """A date written in a date/byline/meta element, as readers see it."""
    checked = 0
    for el in root.iter("span", "div", "p", "li", "small", "time", "abbr"):
        marks = (el.get("class") or "") + " " + (el.get("id") or "")
        if not _DATE_CLASS.search(marks):
            continue
        text = " ".join("".join(el.itertext()).split())[:200]
        match = _SHOWN.search(text)
        if match:
            dt = parse_date(match.group(0), fuzzy=True)
            if dt:
                return dt
        checked += 1
        if checked > 40:
            break
    return None


def headline_date(root, skip_updates: bool = False) -> datetime | None:
    """A date written just under the page's headline, or None.

    Readers (and the editors who check dates) take the date shown there as the article's
    date. With ``skip_updates`` (the page already says when it was published), a date labelled
    as an update ("Last updated on ...") is passed over: it is not when the story came out.
    ``root`` must be cleaned of scripts and styles.
    """
    return _written_date(root, near_headline=True, skip_updates=skip_updates)


def shown_date(root) -> datetime | None:
    """A date written in a date or byline element, else the first date written from the
    headline on, or None. ``root`` must be cleaned of scripts and styles."""
    return _shown_date(root) or _written_date(root)


def _written_date(root, near_headline: bool = False, skip_updates: bool = False) -> datetime | None:
    """The first written date from the headline on (or from the top when there is none).

    With ``near_headline``, only a date within a few lines of the headline.
    """
    body = root.find("body")
    if body is None:
        return None
    # The headline is the last <h1> with words: an earlier one is usually the site's logo.
    h1s = [h for h in body.iterfind(".//h1") if len("".join(h.itertext()).split()) >= 3][-1:]
    if near_headline and not h1s:
        return None
    text = etree.tostring(body, method="text", encoding="unicode")
    start = 0
    if h1s:
        words = "".join(h1s[0].itertext()).split()
        found = text.find(" ".join(words[:3])) if words else -1
        if found < 0 and near_headline:
            return None
        start = max(0, found - 200) if found >= 0 else 0
    span = _NEAR_HEADLINE if near_headline else 3000
    for offset in (start, 0) if start and not near_headline else (start,):
        for match in _SHOWN.finditer(text, offset, offset + span):
            if skip_updates and _UPDATE_LABEL.search(text, max(0, match.start() - 30), match.start()):
                continue
            dt = parse_date(match.group(0), fuzzy=True)
            if dt:
                return dt
            break
    return None
