"""newsdesk.pipeline.feeds on committed fixtures and generated hostile input."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from newsdesk.pipeline.errors import FeedError
from newsdesk.pipeline.feeds import FeedOptions, parse
from newsdesk.pipeline.model import ParsedFeed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_url(feed: ParsedFeed) -> dict:
    return {e.url: e for e in feed.entries}


def assert_dates_aware(feed: ParsedFeed) -> None:
    for entry in feed.entries:
        for value in (entry.published, entry.updated):
            assert value is None or value.utcoffset() is not None


# --- formats --------------------------------------------------------------------------------


def test_rss_091_resolves_relative_links_and_decodes_latin1():
    feed = parse(load("rss091.xml"), "https://gazette.example/rss")
    assert feed.kind == "rss"
    assert feed.title == "The Harbourside Gazette"
    assert feed.language == "en-us"
    assert [e.url for e in feed.entries] == [
        "https://gazette.example/news/ferry-timetable",
        "https://gazette.example/news/cafe-reopens",
    ]
    assert feed.entries[1].title == "Café on Quay Street reopens"
    assert feed.entries[1].summary == "After the flood, the café is back."
    assert feed.entries[0].published is None


def test_rss_10_rdf_reads_dublin_core():
    feed = parse(load("rss10.rdf"), "https://valley-herald.example/rss")
    assert feed.kind == "rss"
    assert feed.language == "de"
    bridge, choir = feed.entries
    assert bridge.url == "https://valley-herald.example/2024/bridge"
    assert bridge.summary == "Works will last three weeks."
    assert bridge.authors == ("Mara Lindqvist",)
    assert bridge.categories == ("Transport",)
    # dc:date is the only date RSS 1.0 has; it stands for publication.
    assert bridge.published == datetime(2024, 3, 4, 8, 30, tzinfo=UTC)
    assert choir.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert_dates_aware(feed)


def test_rss_20_content_media_and_cleanup():
    feed = parse(load("rss20.xml"), "https://www.northwind-daily.example/feed",
                 "application/rss+xml")
    assert feed.kind == "rss"
    assert feed.title == "Northwind Daily"
    assert feed.link == "https://www.northwind-daily.example/"
    assert feed.language == "en-GB"
    urls = [e.url for e in feed.entries]
    assert urls == [
        # tracking parameters removed, so the "(updated)" duplicate collapses into the first
        "https://www.northwind-daily.example/city/tram-line",
        "https://www.northwind-daily.example/culture/harbour-festival",  # relative link resolved
        "https://www.northwind-daily.example/podcast/week-19",  # fragment dropped
        "https://www.northwind-daily.example/weather/today",
        # the item without a link and the mailto: item are gone
    ]
    tram, festival, podcast, weather = feed.entries
    assert tram.title == "Council approves new tram line"  # the first of the duplicates wins
    assert tram.summary == "The east–west line opens in 2026. Second paragraph."
    assert "track()" not in tram.summary
    assert tram.content_html.startswith("<p>The east–west line opens in 2026.")
    assert 'src="https://www.northwind-daily.example/img/tram-inline.jpg"' in tram.content_html
    assert tram.image == "https://cdn.northwind-daily.example/tram.jpg"
    assert tram.published == datetime(2024, 5, 7, 12, 30, tzinfo=UTC)
    assert tram.authors == ("Ola Brekke",)
    assert tram.guid == "nd-1001"
    assert tram.categories == ("City", "Transport")
    assert festival.image == "https://cdn.northwind-daily.example/festival.png"
    assert festival.authors == ("Culture Desk",)
    assert festival.content_html == ""
    assert podcast.published is None  # "sometime last week"
    assert podcast.image is None  # an audio enclosure is not an image
    assert weather.published == datetime(2024, 5, 8, 6, 0, tzinfo=UTC)  # no zone given: UTC
    assert_dates_aware(feed)


def test_atom_base_authors_and_content_kinds():
    feed = parse(load("atom.xml"), "https://blog.riverside.example/atom.xml")
    assert feed.kind == "atom"
    assert feed.title == "Riverside Notes"
    assert feed.link == "https://blog.riverside.example/"
    assert feed.language == "fr"
    marche, biblio, id_only = feed.entries
    assert marche.url == "https://blog.riverside.example/posts/marche-samedi"
    assert marche.summary == "Des fraises & des cerises, déjà."
    assert 'href="https://blog.riverside.example/tags/fruits"' in marche.content_html
    assert marche.published == datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    assert marche.updated == datetime(2024, 5, 1, 7, 15, tzinfo=UTC)
    assert marche.authors == ("Élise Martin",)  # inherited from the feed
    assert marche.image == "https://blog.riverside.example/media/marche.jpg"
    assert marche.guid == "tag:riverside.example,2024:1"
    assert marche.categories == ("marché",)
    assert biblio.authors == ("Hugo Petit",)
    assert biblio.content_html == "<p>Ouvert jusqu'à <strong>20 h</strong>.</p>"
    assert biblio.summary == ""  # the feed gave no summary; content is not one
    assert biblio.published == biblio.updated == datetime(2024, 4, 28, 10, 0, tzinfo=UTC)
    # no <link>: the id is the permalink; text content is escaped, not read as markup
    assert id_only.url == "https://blog.riverside.example/posts/id-only"
    assert id_only.content_html == "<p>Line one.</p><p>Line two &lt;not a tag&gt;.</p>"


def test_json_feed_11():
    feed = parse(load("jsonfeed11.json"), "https://lakeside-ledger.example/feed.json",
                 "application/feed+json")
    assert feed.kind == "json"
    assert feed.title == "Lakeside Ledger"
    assert feed.link == "https://lakeside-ledger.example/"
    assert feed.language == "en"
    assert [e.url for e in feed.entries] == [
        "https://lakeside-ledger.example/2024/05/regatta",
        "https://lakeside-ledger.example/2024/05/library-fines",
        "https://elsewhere.example/story",
    ]
    regatta, fines, linked = feed.entries
    assert regatta.title == "Regatta postponed by fog"
    assert regatta.content_html == "<p>Fog over the lake kept the boats ashore.</p>"
    assert regatta.summary == "Fog kept the boats ashore."
    assert regatta.image == "https://lakeside-ledger.example/images/regatta.jpg"
    assert regatta.published == datetime(2024, 5, 3, 11, 45, tzinfo=UTC)
    assert regatta.published.tzinfo == UTC
    assert regatta.updated == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    assert regatta.authors == ("Priya Nair", "Tom Ek")
    assert regatta.categories == ("Sport", "Lake")
    assert fines.guid == "43"
    assert fines.summary == "From June, no more late fines."
    assert fines.published is None  # "not a date"
    assert fines.authors == ("Ledger Staff",)  # the feed's authors by default
    assert linked.image == "https://lakeside-ledger.example/banner.png"


def test_json_feed_10_single_author():
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old style",
        "author": {"name": "Single Author"},
        "items": [{"id": "1", "url": "https://old.example/1", "content_text": "Hello"}],
    }
    feed = parse(json.dumps(doc).encode(), "https://old.example/feed.json")
    (entry,) = feed.entries
    assert entry.authors == ("Single Author",)
    assert entry.summary == "Hello"


def test_sitemap():
    feed = parse(load("sitemap.xml"), "https://www.pinecrest-post.example/sitemap.xml")
    assert feed.kind == "sitemap"
    entries = by_url(feed)
    assert list(entries) == [
        "https://www.pinecrest-post.example/",
        "https://www.pinecrest-post.example/local/school-garden",
        "https://www.pinecrest-post.example/local/new-bakery",  # listed twice, kept once
        "https://www.pinecrest-post.example/local/storm",  # the ftp: URL is dropped
    ]
    garden = entries["https://www.pinecrest-post.example/local/school-garden"]
    assert garden.updated == garden.published == datetime(2024, 4, 30, tzinfo=UTC)
    assert garden.image == "https://www.pinecrest-post.example/img/garden.jpg"
    bakery = entries["https://www.pinecrest-post.example/local/new-bakery"]
    assert bakery.updated == datetime(2024, 5, 1, 14, 20, tzinfo=UTC)
    assert entries["https://www.pinecrest-post.example/local/storm"].updated is None
    assert_dates_aware(feed)


def test_google_news_sitemap():
    feed = parse(load("news-sitemap.xml"), "https://pinecrest-post.example/news.xml")
    assert feed.kind == "sitemap"
    assert feed.title == "The Pinecrest Post"
    assert feed.language == "en"
    mayor, roadworks = feed.entries
    assert mayor.url == "https://pinecrest-post.example/2024/05/07/mayor-election"
    assert mayor.title == "Mayor re-elected by 212 votes"
    assert mayor.published == datetime(2024, 5, 7, 18, 5, tzinfo=UTC)
    assert mayor.categories == ("election", "mayor", "local politics")
    assert mayor.image == "https://pinecrest-post.example/img/mayor.jpg"
    assert roadworks.title == "Roadworks on Elm Street & Oak Lane"
    assert roadworks.published == datetime(2024, 5, 7, tzinfo=UTC)


def test_sitemap_index():
    feed = parse(load("sitemap-index.xml"), "https://pinecrest-post.example/sitemap.xml")
    assert feed.kind == "sitemapindex"
    assert feed.entries == ()
    assert feed.sitemaps == (
        "https://pinecrest-post.example/sitemaps/news.xml",
        "https://pinecrest-post.example/sitemaps/archive-2023.xml",
    )


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/html", "application/rss+xml"])
def test_html_page_is_not_a_feed(content_type):
    with pytest.raises(FeedError, match="this is an HTML page, not a feed"):
        parse(load("article-page.html"), "https://example.com/", content_type)


def test_random_bytes():
    noise = random.Random(1).randbytes(4096)
    with pytest.raises(FeedError):
        parse(noise, "https://example.com/feed")
    with pytest.raises(FeedError, match="neither XML nor JSON"):
        parse(b"\x1f\x8b\x08\x00" + noise, "https://example.com/feed")  # gzip left compressed


@pytest.mark.parametrize("content", [b"", b"   \n  "])
def test_empty_body(content):
    with pytest.raises(FeedError, match="empty"):
        parse(content, "https://example.com/feed")


def test_truncated_rss_returns_the_complete_items():
    feed = parse(load("truncated-rss.xml"), "https://courier.example/rss")
    assert feed.title == "Cut-off Courier"
    assert [e.url for e in feed.entries] == ["https://courier.example/one", "https://courier.example/two"]


def test_truncated_inside_a_link_keeps_no_partial_url():
    content = load("truncated-rss.xml").replace(b"/thr", b"/three</link><description>cut he")
    feed = parse(content, "https://courier.example/rss")
    assert [e.url for e in feed.entries] == ["https://courier.example/one", "https://courier.example/two"]


def test_truncated_without_a_complete_item_raises():
    content = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>Only'
    with pytest.raises(FeedError, match="malformed"):
        parse(content, "https://courier.example/rss")


def test_truncated_atom_returns_the_complete_entries():
    content = load("atom.xml")
    content = content[: content.index(b"<entry>", content.index(b"</entry>")) + 40]
    feed = parse(content, "https://blog.riverside.example/atom.xml")
    assert [e.url for e in feed.entries] == ["https://blog.riverside.example/posts/marche-samedi"]


def test_truncated_json_feed_returns_the_complete_items():
    content = load("jsonfeed11.json")
    content = content[: content.index(b'"id": "ll-44"') + 20]
    feed = parse(content, "https://lakeside-ledger.example/feed.json")
    assert [e.url for e in feed.entries] == [
        "https://lakeside-ledger.example/2024/05/regatta",
        "https://lakeside-ledger.example/2024/05/library-fines",
    ]


def test_truncated_sitemap_returns_the_complete_urls():
    content = load("sitemap.xml")
    content = content[: content.index(b"new-bakery") + 5]
    feed = parse(content, "https://www.pinecrest-post.example/sitemap.xml")
    assert [e.url for e in feed.entries] == [
        "https://www.pinecrest-post.example/",
        "https://www.pinecrest-post.example/local/school-garden",
    ]


def test_malformed_sitemap_without_urls_raises():
    with pytest.raises(FeedError, match="malformed"):
        parse(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a',
              "https://example.com/sitemap.xml")


@pytest.mark.parametrize("content, message", [
    (b'{"data": [1, 2, 3]}', "not a JSON Feed"),
    (b'[{"url": "https://example.com/"}]', "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "not a JSON Feed"),
    (b'{"title": "broken", ', "not valid JSON"),
])
def test_json_that_is_not_a_json_feed(content, message):
    with pytest.raises(FeedError, match=message):
        parse(content, "https://example.com/feed.json")


def test_xml_that_is_not_a_feed():
    with pytest.raises(FeedError, match="not a feed"):
        parse(b"<?xml version='1.0'?><note><to>Tove</to></note>", "https://example.com/x.xml")


def test_opml_given_as_feed():
    with pytest.raises(FeedError, match="OPML"):
        parse(load("subscriptions.opml"), "https://example.com/subs.opml")


def test_valid_feed_without_items_is_empty_not_an_error():
    feed = parse(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>',
                 "https://example.com/rss")
    assert feed.kind == "rss" and feed.title == "Quiet" and feed.entries == ()


@pytest.mark.parametrize("date, expected", [
    ("Tue, 07 May 2024 14:30:00 +0200", datetime(2024, 5, 7, 12, 30, tzinfo=UTC)),
    ("Tue, 07 May 2024 14:30:00", datetime(2024, 5, 7, 14, 30, tzinfo=UTC)),
    ("2024-05-07T14:30:00-05:00", datetime(2024, 5, 7, 19, 30, tzinfo=UTC)),
    ("", None),
    ("32 Smarch 2024", None),
    ("0000-00-00 00:00:00", None),
])
def test_item_dates(date, expected):
    content = (f'<rss version="2.0"><channel><item><link>https://example.com/a</link>'
               f"<pubDate>{date}</pubDate></item></channel></rss>").encode()
    (entry,) = parse(content, "https://example.com/rss").entries
    assert entry.published == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_undeclared_html_entities_do_not_lose_items(encoding):
    # &nbsp; is undefined in XML; such feeds are common and must still be read whole.
    content = (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
               "<title>Caf\u00e9&nbsp;News</title>"
               "<item><title>A&nbsp;B</title><link>https://nbsp.example/a</link></item>"
               "<item><title>C</title><link>https://nbsp.example/c</link></item>"
               "</channel></rss>").encode(encoding)
    feed = parse(content, "https://nbsp.example/rss")
    assert feed.title == "Caf\u00e9 News"
    assert [(e.title, e.url) for e in feed.entries] == [
        ("A B", "https://nbsp.example/a"), ("C", "https://nbsp.example/c")]


def test_json_feed_with_byte_order_mark():
    content = b"\xef\xbb\xbf" + load("jsonfeed11.json")
    assert len(parse(content, "https://lakeside-ledger.example/feed.json").entries) == 3


# --- size and hostile documents -------------------------------------------------------------


def big_rss(count: int) -> bytes:
    items = b"".join(
        b"<item><title>Story %d</title><link>https://big.example/%d</link>"
        b"<description>Text of story %d.</description></item>" % (i, i, i)
        for i in range(count)
    )
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
    return head + items + b"</channel></rss>"


def test_huge_feed_is_capped_quickly():
    content = big_rss(50_000)
    cap = FeedOptions().max_entries
    feed = parse(content, "https://big.example/rss")
    assert len(feed.entries) == cap
    assert feed.entries[0].url == "https://big.example/0"
    assert feed.entries[-1].url == f"https://big.example/{cap - 1}"


def test_entry_cap_is_an_option():
    feed = parse(big_rss(30), "https://big.example/rss", options=FeedOptions(max_entries=10))
    assert [e.url for e in feed.entries] == [f"https://big.example/{i}" for i in range(10)]
    feed = parse(big_rss(10), "https://big.example/rss", options=FeedOptions(max_entries=10))
    assert len(feed.entries) == 10


def test_huge_atom_feed_is_capped():
    entries = b"".join(b"<entry><id>urn:x:%d</id><link href='/e/%d'/></entry>" % (i, i)
                       for i in range(5000))
    content = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>' + entries + b"</feed>"
    feed = parse(content, "https://big.example/atom", options=FeedOptions(max_entries=50))
    assert feed.kind == "atom"
    assert len(feed.entries) == 50
    assert feed.entries[-1].url == "https://big.example/e/49"


def test_huge_sitemap_keeps_the_most_recent():
    # every thousandth URL is the newest; the rest are older
    old = b"<url><loc>https://big.example/%d</loc><lastmod>2024-01-01T00:00:%02dZ</lastmod></url>"
    new = b"<url><loc>https://big.example/%d</loc><lastmod>2024-06-01</lastmod></url>"
    urls = b"".join(old % (i, i % 60) if i % 1000 else new % i for i in range(50_000))
    content = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"
    feed = parse(content, "https://big.example/sitemap.xml", options=FeedOptions(max_entries=50))
    expected = [f"https://big.example/{i}" for i in range(0, 50_000, 1000)]
    assert [e.url for e in feed.entries] == expected


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


@pytest.mark.parametrize("body", [
    b'<rss version="2.0"><channel><title>&lol9;</title>'
    b"<item><title>&lol9;</title><link>https://laughs.example/a</link></item></channel></rss>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>'
    b"<entry><title>&lol9;</title><link href='https://laughs.example/a'/></entry></feed>",
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://laughs.example/a</loc></url><url><loc>&lol9;</loc></url></urlset>",
])
def test_billion_laughs_is_not_expanded(body):
    try:
        feed = parse(BILLION_LAUGHS + body, "https://laughs.example/feed")
    except FeedError:
        return  # refusing the document is fine too
    assert "lollol" not in repr(feed)
    assert [e.url for e in feed.entries] == ["https://laughs.example/a"]


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server hook's name
        self.server.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"FETCHED-BY-PARSER")

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback():
    """A web server on 127.0.0.1 that records every request made to it."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def xxe_document(template: bytes, tmp_path: Path, loopback) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    port = loopback.server_address[1]
    doctype = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [\n'
        f'<!ENTITY file SYSTEM "file://{secret}">\n'
        f'<!ENTITY net SYSTEM "http://127.0.0.1:{port}/entity">\n'
        f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/dtd"> %remote;\n]>\n'
    ).encode()
    return doctype + template


