"""Telling what fetched bytes are, and finding the feeds a page advertises.

``sources add URL`` accepts either a feed's URL or a home page: ``looks_like_feed`` says which
was fetched, ``find_feeds`` lists a page's autodiscovery links, and ``detect_format`` tells
``feeds.parse`` which reader a document needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .errors import FeedError, unexpected_errors
from .urls import canonicalize, is_http_url

__all__ = ["DocumentFormat", "FEED_TYPES", "detect_format", "find_feeds", "looks_like_feed"]

# Link types that autodiscovery follows.
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
})
_FEED_FORMATS = frozenset({"rss", "atom", "sitemap", "sitemapindex"})
_FEED_CONTENT_TYPES = FEED_TYPES | {"application/rdf+xml", "application/x-rss+xml"}

_SNIFF_BYTES = 65536
# XML declaration, processing instructions, comments and a DOCTYPE (with an internal subset)
# may all come before the root element.
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*", re.S | re.I)
_ROOT = re.compile(r"<(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)")
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html", re.I)
_HTML_ROOTS = frozenset({
    "html", "head", "body", "div", "p", "span", "script", "style", "meta", "title", "table",
    "form", "iframe", "br", "a", "img", "header", "main", "section", "article", "nav", "ul",
})
_ROOT_FORMATS = {
    "rss": "rss", "rdf": "rss", "channel": "rss", "feed": "atom", "urlset": "sitemap",
    "sitemapindex": "sitemapindex", "opml": "opml",
}


@dataclass(frozen=True)
class DocumentFormat:
    """What a document is. ``kind`` is one of "rss", "atom", "json", "sitemap", "sitemapindex",
    "opml", "html", "xml" (another XML root), "empty" or "unknown" (neither XML nor JSON);
    "json" only means JSON-looking bytes, not a JSON Feed. ``root`` is the XML root element's
    qualified name, or "".
    """

    kind: str
    root: str = ""


@unexpected_errors(FeedError, "this document")
def detect_format(content: bytes, content_type: str | None = None) -> DocumentFormat:
    """Tell what kind of document ``content`` is, from its bytes first and its type second.

    Servers often label feeds text/html or text/xml, so the Content-Type only decides when
    the bytes do not. Returns a DocumentFormat; raises nothing.
    """
    head = _decode_head(content[:_SNIFF_BYTES])
    text = head.lstrip()
    ctype = (content_type or "").split(";")[0].strip().lower()
    if not text:
        return DocumentFormat("empty")
    if text[0] in "{[":
        return DocumentFormat("json")
    if text[0] != "<":
        return DocumentFormat("html" if ctype == "text/html" else "unknown")
    prolog = _PROLOG.match(head)
    if _HTML_DOCTYPE.search(head, 0, prolog.end()):
        return DocumentFormat("html")
    root = _ROOT.match(head, prolog.end())
    if not root:
        return DocumentFormat("html" if ctype == "text/html" else "xml")
    prefix, local = root.group(1), root.group(2)
    qname = f"{prefix}:{local}" if prefix else local
    if local.lower() in _HTML_ROOTS:
        return DocumentFormat("html", qname)
    fallback = "html" if ctype == "text/html" else "xml"
    return DocumentFormat(_ROOT_FORMATS.get(local.lower(), fallback), qname)


def _decode_head(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", "replace")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", "replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", "replace")
    # Latin-1 never fails and keeps ASCII markup readable whatever the real encoding is.
    return head.decode("latin-1")


@unexpected_errors(FeedError, "this page")
def find_feeds(html: str | bytes, base_url: str) -> list[str]:
    """List the feeds a page advertises with ``<link rel="alternate" type=...>``.

    Looks for RSS, Atom and JSON Feed types. Returns absolute http(s) URLs in document order,
    without duplicates (compared in canonical form). Bytes are read as UTF-8. Raises nothing:
    a page without such links gives an empty list.
    """
    tree = LexborHTMLParser(html)
    base = _document_base(tree, base_url)
    found: dict[str, str] = {}
    # All <link>s, not only those under <head>: an HTML5 parser moves the head's remaining
    # elements into <body> after something that does not belong in a head (such as an <img>
    # inside <noscript>), and browsers still honour those links.
    for link in tree.css("link[rel][href]"):
        attrs = link.attributes
        rels = (attrs.get("rel") or "").lower().split()
        mime = (attrs.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rels or mime not in FEED_TYPES:
            continue
        url = _absolute(attrs.get("href"), base)
        # WordPress advertises its REST API as an application/json alternate; it is not a feed.
        if not url or (mime == "application/json" and "/wp-json/" in urlsplit(url).path):
            continue
        found.setdefault(canonicalize(url), url)
    return list(found.values())


@unexpected_errors(FeedError, "this document")
def looks_like_feed(content: bytes, content_type: str | None) -> bool:
    """Tell whether fetched bytes are a feed or sitemap (True) or something else, such as a page.

    The bytes decide; the Content-Type only breaks a tie, because servers often send feeds as
    text/html or text/xml. JSON counts only when it is a JSON Feed. Returns a bool, raises nothing.
    """
    fmt = detect_format(content, content_type).kind
    if fmt in _FEED_FORMATS:
        return True
    if fmt == "json":
        try:
            doc = json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
            return False
        return isinstance(doc, dict) and "jsonfeed.org/version/" in str(doc.get("version", ""))
    if fmt == "xml":
        mime = (content_type or "").split(";")[0].strip().lower()
        return mime in _FEED_CONTENT_TYPES
    return False


def _document_base(tree: LexborHTMLParser, page_url: str) -> str:
    base = tree.css_first("base[href]")
    if base is not None:
        resolved = _absolute(base.attributes.get("href"), page_url)
        if resolved:
            return resolved
    return page_url


def _absolute(href: str | None, base: str) -> str | None:
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
    except ValueError:
        return None
    return url if is_http_url(url) else None
