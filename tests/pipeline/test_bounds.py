"""Bounded work: hostile sizes and shapes are read, or refused with a PipelineError, in bounded
time and memory.

Cases whose memory lives mostly in libxml2 (which tracemalloc cannot see) run in a fresh
interpreter, ``measured``, that reports its own peak resident memory; the rest are measured here
with tracemalloc. The bounds are generous, far above what the code needs, and far below what
the unbounded code took (noted at each case), so that they fail when a limit goes missing.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib
from contextlib import contextmanager

import brotli
import pytest

from newsdesk.pipeline import discover, extract, feeds, opml
from newsdesk.pipeline.archive import MAX_INFLATION, iter_warc_pages
from newsdesk.pipeline.errors import (
    ArchiveError,
    DecodeError,
    ExtractionError,
    FeedError,
    FeedTooComplex,
    PageTooComplex,
    PipelineError,
    TooComplex,
    TooLarge,
)
from newsdesk.pipeline.extraction.dom import MAX_ELEMENTS, MAX_PAGE_CHARS, within_limits
from newsdesk.pipeline.fetch import Fetcher, FetchOptions
from newsdesk.pipeline.inflate import inflate
from newsdesk.pipeline.model import ParsedFeed, Response
from tests.support.httpserver import LocalServer, Reply

MiB = 1024 * 1024
URL = "https://bounds.example/story"


def measured(setup: str) -> dict:
    """Run ``setup`` (source defining ``work()``) in a fresh interpreter and call ``work()``.

    Returns ``work()``'s JSON result (or the exception it raised: its class names and message),
    with the call's ``seconds`` and ``extra_mb``, the growth of peak resident memory during it.
    """
    script = textwrap.dedent(setup) + textwrap.dedent("""
        import json, resource, time
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            outcome = {"result": work()}
        except Exception as exc:
            outcome = {"raised": [c.__name__ for c in type(exc).__mro__], "message": str(exc)}
        outcome["seconds"] = time.perf_counter() - started
        outcome["extra_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(json.dumps(outcome))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def python_memory(limit_mb: float):
    """Assert that the Python allocations made inside stay under ``limit_mb`` at their peak."""
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1] / MiB
    finally:
        tracemalloc.stop()
    assert peak < limit_mb, f"peak {peak:.0f} MB"


def page(body: str) -> str:
    return (f"<!DOCTYPE html><html><head><title>Bounds</title></head><body><article>"
            f"<h1>A long night at the harbour</h1>{body}</article></body></html>")


PARAGRAPH = ("<p>The harbour master said the storm had moved the moorings of forty boats overnight, "
             "and that the crews would work until the morning to bring them back.</p>")


# -- a 10 MB page through extract -----------------------------------------------------------------

BIG_PAGES = {
    # Before the limits: 7.8 s and 530 MB.
    "paragraphs": "PARAGRAPH * (10 * MiB // len(PARAGRAPH))",
    # Before the limits: 20 s and 2.7 GB.
    "empty paragraphs": "'<p>x</p>' * (10 * MiB // 8)",
    # Before the limits: over five minutes (the second opinion is quadratic in <br>s).
    "line breaks": "PARAGRAPH + 'word<br>' * (10 * MiB // 8)",
}


@pytest.mark.parametrize("shape", list(BIG_PAGES))
def test_a_10_mb_page_is_extracted_in_bounded_time_and_memory(shape):
    before, after = page("|").split("|")
    outcome = measured(f"""
        from newsdesk.pipeline import extract
        MiB = {MiB}
        PARAGRAPH = {PARAGRAPH!r}
        html = ({before!r} + {BIG_PAGES[shape]} + {after!r}).encode()
        assert len(html) > 10 * MiB

        def work():
            article = extract(html, url={URL!r})
            return {{"text": article.text[:200], "notes": list(article.notes)}}
    """)
    assert "result" in outcome, outcome
    assert outcome["seconds"] < 15
    assert outcome["extra_mb"] < 500
    assert any("size limits" in note for note in outcome["result"]["notes"])