@pytest.mark.parametrize("body", [
    b'<rss version="2.0"><channel><title>&file;</title><item><title>&net;</title>'
    b"<description>&file;</description><link>https://xxe.example/a</link></item></channel></rss>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&file;</title>'
    b"<entry><title>&net;</title><link href='https://xxe.example/a'/></entry></feed>",
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    b"<url><loc>https://xxe.example/a</loc><news:news><news:title>&file;&net;</news:title>"
    b"</news:news></url></urlset>",
])
def test_external_entities_are_neither_read_nor_fetched(body, tmp_path, loopback):
    content = xxe_document(body, tmp_path, loopback)
    try:
        feed = parse(content, "https://xxe.example/feed")
    except FeedError:
        feed = None
    assert "TOP-SECRET" not in repr(feed)
    assert "FETCHED-BY-PARSER" not in repr(feed)
    assert loopback.hits == []


def test_truncated_feed_notes_what_was_kept():
    content = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
               b"<item><title>One</title><link>https://news.example/one</link></item>"
               b"<item><title>Two</title><link>https://news.example/two</link></item>"
               b"<item><title>Thr")
    parsed = parse(content, "https://news.example/feed.xml")
    assert [e.url for e in parsed.entries] == ["https://news.example/one", "https://news.example/two"]
    assert parsed.notes and "2 complete entries" in parsed.notes[0]
