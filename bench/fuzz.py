"""Fuzzing the pipeline's public functions: each must return its result or raise a PipelineError.

Usage::

    python bench/fuzz.py                                # 100,000 inputs, seed 0, two processes
    python bench/fuzz.py --inputs 5000 --seed 7 --processes 1
    python bench/fuzz.py --save bench/.cache/escapes    # also write every escaping input there

The seeds are written below: RSS 0.9x, 1.0 and 2.0, Atom, JSON Feed, sitemaps (news, image,
index), OPML, article pages, WARC records, and documents that lie about their charset, carry a
byte-order mark, play entity tricks, use georss/GML, Media RSS and iTunes tags, nest deeply or
stop part-way. Each input is a seed or a seed mutated one to four times (bit flips, byte inserts
and deletes, chunk duplication, splicing two seeds, truncation, markup inserts, swapped encoding
declarations). Every input goes through every public function under a time guard; an exception
that is not a PipelineError is an escape. The report goes to ``bench/results/fuzz.md``.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import io
import json
import multiprocessing
import random
import signal
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.pipeline import charset, discover, extract, feeds, opml  # noqa: E402
from newsdesk.pipeline.archive import iter_warc_pages  # noqa: E402
from newsdesk.pipeline.errors import PipelineError  # noqa: E402
from newsdesk.pipeline.model import Article, ParsedFeed  # noqa: E402

FEED_URL = "https://news.example/feed"
PAGE_URL = "https://news.example/2024/05/story.html"
TIME_GUARD = 10.0  # seconds one call may take before it is stopped and reported as slow
MAX_INPUT = 512 * 1024  # mutations that grow an input stop here


# -- seeds ----------------------------------------------------------------------------------------

WORDS = ("council budget river bridge school vote mayor storm harbour train museum winter "
         "election court report police market festival library hospital farmers drought "
         "élection café naïve Zürich Ελλάδα Москва 東京 ñandú").split()


def _sentence(rng: random.Random, words: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    return [" ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
            for _ in range(count)]


def _rss2(rng: random.Random, extras: str = "", items: int = 3, item_extras: str = "") -> str:
    body = "".join(
        f"<item><title>{_sentence(rng, 5)}</title><link>https://news.example/a/{i}</link>"
        f"<guid isPermaLink='false'>id-{i}</guid><description>&lt;p&gt;{_sentence(rng)}&lt;/p&gt;"
        f"</description><pubDate>Tue, 0{i % 9 + 1} May 2024 10:00:00 +0200</pubDate>"
        f"<category>news</category><dc:creator>Jane Roe</dc:creator>"
        f"<content:encoded><![CDATA[<p>{_sentence(rng)}</p><img src='/i/{i}.jpg'>]]></content:encoded>"
        f"{item_extras}</item>" for i in range(items))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:media="http://search.yahoo.com/mrss/" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml" '
            'xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>The Example News</title><link>https://news.example/</link>"
            f"<language>en-gb</language><atom:link rel='self' href='{FEED_URL}'/>{extras}{body}"
            "</channel></rss>")


def _rss091(rng: random.Random) -> str:
    items = "".join(f"<item><title>{_sentence(rng, 4)}</title><link>/old/{i}.html</link>"
                    f"<description>{_sentence(rng)}</description></item>" for i in range(3))
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE rss PUBLIC '
            '"-//Netscape Communications//DTD RSS 0.91//EN" '
            '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
            f'<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link>'
            f"<description>Caf\xe9</description><language>fr</language>{items}</channel></rss>")


def _rss092(rng: random.Random) -> str:
    items = "".join(f'<item><title>{_sentence(rng, 4)}</title><link>http://old.example/{i}</link>'
                    f'<enclosure url="http://old.example/{i}.mp3" length="1" type="audio/mpeg"/>'
                    f'<source url="http://src.example/rss">Source</source></item>' for i in range(2))
    return f'<rss version="0.92"><channel><title>Ninety-two</title>{items}</channel></rss>'


def _rss10(rng: random.Random) -> str:
    items = "".join(
        f'<item rdf:about="https://rdf.example/{i}"><title>{_sentence(rng, 4)}</title>'
        f"<link>https://rdf.example/{i}</link><dc:date>2024-05-0{i + 1}T08:00:00Z</dc:date>"
        f"<description>{_sentence(rng)}</description></item>" for i in range(3))
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/'
            '</link><items><rdf:Seq><rdf:li resource="https://rdf.example/0"/></rdf:Seq></items>'
            f"</channel>{items}</rdf:RDF>")


def _atom(rng: random.Random, content_type: str = "html") -> str:
    if content_type == "xhtml":
        content = ('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                   f"<p>{_sentence(rng)}</p></div></content>")
    else:
        content = f'<content type="{content_type}">&lt;p&gt;{_sentence(rng)}&lt;/p&gt;</content>'
    entries = "".join(
        f'<entry><title type="html">{_sentence(rng, 4)} &amp;amp; more</title>'
        f'<link rel="alternate" href="/e/{i}"/><link rel="enclosure" type="image/png" href="/e/{i}.png"/>'
        f"<id>tag:atom.example,2024:{i}</id><updated>2024-05-0{i + 1}T10:00:00+02:00</updated>"
        f"<published>2024-05-0{i + 1}T09:00:00Z</published><author><name>Ann Lee</name>"
        f"<email>ann@atom.example</email></author><category term='world' label='World'/>"
        f"<summary>{_sentence(rng)}</summary>{content}</entry>" for i in range(3))
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xml:base="https://atom.example/blog/" xml:lang="en"><title>Atom</title>'
            '<link href="https://atom.example/"/><author><name>Desk</name></author>'
            f"<updated>2024-05-03T10:00:00Z</updated><id>urn:uuid:1</id>{entries}</feed>")


def _atom03(rng: random.Random) -> str:
    return ('<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old atom</title>'
            '<link rel="alternate" type="text/html" href="http://a03.example/"/>'
            f'<entry><title>{_sentence(rng, 3)}</title><link rel="alternate" href="http://a03.example/1"/>'
            '<issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>'
            f'<content type="text/html" mode="escaped">&lt;b&gt;{_sentence(rng)}&lt;/b&gt;</content>'
            '</entry></feed>')


def _json_feed(rng: random.Random, version: str = "1.1") -> str:
    items = [{"id": str(i), "url": f"https://json.example/{i}", "title": _sentence(rng, 4),
              "content_html": f"<p>{_sentence(rng)}</p>", "summary": _sentence(rng),
              "date_published": "2024-05-01T10:00:00+01:00", "tags": ["a", "b", 3],
              "authors": [{"name": "Kim Park", "url": "https://json.example/kim"}],
              "image": "/img/1.jpg", "attachments": [{"url": "/a.mp3", "mime_type": "audio/mpeg"}]}
             for i in range(3)]
    items.append({"id": 9, "external_url": "https://else.example/x", "content_text": "t"})
    doc = {"version": f"https://jsonfeed.org/version/{version}", "title": "JSON",
           "home_page_url": "https://json.example/", "feed_url": "https://json.example/feed.json",
           "language": "en", "author": {"name": "Old Author"}, "items": items}
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=rng.choice((None, 1)))


def _sitemap(rng: random.Random, news: bool = False, images: bool = False) -> str:
    rows = []
    for i in range(4):
        extra = ""
        if news:
            extra += ("<news:news><news:publication><news:name>The Paper</news:name>"
                      "<news:language>de</news:language></news:publication>"
                      f"<news:publication_date>2024-05-0{i + 1}T06:00:00+02:00</news:publication_date>"
                      f"<news:title>{_sentence(rng, 4)}</news:title><news:keywords>a, b</news:keywords>"
                      "</news:news>")
        if images:
            extra += f"<image:image><image:loc>/img/{i}.jpg</image:loc></image:image>"
        rows.append(f"<url><loc>https://site.example/p/{i}</loc><lastmod>2024-05-0{i + 1}</lastmod>"
                    f"<changefreq>daily</changefreq>{extra}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
            'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
            + "".join(rows) + "</urlset>")


def _sitemap_index(rng: random.Random) -> str:
    rows = "".join(f"<sitemap><loc>/sitemap-{i}.xml</loc><lastmod>2024-0{i + 1}-01</lastmod></sitemap>"
                   for i in range(3))
    return ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{rows}</sitemapindex>")


def _opml(rng: random.Random) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>Subs</title>'
            '</head><body><outline text="News" title="News">'
            '<outline type="rss" text="One" xmlUrl="https://one.example/feed" '
            'htmlUrl="https://one.example/"/>'
            '<outline text="Deeper"><outline type="rss" text="Two" xmlUrl="feed://two.example/rss"/>'
            "</outline></outline>"
            '<outline type="rss" text="Three" xmlUrl="feed:https://three.example/atom" category="/Tech,/X"/>'
            '<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/></body></opml>')


def _opml1(rng: random.Random) -> str:
    return ('<opml version="1.0"><body><outline title="Flat" xmlurl="http://flat.example/rss"/>'
            '<OUTLINE TEXT="Upper" XMLURL="http://upper.example/rss"/></body></opml>')


def _article(rng: random.Random, style: int) -> str:
    paras = "".join(f"<p>{p}</p>" for p in _paragraphs(rng, rng.randint(3, 8)))
    title = _sentence(rng, 6)
    jsonld = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": title, "datePublished": "2024-05-02T09:30:00+02:00",
         "author": [{"@type": "Person", "name": "Jane Roe"}, "Max Mustermann"],
         "image": {"@type": "ImageObject", "url": "/lead.jpg"},
         "articleBody": "short", "publisher": {"name": "The Paper"}},
        {"@type": "BreadcrumbList", "itemListElement": [{"position": 1, "name": "World"}]}]})
    head = (f'<meta charset="utf-8"><title>{title} | The Paper</title>'
            f'<meta property="og:title" content="{title}"><meta name="author" content="Jane Roe">'
            '<meta property="og:image" content="/og.jpg"><meta name="description" content="About.">'
            '<link rel="canonical" href="/2024/05/story.html">'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            '<link rel="alternate" type="application/feed+json" href="/feed.json">'
            f'<script type="application/ld+json">{jsonld}</script><style>p{{color:red}}</style>')
    nav = '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
    figure = '<figure><img src="/lead.jpg" alt="A river"><figcaption>The river.</figcaption></figure>'
    byline = ('<p class="byline">By <a rel="author" href="/jane">Jane Roe</a></p>'
              '<time datetime="2024-05-02">2 May 2024</time>')
    if style == 0:
        body = (f"<header>{nav}</header><main><article><h1>{title}</h1>{byline}{figure}{paras}"
                "</article></main>")
    elif style == 1:
        body = (f"<div id='wrap'><div class='content'><h1>{title}</h1>{paras}"
                "<div class='related'><ul><li><a href='/x'>Other</a></li></ul></div></div></div>")
    elif style == 2:  # unclosed tags, a form around the page, noscript, iframe
        body = (f"<form><div><h2>{title}<p>{paras.replace('</p>', '')}<noscript><img src='/t.gif'>"
                "</noscript><iframe src='/ad'></iframe><table><tr><td>cell</td></tr></table>")
    else:
        body = (f"<article><h1>{title}</h1><blockquote>{_sentence(rng)}</blockquote><ul><li>"
                f"{_sentence(rng)}</li></ul><pre>code</pre>{paras}<aside>Newsletter</aside></article>"
                "<footer>© The Paper</footer>")
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def _warc_record(record_type: str, uri: str, block: bytes) -> bytes:
    content_type = ("application/http; msgtype=response" if record_type == "response"
                    else "application/warc-fields")
    head = (f"WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Target-URI: {uri}\r\n"
            "WARC-Date: 2024-05-02T10:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{abs(hash(uri)) % 10**12:012d}>\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def _warc(rng: random.Random, gzipped: bool) -> bytes:
    page = _article(rng, rng.randrange(4)).encode()
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + f"Content-Length: {len(page)}\r\n\r\n".encode() + page)
    records = [_warc_record("warcinfo", "", b"software: newsdesk\r\n"),
               _warc_record("response", PAGE_URL, http),
               _warc_record("response", "https://news.example/missing",
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
               _warc_record("request", PAGE_URL, b"GET / HTTP/1.1\r\nHost: news.example\r\n\r\n")]
    if gzipped:
        return b"".join(gzip.compress(r) for r in records)
    return b"".join(records)


def _arc(rng: random.Random) -> bytes:
    page = _article(rng, 0).encode()
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    return (b"filedesc://x.arc 0.0.0.0 20240502100000 text/plain 69\n1 0 newsdesk\nURL IP-address"
            b" Archive-date Content-type Archive-length\n\n"
            + f"{PAGE_URL} 1.2.3.4 20240502100000 text/html {len(http)}\n".encode() + http + b"\n")


GEO = ("<georss:point>45.256 -71.92</georss:point>"
       "<georss:where><gml:Point><gml:pos>45.256 -71.92</gml:pos></gml:Point></georss:where>"
       "<georss:where><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>45 -71 46 -72 45 -71"
       "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></georss:where>"
       "<georss:where><gml:LineString><gml:posList>1 2 3 4</gml:posList></gml:LineString></georss:where>"
       "<georss:where><gml:Envelope><gml:lowerCorner>1 2</gml:lowerCorner><gml:upperCorner>3 4"
       "</gml:upperCorner></gml:Envelope></georss:where><georss:box>1 2 3 4</georss:box>")
MEDIA = ('<media:group><media:content url="/v.mp4" medium="video" type="video/mp4"/>'
         '<media:content url="/p.jpg" medium="image"/></media:group>'
         '<media:thumbnail url="/t.jpg" width="75"/><media:credit role="author">AP</media:credit>'
         '<media:title>T</media:title><media:player url="/play"/><media:rating>nonadult</media:rating>'
         '<media:restriction relationship="allow" type="country">gb</media:restriction>')
ITUNES = ('<itunes:author>Pod</itunes:author><itunes:image href="/cover.png"/>'
          '<itunes:category text="News"><itunes:category text="Politics"/></itunes:category>'
          '<itunes:explicit>no</itunes:explicit><itunes:duration>1:02:03</itunes:duration>'
          '<itunes:owner><itunes:name>O</itunes:name><itunes:email>o@x</itunes:email></itunes:owner>')
ENTITY_TRICKS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title>'
    '<item><title>&lol3;</title><link>https://e.example/1</link></item></channel></rss>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
    '<rss version="2.0"><channel><item><title>&xxe;</title><link>https://e.example/2</link>'
    '</item></channel></rss>',
    '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://s.example/&b;'
    '</loc></url></urlset>',
    '<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://127.0.0.1:1/x.dtd"><opml><body>'
    '<outline xmlUrl="https://o.example/&undefined;" text="&#0;&#xD800;&#1114112;"/></body></opml>',
    '<rss version="2.0"><channel><item><title>&nbsp;&eacute;&#233;&#x1F600;&#0;&#xFFFE;'
    '&#99999999999;&amp;amp;&bogus;</title><link>https://e.example/3?a=1&amp;b=2&c=3</link>'
    '<description>&lt;script&gt;x&lt;/script&gt;<![CDATA[<b>]]]]><![CDATA[>]]></description>'
    '</item></channel></rss>',
    '<!DOCTYPE html [<!ENTITY x "<p>injected</p>">]><html><body><article><p>&x; text '
    + "word " * 40 + "</p></article></body></html>",
)


def _deep(tag: str, depth: int, inner: str = "x") -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


def _seed_texts(rng: random.Random) -> list[tuple[str, str | bytes]]:
    seeds: list[tuple[str, str | bytes]] = [
        ("rss2", _rss2(rng)),
        ("rss2-georss", _rss2(rng, item_extras=GEO)),
        ("rss2-media", _rss2(rng, item_extras=MEDIA)),
        ("rss2-itunes", _rss2(rng, extras=ITUNES, item_extras=ITUNES + MEDIA)),
        ("rss2-many", _rss2(rng, items=60)),
        ("rss091", _rss091(rng)), ("rss092", _rss092(rng)), ("rss10", _rss10(rng)),
        ("atom-html", _atom(rng)), ("atom-xhtml", _atom(rng, "xhtml")), ("atom-text", _atom(rng, "text")),
        ("atom03", _atom03(rng)),
        ("jsonfeed-1.0", _json_feed(rng, "1")), ("jsonfeed-1.1", _json_feed(rng)),
        ("json-other", '{"version": 2, "items": {"a": [1, 2, {"b": null}]}, "x": 1e400}'),
        ("jsonfeed-odd-types", '{"version": "https://jsonfeed.org/version/1.1", "title": ["x"], "items": ['
                               '{"url": "https://json.example/\\ud800", "tags": true, "authors": "A", '
                               '"id": 1.5, "date_published": 20240501, "image": {"url": "/i.jpg"}},'
                               '{"url": ["https://json.example/x"], "external_url": "/\\udc00y", '
                               '"content_html": 7, "summary": null, "author": [1], "authors": [{"name": 5}]}]}'),
        ("sitemap", _sitemap(rng)), ("sitemap-news", _sitemap(rng, news=True)),
        ("sitemap-image", _sitemap(rng, images=True)), ("sitemap-index", _sitemap_index(rng)),
        ("opml2", _opml(rng)), ("opml1", _opml1(rng)),
        ("warc", _warc(rng, False)), ("warc-gz", _warc(rng, True)), ("arc", _arc(rng)),
        ("deep-rss", _rss2(rng, item_extras=_deep("x", 400))),
        ("deep-html", f"<html><body>{_deep('div', 300, '<p>' + _sentence(rng, 40) + '</p>')}</body></html>"),
        ("deep-jsonld", _article(rng, 0).replace(
            "</head>", '<script type="application/ld+json">' + "[" * 2000 + "]" * 2000 + "</script></head>")),
        ("deep-json", '{"version": "https://jsonfeed.org/version/1", "items": ['
                      + "[" * 300 + "]" * 300 + "]}"),
        ("deep-opml", f"<opml><body>{_deep('outline', 200)}</body></opml>"),
        ("html-feed-links", '<html><head><base href="//cdn.example/"><link rel="alternate feed" '
                            'type="application/atom+xml" href="/atom"><link rel=alternate '
                            'type="application/json" href="/wp-json/x"></head><body><p>hi</p></body></html>'),
        ("plain-text", "Just some text, not markup at all.\n"),
        ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"),
        ("binary", bytes(range(256))),
    ]
    seeds += [(f"article-{style}", _article(rng, style)) for style in range(4)]
    seeds += [(f"entities-{i}", text) for i, text in enumerate(ENTITY_TRICKS)]
    seeds += [("truncated-" + name, text[: len(text) * 2 // 3]) for name, text in seeds[:20]]
    return seeds


# Encoding declarations and the codecs the bytes are really in, mixed so they disagree.
LABELS = ("utf-8", "iso-8859-1", "windows-1251", "shift_jis", "euc-jp", "gb2312", "big5",
          "koi8-r", "utf-16", "utf-16le", "utf-32", "utf-7", "ebcdic", "cp037", "x-bogus",
          "iso-2022-jp", "hz", "mac-roman", "base64", "rot13", "", "utf-8\x00")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE)


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, errors="xmlcharrefreplace" if codec not in ("utf-16", "utf-32") else "strict")


def seeds() -> list[tuple[str, bytes]]:
    """Every seed as (name, bytes): the documents above, and re-encoded and lying variants."""
    rng = random.Random(20240502)
    texts = _seed_texts(rng)
    out = [(name, text if isinstance(text, bytes) else text.encode("utf-8")) for name, text in texts]
    for name, text in texts[:12] + texts[-12:]:
        if isinstance(text, bytes):
            continue
        out.append((f"{name}+latin1-says-utf8", _encode(text, "cp1252")))
        out.append((f"{name}+utf16-bom", codecs.BOM_UTF16_LE + _encode(text, "utf-16-le")))
        out.append((f"{name}+utf16-nobom", _encode(text, "utf-16-be")))
        out.append((f"{name}+utf32", _encode(text, "utf-32")))
        out.append((f"{name}+utf8-bom", codecs.BOM_UTF8 + text.encode("utf-8")))
        lie = rng.choice(LABELS)
        declared = text.replace('encoding="utf-8"', f'encoding="{lie}"').replace(
            'charset="utf-8"', f'charset="{lie}"')
        codec = rng.choice(("cp1252", "utf-8", "shift_jis", "koi8-r"))
        out.append((f"{name}+declares-{lie}", _encode(declared, codec)))
    out.append(("lying-xml-decl", b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                b"<title>Caf\xe9 \xff\xfe</title><item><title>\xc3\x28</title><link>https://e.example/"
                b"\xe9</link></item></channel></rss>"))
    out.append(("utf16-declared-no-bom", b'<?xml version="1.0" encoding="utf-16"?><rss><channel>'
                b"<item><link>https://e.example/1</link></item></channel></rss>"))
    return out


# -- mutations ------------------------------------------------------------------------------------

TOKENS = (b"<", b">", b"&", b";", b'"', b"'", b"]]>", b"<![CDATA[", b"<!--", b"-->", b"&amp;",
          b"&#0;", b"&#x110000;", b"&#xD800;", b"&lol;", b"<!ENTITY x SYSTEM 'file:///etc/passwd'>",
          b"<!DOCTYPE x [", b"]>", b"</item>", b"<item>", b"</entry>", b"<entry>", b"<link>",
          b"</channel>", b"<?xml version='1.0' encoding='utf-16'?>", b"\x00", b"\xff", b"\xfe\xff",
          b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\r\n", b"WARC/1.0\r\n",
          b"Content-Length: 99999999\r\n",
          b"<georss:where><gml:Point></gml:Point></georss:where>", b"<gml:pos>", b"</gml:pos>",
          b"<georss:point>", b"<media:content url='x'>", b"<itunes:image>", b"{", b"}", b"[", b"]",
          b'"items":', b'"version":"https://jsonfeed.org/version/1"', b"\\u0000", b"\\ud800",
          b"<meta charset=utf-7>", b"<meta http-equiv=content-type content='text/html;charset=x'>",
          b"<outline xmlUrl='http://x/'>", b"<url><loc>", b"xmlns:x='urn:x'", b"xml:base='::'",
          b"<script>", b"</script>", b"<svg><p>", b"<table>", b"<math>", b"<template>",
          b"http://[::1", b"https://exa mple/\x7f", b"<img src='data:,x'>", b"1e99999", b"-0",
          b"<time datetime='9999-99-99'>", b"<pubDate>Mon, 31 Feb 99999 99:99:99 +9999</pubDate>")


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.choice((1, 2, 4, 16, 64, 512)))


def _bit_flips(rng, data, _):
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _insert_byte(rng, data, _):
    at = rng.randrange(len(data) + 1)
    return data[:at] + bytes([rng.randrange(256)]) * rng.choice((1, 1, 2, 7)) + data[at:]


def _delete(rng, data, _):
    start, end = _span(rng, data)
    return data[:start] + data[end:]


def _duplicate(rng, data, _):
    start, end = _span(rng, data)
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[start:end] * rng.choice((1, 2, 8, 64)) + data[at:]


def _splice(rng, data, pool):
    other = rng.choice(pool)[1]
    return data[:rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1):]


def _truncate(rng, data, _):
    return data[:rng.randrange(len(data) + 1)]


def _insert_token(rng, data, _):
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(TOKENS) + data[at:]


def _swap_declaration(rng, data, _):
    label = rng.choice(LABELS).encode("latin-1")
    for old in (b'encoding="utf-8"', b'encoding="UTF-8"', b'charset="utf-8"', b"charset=utf-8"):
        if old in data:
            return data.replace(old, old.split(b"=")[0] + b'="' + label + b'"', 1)
    if rng.random() < 0.5:
        return rng.choice(BOMS) + data
    return b'<?xml version="1.0" encoding="' + label + b'"?>' + data


MUTATIONS = (_bit_flips, _insert_byte, _delete, _duplicate, _splice, _truncate, _insert_token,
             _swap_declaration)


def make_input(pool: list[tuple[str, bytes]], index: int, seed: int) -> tuple[str, bytes]:
    """The ``index``-th input of a run: a seed, mutated 0 to 4 times; (description, bytes)."""
    rng = random.Random(seed * 1_000_003 + index)
    name, data = pool[index % len(pool)] if index < len(pool) else rng.choice(pool)
    if index < len(pool):
        return name, data
    steps = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        mutation = rng.choice(MUTATIONS)
        data = mutation(rng, data, pool)[:MAX_INPUT]
        steps.append(mutation.__name__.strip("_"))
    return f"{name} + {', '.join(steps)}", data


# -- targets --------------------------------------------------------------------------------------

def _label(data: bytes) -> str:
    return data[:40].decode("latin-1")


TARGETS = {
    "feeds.parse": (lambda d: feeds.parse(d, FEED_URL, "application/rss+xml"), ParsedFeed),
    "extract": (lambda d: extract(d, url=PAGE_URL), Article),
    "discover.detect_format": (lambda d: discover.detect_format(d, "text/xml"), discover.DocumentFormat),
    "discover.find_feeds": (lambda d: discover.find_feeds(d, PAGE_URL), list),
    "discover.looks_like_feed": (lambda d: discover.looks_like_feed(d, "application/xml"), bool),
    "opml.parse_opml": (lambda d: opml.parse_opml(d), list),
    "archive.iter_warc_pages": (lambda d: list(iter_warc_pages(io.BytesIO(d))), list),
    "charset.decode": (lambda d: charset.decode(d, "text/html; charset=" + _label(d[:12])), tuple),
    "charset.decode_html": (lambda d: charset.decode_html(d), str),
    "charset.normalize_encoding": (lambda d: charset.normalize_encoding(_label(d)), (str, type(None))),
}


class Slow(BaseException):
    """Raised by the time guard; a BaseException so that no ``except Exception`` swallows it."""


def _on_alarm(signum, frame):
    raise Slow()


@dataclass
class Tally:
    inputs: int = 0
    calls: Counter = field(default_factory=Counter)  # function -> calls
    outcomes: Counter = field(default_factory=Counter)  # (function, outcome) -> count
    escapes: dict = field(default_factory=dict)  # (function, type, where) -> (count, smallest input)
    # PipelineErrors marked unexpected: caught only by a function's last line of defence.
    unexpected: dict = field(default_factory=dict)
    slowest: list = field(default_factory=list)  # (seconds, function, description, size)

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.calls.update(other.calls)
        self.outcomes.update(other.outcomes)
        for mine, theirs in ((self.escapes, other.escapes), (self.unexpected, other.unexpected)):
            for key, (count, sample) in theirs.items():
                _note(mine, key, sample, count)
        self.slowest = sorted(self.slowest + other.slowest, reverse=True)[:10]


def _note(found: dict, key: tuple, sample: tuple[str, bytes], count: int = 1) -> None:
    """Count ``count`` more inputs under ``key``, keeping the smallest as the example."""
    seen, smallest = found.get(key, (0, sample))
    if len(sample[1]) < len(smallest[1]):
        smallest = sample
    found[key] = (seen + count, smallest)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} ({last.name})"


def _run_one(tally: Tally, function: str, description: str, data: bytes) -> None:
    call, expected = TARGETS[function]
    tally.calls[function] += 1
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, TIME_GUARD)
    try:
        result = call(data)
        outcome = "ok" if isinstance(result, expected) else f"wrong type {type(result).__name__}"
    except PipelineError as exc:
        outcome = type(exc).__name__
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, PipelineError) and not exc.unexpected:
            outcome += f" (from {type(cause).__name__})"
        if exc.unexpected:
            cause = exc.__cause__
            outcome += f" (unexpected {type(cause).__name__})"
            _note(tally.unexpected, (function, type(cause).__name__, _where(cause)), (description, data))
    except Slow:
        outcome = "slow (stopped by the time guard)"
    except Exception as exc:  # noqa: BLE001 - counting escapes is the point
        outcome = "ESCAPED " + type(exc).__name__
        _note(tally.escapes, (function, type(exc).__name__, _where(exc)), (description, data))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed = time.perf_counter() - started
    tally.outcomes[(function, outcome)] += 1
    if len(tally.slowest) < 10 or elapsed > tally.slowest[-1][0]:
        tally.slowest = sorted(tally.slowest + [(elapsed, function, description, len(data))],
                               reverse=True)[:10]


def run_range(args: tuple[int, int, int]) -> Tally:
    """Run inputs ``start`` to ``stop`` of a run with random seed ``seed``; returns their tally."""
    start, stop, seed = args
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.stderr = io.StringIO()  # warcio prints a warning for every record it finds bent
    pool = seeds()
    tally = Tally()
    for index in range(start, stop):
        description, data = make_input(pool, index, seed)
        tally.inputs += 1
        for function in TARGETS:
            _run_one(tally, function, description, data)
    return tally


# -- report ---------------------------------------------------------------------------------------

def write_report(tally: Tally, seconds: float, seed: int, processes: int, out: Path,
                 seed_count: int) -> None:
    escaped = sum(count for count, _ in tally.escapes.values())
    unexpected = sum(count for count, _ in tally.unexpected.values())
    lines = [
        "# Fuzzing the pipeline's public functions",
        "",
        f"`python bench/fuzz.py --inputs {tally.inputs} --seed {seed} --processes {processes}`: "
        f"{seed_count} seeds written in the script and their mutations, each input through all "
        f"{len(TARGETS)} functions with a {TIME_GUARD:g} s guard per call.",
        "",
        f"- inputs: {tally.inputs:,}",
        f"- calls: {sum(tally.calls.values()):,}",
        f"- wall time: {seconds:.0f} s, {tally.inputs / seconds:,.0f} inputs/s",
        f"- escaped (an exception other than a PipelineError): **{escaped}**",
        f"- caught only by a function's last line of defence (a PipelineError marked "
        f"`unexpected`): **{unexpected}**",
        "",
        "## Outcomes by function",
        "",
        "An outcome \"(from X)\" is the function's error raised over exception X where it was "
        "foreseen: for `feeds.parse`, feedparser's lenient parser failing on badly nested tags; "
        "for `extract`, lxml refusing the text.",
        "",
        "| function | calls | outcome | count |",
        "|---|---:|---|---:|",
    ]
    for function in TARGETS:
        rows = sorted(((o, c) for (f, o), c in tally.outcomes.items() if f == function),
                      key=lambda row: -row[1])
        for n, (outcome, count) in enumerate(rows):
            calls = f"{tally.calls[function]:,}" if n == 0 else ""
            name = f"`{function}`" if n == 0 else ""
            lines.append(f"| {name} | {calls} | {outcome} | {count:,} |")
    for title, found in (("Escapes", tally.escapes), ("Unexpected errors", tally.unexpected)):
        lines += ["", f"## {title}", ""]
        if not found:
            lines.append("None.")
        for (function, kind, where), (count, (description, data)) in sorted(found.items()):
            lines.append(f"- `{function}`: {kind} at {where}, {count} inputs; smallest "
                         f"{len(data)} bytes ({description})")
    lines += ["", "## Slowest calls", "", "| seconds | function | input | bytes |", "|---:|---|---|---:|"]
    for elapsed, function, description, size in tally.slowest:
        lines.append(f"| {elapsed:.2f} | `{function}` | {description} | {size:,} |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def save_escapes(tally: Tally, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    found = sorted({**tally.escapes, **tally.unexpected}.items())
    for n, ((function, kind, _), (_, (_, data))) in enumerate(found):
        (directory / f"{n:03d}-{function}-{kind}.bin").write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz.md")
    parser.add_argument("--save", type=Path, help="write the smallest escaping inputs here")
    args = parser.parse_args()

    chunk = 500
    ranges = [(start, min(start + chunk, args.inputs), args.seed)
              for start in range(0, args.inputs, chunk)]
    tally = Tally()
    started = time.perf_counter()
    with multiprocessing.Pool(args.processes, maxtasksperchild=20) as pool:
        for done, part in enumerate(pool.imap_unordered(run_range, ranges), start=1):
            tally.merge(part)
            escaped = sum(count for count, _ in tally.escapes.values())
            unexpected = sum(count for count, _ in tally.unexpected.values())
            print(f"\r{tally.inputs:,} inputs, {escaped} escaped, {unexpected} unexpected, "
                  f"{tally.inputs / (time.perf_counter() - started):,.0f}/s", end="", flush=True)
    print()
    seconds = time.perf_counter() - started
    write_report(tally, seconds, args.seed, args.processes, args.out, len(seeds()))
    if args.save:
        save_escapes(tally, args.save)
    found = {**tally.escapes, **tally.unexpected}
    for (function, kind, where), (count, (description, data)) in sorted(found.items()):
        print(f"FOUND {function}: {kind} at {where} x{count}: {description} {data[:120]!r}")


if __name__ == "__main__":
    main()