def test_pages_within_the_limits_are_read_whole():
    html = page(PARAGRAPH * 200)
    assert within_limits(html) == (html, ())


def test_a_page_made_big_by_its_scripts_keeps_its_article():
    script = "<script>var state = " + "[1, 2, 3], " * (MAX_PAGE_CHARS // 10) + "0;</script>"
    html = page(script + "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
                "\"author\": {\"name\": \"Ann Quay\"}}</script>" + PARAGRAPH * 5)
    assert len(html) > MAX_PAGE_CHARS
    article = extract(html, url=URL)
    assert "forty boats" in article.text
    assert article.authors == ("Ann Quay",)
    assert any("scripts, styles and inline images were left out" in n for n in article.notes)


def test_a_page_over_the_element_limit_is_read_up_to_it():
    html = page(PARAGRAPH * 3 + "<p>x</p>" * MAX_ELEMENTS + "<p>The last paragraph.</p>")
    article = extract(html, url=URL)
    assert "forty boats" in article.text
    assert "The last paragraph." not in article.text
    assert any(f"{MAX_ELEMENTS:,} elements" in n for n in article.notes)


# -- 20,000 nested elements ---------------------------------------------------------------------

DEPTH = 20_000


def test_20000_nested_elements_around_the_article_raise_page_too_complex():
    html = "<html><body>" + "<div>" * DEPTH + PARAGRAPH * 5 + "</div>" * DEPTH + "</body></html>"
    started = time.monotonic()
    with pytest.raises(PageTooComplex, match="nests elements more than 256 deep"):
        extract(html, url=URL)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("tag", ["span", "b", "div", "section"])
def test_20000_nested_elements_after_the_article_leave_it_readable(tag):
    html = page(PARAGRAPH * 5 + f"<{tag}>" * DEPTH + "deep" + f"</{tag}>" * DEPTH)
    started = time.monotonic()
    article = extract(html, url=URL)
    assert time.monotonic() - started < 10
    assert "forty boats" in article.text
    assert any("more than 256 deep" in n for n in article.notes)


NESTED_XML = {
    "rss description": b'<rss version="2.0"><channel><title>Deep</title><item>'
                       b"<link>https://bounds.example/1</link><description>"
                       + b"<x>" * DEPTH + b"text" + b"</x>" * DEPTH
                       + b"</description></item></channel></rss>",
    "rss items": b'<rss version="2.0"><channel>' + b"<item>" * DEPTH
                 + b"<link>https://bounds.example/1</link>" + b"</item>" * DEPTH + b"</channel></rss>",
    "atom xhtml": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://bounds.example/1"/>'
                  b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                  + b"<div>" * DEPTH + b"text" + b"</div>" * DEPTH + b"</div></content></entry></feed>",
    "rss escaped html": b'<rss version="2.0"><channel><item><link>https://bounds.example/1</link>'
                        b"<description>" + b"&lt;div&gt;" * DEPTH
                        + b"text</description></item></channel></rss>",
    "sitemap": b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + b"<url>" * DEPTH + b"<loc>https://bounds.example/1</loc>" + b"</url>" * DEPTH + b"</urlset>",
    "unclosed": b'<rss version="2.0"><channel><item><link>https://bounds.example/1</link></item>'
                + b"<x>" * DEPTH,
}


@pytest.mark.parametrize("name", list(NESTED_XML))
def test_20000_nested_xml_elements_are_read_or_refused_in_bounded_time(name):
    started = time.monotonic()
    try:
        result = feeds.parse(NESTED_XML[name], "https://bounds.example/feed")
    except FeedError:
        result = None
    assert time.monotonic() - started < 10
    assert result is None or isinstance(result, ParsedFeed)


def test_20000_nested_outlines_are_refused_with_a_clear_message():
    content = b"<opml><body>" + b"<outline text='x'>" * DEPTH + b"</outline>" * DEPTH + b"</body></opml>"
    with pytest.raises(FeedError, match="nests outlines more than 256 deep"):
        opml.parse_opml(content)


# -- a billion laughs and external entities ------------------------------------------------------

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "' + f"&lol{n - 1 if n > 1 else ''};" * 10 + '">'
                    for n in range(1, 10))
          + "]>")
