"""Property-based fuzzing of the pipeline's public functions, and the escapes fuzzing found.

Whatever the bytes, every public function returns its result type or raises a PipelineError,
and never one marked ``unexpected`` (that only the last line of defence caught). Inputs are
built by strategies from small documents of each kind the pipeline reads (RSS, Atom, JSON Feed,
sitemaps, OPML, pages, WARC records) in a choice of encodings, then mutated byte by byte.
``bench/fuzz.py`` runs the same property over far more inputs. The table at the end holds the
smallest input of each escape found so far, each fixed where it arose.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.pipeline import charset, discover, extract, feeds, opml
from newsdesk.pipeline.archive import iter_warc_pages
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.model import Article, ParsedFeed

FEED_URL = "https://fuzz.example/feed"
PAGE_URL = "https://fuzz.example/2024/05/story.html"

TARGETS = {
    "feeds.parse": (lambda d: feeds.parse(d, FEED_URL, "application/rss+xml"), ParsedFeed),
    "extract": (lambda d: extract(d, url=PAGE_URL), Article),
    "discover.detect_format": (lambda d: discover.detect_format(d, "text/xml"), discover.DocumentFormat),
    "discover.find_feeds": (lambda d: discover.find_feeds(d, PAGE_URL), list),
    "discover.looks_like_feed": (lambda d: discover.looks_like_feed(d, "application/json"), bool),
    "opml.parse_opml": (opml.parse_opml, list),
    "archive.iter_warc_pages": (lambda d: list(iter_warc_pages(io.BytesIO(d))), list),
    "charset.decode": (lambda d: charset.decode(d, "text/html; charset=" + d[:12].decode("latin-1")), tuple),
    "charset.decode_html": (charset.decode_html, str),
    "charset.normalize_encoding": (lambda d: charset.normalize_encoding(d[:40].decode("latin-1")),
                                   (str, type(None))),
}


def assert_typed_outcome(data: bytes) -> None:
    """Call every public function on ``data``: each returns its type or raises a PipelineError."""
    for name, (call, expected) in TARGETS.items():
        try:
            result = call(data)
        except PipelineError as exc:
            assert not exc.unexpected, f"{name}: caught only at the boundary: {exc.__cause__!r}"
            continue
        assert isinstance(result, expected), f"{name} returned {type(result).__name__}"


# -- documents ----------------------------------------------------------------------------------

TRICKY = ["&amp;", "&nbsp;", "&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&bogus;", "]]>",
          "<![CDATA[<b>x</b>]]>", "&lt;p&gt;", "\u2000", "\x0b", "\ufeff", "é", "Ж", "東京", "<", "&"]
text = st.one_of(st.text(max_size=20), st.sampled_from(TRICKY), st.sampled_from(["Harbour news", ""]))
urls = st.one_of(st.sampled_from(["https://fuzz.example/a", "/relative/b", "//cdn.fuzz.example/c",
                                  "javascript:alert(1)", "http://[::1", "feed://fuzz.example/rss", ""]),
                 st.text(max_size=15))
dates = st.sampled_from(["Tue, 02 May 2024 10:00:00 +0200", "2024-05-02T10:00:00Z", "2024-05-02",
                         "Mon, 31 Feb 9999999999 99:99:99 +9999", "yesterday", "1714644000", ""])
labels = st.sampled_from(["utf-8", "UTF-8", "iso-8859-1", "windows-1251", "shift_jis", "utf-16",
                          "utf-7", "x-bogus", "eu\xe3-jp", "utf-8\x00", ""])
GEO = ["<georss:point>45.2 -71.9</georss:point>", "<gml:pos>1 2</gml:pos>",
       "<georss:where><gml:Point><gml:pos>x y</gml:pos></gml:Point></georss:where>",
       "<georss:where><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>1 2 3</gml:posList>"
       "</gml:LinearRing></gml:exterior></gml:Polygon></georss:where>",
       '<media:content url="/v.mp4" medium="video"/><media:thumbnail url="/t.jpg"/>',
       '<itunes:image href="/c.png"/><itunes:duration>1:02</itunes:duration>']
NAMESPACES = (' xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml"'
              ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
              ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')


@st.composite
def rss(draw) -> str:
    items = draw(st.lists(st.builds(
        lambda title, link, date, extra, creator: (
            f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
            f"<description>{extra}</description><dc:creator>{creator}</dc:creator>{extra}</item>"),
        text, urls, dates, st.sampled_from(GEO + TRICKY), text), max_size=4))
    version = draw(st.sampled_from(["0.91", "0.92", "2.0"]))
    return (f'<?xml version="1.0" encoding="{draw(labels)}"?><rss version="{version}"{NAMESPACES}>'
            f"<channel><title>{draw(text)}</title>{''.join(items)}</channel></rss>")


@st.composite
def atom(draw) -> str:
    entries = draw(st.lists(st.builds(
        lambda title, link, date, kind, body: (
            f'<entry><title type="html">{title}</title><link rel="alternate" href="{link}"/>'
            f"<id>{link}</id><updated>{date}</updated><author><name>{title}</name></author>"
            f'<content type="{kind}">{body}</content></entry>'),
        text, urls, dates, st.sampled_from(["html", "text", "xhtml"]), text), max_size=4))
    return (f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{draw(urls)}"><title>{draw(text)}'
            f"</title>{''.join(entries)}</feed>")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10)


@st.composite
def json_feed(draw) -> str:
    items = draw(st.lists(st.fixed_dictionaries(
        {"url": urls, "id": json_values, "title": json_values, "date_published": dates},
        optional={"content_html": text, "tags": json_values, "authors": json_values}), max_size=4))
    version = draw(st.sampled_from(["https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1", 2]))
    return json.dumps({"version": version, "title": draw(json_values), "items": items})


@st.composite
def sitemap(draw) -> str:
    root, child = draw(st.sampled_from([("urlset", "url"), ("sitemapindex", "sitemap")]))
    rows = draw(st.lists(st.builds(
        lambda loc, date, title: (f"<{child}><loc>{loc}</loc><lastmod>{date}</lastmod><news:news>"
                                  f"<news:title>{title}</news:title></news:news></{child}>"),
        urls, dates, text), max_size=4))
    return (f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(rows)}</{root}>')


outlines = st.recursive(
    st.builds(lambda t, u: f'<outline text="{t}" xmlUrl="{u}"/>', text, urls),
    lambda inner: st.builds(lambda t, kids: f'<outline text="{t}">{"".join(kids)}</outline>',
                            text, st.lists(inner, max_size=3)),
    max_leaves=8)


@st.composite
def opml_document(draw) -> str:
    return f'<opml version="2.0"><body>{"".join(draw(st.lists(outlines, max_size=4)))}</body></opml>'


elements = st.recursive(
    text,
    lambda inner: st.builds(lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
                            st.sampled_from(["p", "div", "article", "h1", "li", "span", "a", "nav",
                                             "noscript", "figure", "table", "script", "form"]),
                            st.lists(inner, max_size=3)),
    max_leaves=12)


@st.composite
def html_page(draw) -> str:
    head = draw(st.sampled_from(['<meta charset="utf-8">', '<meta charset="x-bogus">',
                                 '<link rel="alternate" type="application/rss+xml" href="/rss">',
                                 '<script type="application/ld+json">{"@type": "NewsArticle", '
                                 '"author": [{"name": "Ann"}, 3]}</script>', ""]))
    body = "".join(draw(st.lists(elements, max_size=5)))
    words = " ".join(["The harbour reopened after the storm, said the council."] * draw(st.integers(0, 6)))
    return f"<html><head><title>{draw(text)}</title>{head}</head><body><p>{words}</p>{body}</body></html>"


@st.composite
def warc(draw) -> str:
    records = []
    for kind, uri, status, body in draw(st.lists(st.tuples(
            st.sampled_from(["response", "request", "warcinfo", "revisit"]), urls,
            st.sampled_from(["200 OK", "404 Not Found", "2", ""]), text), min_size=1, max_size=3)):
        block = f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\n\r\n<html><body><p>{body}</p></body></html>"
        records.append(f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
                       f"Content-Length: {len(block.encode())}\r\n\r\n{block}\r\n\r\n")
    return "".join(records)


documents = st.one_of(rss(), atom(), json_feed(), sitemap(), opml_document(), html_page(), warc())
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252", "shift_jis", "koi8-r"]


@st.composite
def encoded(draw) -> bytes:
    return draw(documents).encode(draw(st.sampled_from(ENCODINGS)), errors="xmlcharrefreplace")


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(encoded()))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(max_size=8) | st.sampled_from([t.encode() for t in TRICKY + GEO]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 64))] * draw(st.integers(1, 8))
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


# Deterministic (the same examples on every run) and some 15 s in all on two cores.
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@fuzz(1000)
@given(encoded())
def test_documents_give_their_result_or_a_pipeline_error(data):
    assert_typed_outcome(data)


@fuzz(1500)
@given(mutated())
def test_mutated_documents_give_their_result_or_a_pipeline_error(data):
    assert_typed_outcome(data)


@fuzz(300)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_pipeline_error(data):
    assert_typed_outcome(data)


# -- the escapes found, each as its smallest input -------------------------------------------------

def rss_with(inner: str, namespaces: str = "") -> bytes:
    return (f'<rss version="2.0"{namespaces}><channel><item><link>https://escape.example/1</link>'
            f"{inner}</item></channel></rss>").encode()


JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "items": [%s]}'
GEO_NAMESPACES = ' xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml"'

# (public function, input, what escaped before the fix, and where it was fixed)
ESCAPES = {
    "non-ASCII encoding label": (  # UnicodeDecodeError in feedparser; feedbytes._as_utf8
        "feeds.parse", b'<?xml version="1.0" encoding="eu\xe3-jp"?>' + rss_with("")),
    "NUL in encoding label": (  # ValueError: embedded null character; feedbytes._as_utf8
        "feeds.parse", b'<?xml version="1.0" encoding="utf-8\x00"?>' + rss_with("")),
    "GML position outside georss:where": (  # KeyError 'where'; feedbytes._hide_geometry
        "feeds.parse", rss_with("<gml:pos>45.2 -71.9</gml:pos>", GEO_NAMESPACES)),
    "GML polygon that is no line": (  # TypeError in georss._parse_poslist; feedbytes._hide_geometry
        "feeds.parse", rss_with("<georss:where><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>x"
                                "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></georss:where>",
                                GEO_NAMESPACES)),
    "character reference past a C int": (  # OverflowError in chr(); feedbytes._checked_char_ref
        "feeds.parse", rss_with("<title>&#99999999999;</title>")),
    "character reference past Unicode": (  # ValueError in chr(); feedbytes._checked_char_ref
        "feeds.parse", rss_with("<title>&#x110000;</title>")),
    "character reference to a surrogate": (  # UnicodeEncodeError; feedbytes._checked_char_ref
        "feeds.parse", rss_with("<title>&#xD800;</title>")),
    "Unicode space in a namespace name": (  # ValueError in xml.sax; feedbytes._namespace_without_whitespace
        "feeds.parse", rss_with("<a:b>x</a:b>", ' xmlns:a="urn:x\u2000y"')),
    "brace in a sitemap's namespace": (  # ValueError from etree.QName; feeds._local_name
        "feeds.parse", b'<urlset xmlns="urn:a}b"><url><loc>https://escape.example/1</loc></url></urlset>'),
    "year past a C int in an RFC 822 date": (  # OverflowError in email.utils; dates._strict
        "feeds.parse", rss_with("<pubDate>Mon, 01 Jan 9999999999 00:00:00 +0000</pubDate>")),
    "end tag inside an open link": (  # KeyError 'links' in feedparser; feeds._feedparser_parse
        "feeds.parse", b'<rss version="0.92"><channel><item><link>http://escape.example/</entry>1</link>'
                       b"</item></channel></rss>"),
    "JSON nested 100,000 deep": (  # RecursionError; discover.looks_like_feed, feeds._parse_json_feed
        "discover.looks_like_feed", b"[" * 100_000),
    "element named <links>": (  # AttributeError: feedparser's links became text; feeds._records
        "feeds.parse", b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>https://escape.example/1</id>'
                       b"<links>x</links></entry></feed>"),
    "JSON Feed author name that is no text": (  # TypeError; feeds._authors
        "feeds.parse", JSON_FEED % b'{"url": "https://escape.example/1", "authors": [{"name": 5}]}'),
    "JSON Feed tags that are no list": (  # TypeError; feeds._json_entry
        "feeds.parse", JSON_FEED % b'{"url": "https://escape.example/1", "tags": true}'),
    "JSON escape of half a surrogate pair": (  # UnicodeEncodeError in urls; jsontext.loads
        "feeds.parse", JSON_FEED % b'{"url": "https://escape.example/\\ud800"}'),
    "JSON-LD nested 5,000 deep": (  # RecursionError; extraction.metadata._jsonld_articles
        "extract", b'<html><head><script type="application/ld+json">' + b"[" * 5000 + b"]" * 5000
                   + b"</script></head><body><article><p>" + b"Words of the story. " * 20
                   + b"</p></article></body></html>"),
    "WARC response without a target URI": (  # AttributeError in warcio; archive._pages
        "archive.iter_warc_pages", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 19\r\n\r\n"
                                   b"HTTP/1.1 200 OK\r\n\r\n\r\n\r\n"),
    "control character in a moved tail": (  # ValueError in lxml; extraction.dom.parse_page
        "extract", b"<html><body><nav><a href='/'>Home</a></nav>\x0b<article><p>"
                   + b"Words of the story. " * 20 + b"</p></article></body></html>"),
}


@pytest.mark.parametrize("name", list(ESCAPES))
def test_escape_found_by_fuzzing_is_fixed(name):
    function, data = ESCAPES[name]
    call, expected = TARGETS[function]
    try:
        result = call(data)
    except PipelineError as exc:
        assert not exc.unexpected, repr(exc.__cause__)
    else:
        assert isinstance(result, expected)
    assert_typed_outcome(data)


def test_feeds_with_escapes_fixed_at_their_cause_are_still_read():
    for name in ("non-ASCII encoding label", "GML position outside georss:where",
                 "character reference to a surrogate", "Unicode space in a namespace name",
                 "year past a C int in an RFC 822 date"):
        feed = feeds.parse(ESCAPES[name][1], FEED_URL)
        assert [e.url for e in feed.entries] == ["https://escape.example/1"], name
    surrogate = feeds.parse(rss_with("<title>a&#xD800;b</title>"), FEED_URL)
    assert surrogate.entries[0].title == "a\ufffdb"
    (entry,) = feeds.parse(ESCAPES["JSON escape of half a surrogate pair"][1], FEED_URL).entries
    assert entry.url == "https://escape.example/%EF%BF%BD"
