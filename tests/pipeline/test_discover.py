"""newsdesk.pipeline.discover: autodiscovery links and feed-or-page sniffing."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.pipeline.discover import detect_format, find_feeds, looks_like_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


EXPECTED_HOMEPAGE_FEEDS = [
    "https://www.northwind-daily.example/feeds/all.rss",
    "https://www.northwind-daily.example/feeds/city.atom",
    "https://www.northwind-daily.example/feeds/all.json",
    # after an <img> in <noscript>, which an HTML5 parser takes as the end of <head>
    "https://cdn.northwind-daily.example/feed.json",
]


def test_find_feeds_on_a_homepage():
    # Skipped: the duplicate, hreflang and oEmbed alternates, the WordPress REST API link,
    # a javascript: URL and the <a> in the body.
    found = find_feeds(load("homepage.html"), "https://www.northwind-daily.example/")
    assert found == EXPECTED_HOMEPAGE_FEEDS


def test_find_feeds_accepts_text_and_uses_base_href():
    html = load("homepage.html").decode("utf-8")
    # <base href> wins over the URL the page was fetched from
    assert find_feeds(html, "https://mirror.example/some/page") == EXPECTED_HOMEPAGE_FEEDS


def test_find_feeds_resolves_against_page_url_without_base():
    html = """<html><head>
      <link rel="alternate" type="application/atom+xml" href="../atom.xml">
      <LINK REL="ALTERNATE" TYPE="APPLICATION/RSS+XML" HREF="rss.xml">
      <link rel="alternate" type="application/rss+xml" href="">
      <link rel="alternate" type="application/rss+xml">
    </head><body></body></html>"""
    assert find_feeds(html, "https://blog.example/section/index.html") == [
        "https://blog.example/atom.xml",
        "https://blog.example/section/rss.xml",
    ]


@pytest.mark.parametrize("html", [
    "",
    "<html><head><title>No feeds</title></head><body><p>Hi</p></body></html>",
    load("article-page.html"),
    b"\x00\x01\x02 not html at all",
])
def test_find_feeds_finds_nothing(html):
    assert find_feeds(html, "https://example.com/") == []


@pytest.mark.parametrize("name, content_type, expected", [
    ("rss091.xml", "text/xml", True),
    ("rss10.rdf", "application/rdf+xml", True),
    ("rss20.xml", "text/html", True),  # servers mislabel feeds; the bytes decide
    ("atom.xml", None, True),
    ("jsonfeed11.json", "application/json", True),
    ("sitemap.xml", "application/xml", True),
    ("news-sitemap.xml", None, True),
    ("sitemap-index.xml", None, True),
    ("truncated-rss.xml", None, True),
    ("homepage.html", "text/html", False),
    ("homepage.html", "application/rss+xml", False),
    ("article-page.html", None, False),
    ("subscriptions.opml", "text/xml", False),
])
def test_looks_like_feed_on_fixtures(name, content_type, expected):
    assert looks_like_feed(load(name), content_type) is expected


@pytest.mark.parametrize("content, content_type, expected", [
    (b"", "application/rss+xml", False),
    (b'{"items": []}', "application/json", False),
    (b'{"version": "https://jsonfeed.org/version/1", "items": []}', None, True),
    (b'{"version": "https://jsonfeed.org/version/1", ', "application/feed+json", False),
    (b"<channel><title>x</title></channel>", None, True),
    (b"<something/>", "application/rss+xml", True),
    (b"<something/>", "text/xml", False),
    (b"plain words", "text/plain", False),
])
def test_looks_like_feed_edges(content, content_type, expected):
    assert looks_like_feed(content, content_type) is expected


@pytest.mark.parametrize("name, expected", [
    ("rss091.xml", "rss"), ("rss10.rdf", "rss"), ("rss20.xml", "rss"), ("atom.xml", "atom"),
    ("jsonfeed11.json", "json"), ("sitemap.xml", "sitemap"), ("news-sitemap.xml", "sitemap"),
    ("sitemap-index.xml", "sitemapindex"), ("article-page.html", "html"),
    ("homepage.html", "html"), ("subscriptions.opml", "opml"),
])
def test_detect_format(name, expected):
    assert detect_format(load(name)).kind == expected


@pytest.mark.parametrize("content, content_type, expected", [
    (b"", None, "empty"),
    (b" \r\n\t", None, "empty"),
    (b"\xef\xbb\xbf<rss version='2.0'/>", None, "rss"),
    ('<?xml version="1.0"?><feed/>'.encode("utf-16"), None, "atom"),
    (b"<?xml version='1.0'?><!-- hi --><!DOCTYPE x [<!ENTITY a 'b'>]>"
     b"<a:feed xmlns:a='x'/>", None, "atom"),
    (b"<div>fragment</div>", None, "html"),
    (b'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">'
     b"<html/>", None, "html"),
    (b"<note>hi</note>", None, "xml"),
    (b"<note>hi</note>", "text/html", "html"),
    (b"hello there", None, "unknown"),
    (b"[1, 2]", None, "json"),
])
def test_detect_format_edges(content, content_type, expected):
    assert detect_format(content, content_type).kind == expected


@pytest.mark.parametrize("content, root", [
    (b"<rss version='2.0'/>", "rss"),
    (b"<?xml version='1.0'?>\n<rdf:RDF xmlns:rdf='x'/>", "rdf:RDF"),
    (b"<json>", "json"),
    (b"{}", ""),
])
def test_detect_format_names_the_root(content, root):
    assert detect_format(content).root == root