LAUGHING = {
    "rss": ("rss", '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
                   "<link>https://bounds.example/1</link><description>&lol9;</description></item>"
                   "</channel></rss>"),
    "atom": ("feed", '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title><entry>'
                     '<title>&lol9;</title><link href="https://bounds.example/1"/></entry></feed>'),
    "sitemap": ("urlset", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
                          "<loc>https://bounds.example/&lol9;</loc></url></urlset>"),
    "news sitemap": ("urlset", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                               'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
                               "<loc>https://bounds.example/1</loc><news:news><news:title>&lol9;"
                               "</news:title></news:news></url></urlset>"),
    "opml": ("opml", '<opml version="2.0"><body><outline text="&lol9;" '
                     'xmlUrl="https://bounds.example/&lol9;"/></body></opml>'),
    "html": ("html", "<html><body><article><h1>&lol9;</h1>" + PARAGRAPH * 3 + "</article></body></html>"),
}


def test_a_billion_laughs_is_neither_expanded_nor_slow_on_any_path():
    # Expanded, each document would be some 3 GB of "lol".
    documents = {name: (LAUGHS.format(root=root) + body) for name, (root, body) in LAUGHING.items()}
    outcome = measured(f"""
        from newsdesk.pipeline import extract, feeds, opml
        from newsdesk.pipeline.errors import PipelineError
        documents = {documents!r}
        readers = {{"opml": opml.parse_opml, "html": lambda d: extract(d, url="https://bounds.example/")}}

        def work():
            found = {{}}
            for name, document in documents.items():
                read = readers.get(name, lambda d: feeds.parse(d, "https://bounds.example/feed"))
                try:
                    found[name] = repr(read(document.encode()))[:100_000]
                except PipelineError as exc:
                    found[name] = type(exc).__name__ + ": " + str(exc)
            return found
    """)
    assert outcome["seconds"] < 10
    assert outcome["extra_mb"] < 200
    for name, found in outcome["result"].items():
        assert "lollollol" not in found, name
    assert outcome["result"]["sitemap"].startswith("FeedTooComplex: ")
    assert "billion laughs" in outcome["result"]["sitemap"]


