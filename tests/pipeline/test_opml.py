"""newsdesk.pipeline.opml: reading and writing subscription lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.pipeline.errors import FeedError
from newsdesk.pipeline.opml import OpmlOutline, parse_opml, write_opml

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def test_parse_flattens_nested_folders():
    outlines = parse_opml((FIXTURES / "subscriptions.opml").read_bytes())
    assert outlines == [
        OpmlOutline("Top-level feed", "https://gazette.example/rss", "https://gazette.example/"),
        OpmlOutline("Northwind Daily", "https://www.northwind-daily.example/feeds/all.rss",
                    "https://www.northwind-daily.example/", "Local"),
        # the nearest folder names the category
        OpmlOutline("Lakeside Ledger", "https://lakeside-ledger.example/feed.json", "", "Sport"),
        # feed:// read as http://, attribute names in any case
        OpmlOutline("Old browser link", "http://valley-herald.example/rss", "", ""),
        # no folder: the first of its own category paths
        OpmlOutline("Tagged", "https://blog.riverside.example/atom.xml", "", "Culture/Blogs"),
        # the duplicate and the javascript: URL are gone
    ]


def test_round_trip():
    outlines = [
        OpmlOutline("Gazette", "https://gazette.example/rss", "https://gazette.example/", ""),
        OpmlOutline("Herald & Times", "https://herald.example/feed?a=1&b=2", "", "Local"),
        OpmlOutline("Ledger", "https://ledger.example/feed.json", "https://ledger.example/",
                    "Sport"),
        OpmlOutline("Chronicle <daily>", "https://chronicle.example/atom", "", "Local"),
        OpmlOutline("Élan", "https://élan.example/rss", "", "Culture/Blogs"),
    ]
    text = write_opml(outlines, title="Export test")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "<title>Export test</title>" in text
    read = parse_opml(text.encode("utf-8"))
    # grouped by category (folders in first-seen order), each folder written once
    assert read == [outlines[0], outlines[1], outlines[3], outlines[2], outlines[4]]
    assert text.count('text="Local"') == 1


def test_write_empty():
    text = write_opml([])
    assert "<title>newsdesk sources</title>" in text
    assert parse_opml(text.encode()) == []


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   ", "empty"),
    (b"<opml><body><outline text='x'", "not a valid OPML"),
    (b"not xml at all", "not a valid OPML"),
    (b'<rss version="2.0"><channel/></rss>', "not OPML"),
])
def test_malformed(content, message):
    with pytest.raises(FeedError, match=message):
        parse_opml(content)


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY file SYSTEM "file://{secret}">]>'
        f'<opml version="2.0"><body><outline text="&file;" xmlUrl="https://x.example/rss"/></body></opml>'
    ).encode()
    try:
        outlines = parse_opml(content)
    except FeedError:
        return
    assert "TOP-SECRET" not in repr(outlines)