def test_an_opml_file_fetches_no_external_dtd_or_entity(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    with LocalServer() as server:
        server.route("/dtd", body=b'<!ENTITY leak "FETCHED-BY-PARSER">')
        server.route("/entity", body=b"FETCHED-BY-PARSER")
        content = (f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "{server.url("/dtd")}" ['
                   f'<!ENTITY file SYSTEM "file://{secret}">'
                   f'<!ENTITY net SYSTEM "{server.url("/entity")}">]>'
                   '<opml version="2.0"><body><outline text="&file;&net;&leak;" '
                   'xmlUrl="https://bounds.example/feed"/></body></opml>').encode()
        try:
            found = repr(opml.parse_opml(content))
        except FeedError as exc:
            found = str(exc)
        assert server.requests == []
    assert "TOP-SECRET" not in found and "FETCHED-BY-PARSER" not in found


# -- a JSON feed nested 100,000 deep -------------------------------------------------------------

JSON_DEEP = (b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
             + b"[" * 100_000 + b"]" * 100_000 + b"]}")


@pytest.mark.parametrize("content", [JSON_DEEP, JSON_DEEP[:-100_010]], ids=["whole", "cut off"])
def test_json_nested_100000_deep_is_a_feed_error(content):
    with pytest.raises(FeedTooComplex, match="nests arrays or objects deeper") as caught:
        feeds.parse(content, "https://bounds.example/feed.json")
    assert isinstance(caught.value, FeedError) and isinstance(caught.value, TooComplex)
    assert discover.looks_like_feed(content, "application/feed+json") is False


# -- decompression bombs ----------------------------------------------------------------------

BOMB_SIZE = 256 * MiB


def zeros_compressed(encoding: str, size: int = BOMB_SIZE) -> bytes:
    block = bytes(MiB)
    if encoding == "br":
        packer = brotli.Compressor(quality=5)
        return b"".join(packer.process(block) for _ in range(size // MiB)) + packer.finish()
    wbits = {"gzip": 31, "deflate": 15}[encoding]
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(packer.compress(block) for _ in range(size // MiB)) + packer.flush()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_response_that_inflates_to_256_mb_is_cut_at_the_limit(encoding):
    bomb = zeros_compressed(encoding)
    assert len(bomb) < MiB
    options = FetchOptions(min_host_delay=0.0, respect_robots=False, private_allowlist=("127.0.0.1",),
                           connect_timeout=2.0, read_timeout=5.0)
    assert options.max_bytes == 10 * MiB
    with LocalServer() as server, Fetcher(options) as fetcher:
        server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": encoding}))
        started = time.monotonic()
        with python_memory(100), pytest.raises(TooLarge, match=f"limit of {10 * MiB} bytes"):
            fetcher.get(server.url("/bomb"))
        assert time.monotonic() - started < 10


def warc_record(record_type: str, uri: str, block: bytes) -> bytes:
    head = (f"WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Target-URI: {uri}\r\n"
            "WARC-Date: 2024-05-02T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def http_page(html: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {len(html)}\r\n\r\n".encode() + html)


def test_gzipped_warc_members_are_read_record_by_record():
    pages = [page(PARAGRAPH).encode(), page(PARAGRAPH * 2).encode()]
    archive = b"".join(gzip.compress(warc_record("response", f"https://bounds.example/{n}", http_page(html)))
                       for n, html in enumerate(pages))
    found = list(iter_warc_pages(io.BytesIO(archive)))
    assert [r.content for r in found if isinstance(r, Response)] == pages


def bomb_member(prefix: bytes, size: int = BOMB_SIZE) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b"".join(packer.compress(bytes(MiB)) for _ in range(size // MiB))
    return packer.compress(prefix) + body + packer.flush()


@pytest.mark.parametrize("prefix", [
    b"WARC/1.0\r\nWARC-Type: response\r\nX-Header: ",  # a header line that never ends
    b"",  # not even a record
], ids=["endless header line", "zeros"])
def test_a_warc_gzip_member_that_inflates_to_256_mb_is_refused(prefix):
    good = gzip.compress(warc_record("response", "https://bounds.example/ok",
                                     http_page(page(PARAGRAPH).encode())))
    archive = good + bomb_member(prefix)
    assert len(archive) < MiB
    started = time.monotonic()
    found = []
    with python_memory(100), pytest.raises(ArchiveError, match=f"more than {MAX_INFLATION} times"):
        for item in iter_warc_pages(io.BytesIO(archive)):
            found.append(item)
    assert time.monotonic() - started < 10
    assert [r.url for r in found if isinstance(r, Response)] == ["https://bounds.example/ok"]


def test_a_stored_page_that_inflates_past_the_limit_is_refused():
    bomb = zlib.compress(bytes(BOMB_SIZE), 9)
    with python_memory(50), pytest.raises(TooLarge, match=f"limit of {10 * MiB} bytes"):
        inflate(bomb, max_bytes=10 * MiB)


def test_a_stored_page_inflates_when_within_the_limit():
    content = page(PARAGRAPH * 100).encode()
    assert inflate(zlib.compress(content, 6), max_bytes=len(content)) == content
    with pytest.raises(DecodeError, match="cut short"):
        inflate(zlib.compress(content)[:-10], max_bytes=10 * MiB)
    with pytest.raises(DecodeError, match="not readable"):
        inflate(b"not zlib at all", max_bytes=10 * MiB)


def test_every_bounded_error_is_a_pipeline_error_of_its_stage():
    for error in (FeedTooComplex, PageTooComplex, TooLarge, ArchiveError, DecodeError):
        assert issubclass(error, PipelineError)
    assert issubclass(FeedTooComplex, FeedError) and issubclass(FeedTooComplex, TooComplex)
    assert issubclass(PageTooComplex, ExtractionError) and issubclass(PageTooComplex, TooComplex)
