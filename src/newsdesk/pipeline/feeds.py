"""Feed and sitemap bytes -> ParsedFeed.

RSS 0.9x/1.0/2.0 and Atom go through feedparser; JSON Feed and XML sitemaps (including Google
News and image extensions, and sitemap indexes) are read here. Every entry link is made absolute
and canonical, entries without an http(s) link are dropped, and duplicates within one document
are merged (the first wins).
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from . import feedbytes, jsontext
from .dates import parse_date
from .discover import detect_format
from .errors import FeedError, FeedTooComplex, unexpected_errors
from .model import FeedEntry, ParsedFeed
from .urls import canonicalize, is_http_url

__all__ = ["FeedOptions", "parse"]


@dataclass(frozen=True)
class FeedOptions:
    """How much of a document to read. Entries past ``max_entries`` are not returned."""

    max_entries: int = 2000


@unexpected_errors(FeedError, "this feed")
def parse(content: bytes, url: str, content_type: str | None = None,
          options: FeedOptions | None = None) -> ParsedFeed:
    """Parse an RSS, Atom, JSON Feed, sitemap or sitemap index document fetched from ``url``.

    Returns a ParsedFeed whose entries have absolute, canonical http(s) URLs, in document order
    (for a sitemap over the limit: the most recently dated ``max_entries``, in document order).
    A document cut off part-way returns the entries that were complete. Dates are in UTC
    (a date without a zone is read as UTC); ``published`` falls back to the update date when
    the document gives only that (Atom ``updated``, RSS 1.0 ``dc:date``, sitemap ``lastmod``).
    Raises FeedError for an empty body, an HTML page, bytes that are neither XML nor JSON,
    JSON that is not a JSON Feed, and a malformed document from which no entry can be read;
    FeedTooComplex (a FeedError) for JSON nested past the interpreter's recursion limit and a
    sitemap past libxml2's limits (256 levels deep, entities expanding it many times over).
    """
    options = options or FeedOptions()
    detected = detect_format(content, content_type)
    fmt, root = detected.kind, detected.root
    if fmt == "empty":
        raise FeedError("the response body is empty, not a feed")
    if fmt == "html":
        raise FeedError("this is an HTML page, not a feed")
    if fmt == "unknown":
        raise FeedError("this is neither XML nor JSON, so not a feed")
    if fmt == "opml":
        raise FeedError("this is an OPML subscription list, not a feed; import it as sources")
    if fmt == "json":
        return _parse_json_feed(content, url, options)
    if fmt in ("sitemap", "sitemapindex"):
        return _parse_sitemap(content, url, options)
    return _parse_syndication(content, url, fmt, root, options)


# --- RSS and Atom ---------------------------------------------------------------------------


def _parse_syndication(content: bytes, url: str, fmt: str, root: str,
                       options: FeedOptions) -> ParsedFeed:
    content = feedbytes.prepare(content, fmt, root, options.max_entries)
    result = _feedparser_parse(content, url)
    raw_entries = list(result.entries)
    notes: tuple[str, ...] = ()
    # ThingsNobodyCaresAboutButMe: flagged, yet the document is whole (a guessed encoding).
    harmless = isinstance(result.get("bozo_exception"), feedparser.ThingsNobodyCaresAboutButMe)
    malformed = result.bozo and not harmless
    if malformed:
        # The lenient parser also returns the item that was being read when the document
        # ended; only items whose end tag is present are known to be whole.
        complete = feedbytes.count_item_ends(content)
        raw_entries = raw_entries[:complete]
        if not raw_entries:
            reason = result.get("bozo_exception") or "unknown error"
            raise FeedError(f"the feed is malformed and no entry could be read from it ({reason})")
        notes = (f"the feed is malformed ({result.get('bozo_exception')}); read its {len(raw_entries)} complete entries",)
    version = result.get("version") or ""
    if not raw_entries and not version:
        raise FeedError(f"this XML document (root <{root or '?'}>) is not a feed")
    feed = result.feed
    kind = "atom" if version.startswith("atom") or (not version and fmt == "atom") else "rss"
    inherited = _authors(feed.get("authors")) if kind == "atom" else ()
    entries = (_entry_from_feedparser(e, url, inherited) for e in raw_entries[:options.max_entries])
    return ParsedFeed(
        kind=kind,
        title=_detail_text(feed.get("title_detail"), feed.get("title")),
        link=_absolute(feed.get("link"), url) or "",
        language=_str(feed.get("language")).strip(),
        entries=_dedupe(entries),
        notes=notes,
    )


# feedparser's lenient parser, which reads documents that are not well-formed XML, keeps state
# that badly nested end tags leave inconsistent (an </entry> inside an open <link>, then the
# </link>); it then fails with an exception of its own instead of flagging the feed as malformed.
_FEEDPARSER_FAILURES = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def _feedparser_parse(content: bytes, url: str):
    try:
        # A stream, not bytes: feedparser would treat bytes as a possible file name or URL.
        return feedparser.parse(
            io.BytesIO(content),
            # The bytes were sniffed as XML; saying so keeps feedparser from flagging the type.
            response_headers={"content-location": url, "content-type": "application/xml"},
            resolve_relative_uris=True,
            sanitize_html=False,  # content_html is handed on unsanitized; extraction sanitizes
        )
    except _FEEDPARSER_FAILURES as exc:
        raise FeedError("the feed is malformed beyond what feedparser can read, its tags badly "
                        f"nested ({type(exc).__name__}: {exc})") from exc


def _entry_from_feedparser(e, base: str, inherited: tuple[str, ...]) -> FeedEntry | None:
    candidates = [e.get("link")]
    candidates += [x.get("href") for x in _records(e.get("links")) if x.get("rel") == "alternate"]
    candidates.append(e.get("id"))  # Atom ids and RSS guids are often the permalink
    link = next((a for a in (_absolute(c, base) for c in candidates) if a), None)
    if not link:
        return None
    contents = _records(e.get("content"))
    summary = ""
    # feedparser copies the full content into summary when the feed has none; that is not one.
    if "summary_detail" in e or not contents or e.get("summary") != contents[0].get("value"):
        summary = _detail_text(e.get("summary_detail"), e.get("summary"), default_html=True)
    updated = _feedparser_date(e, "updated")
    return FeedEntry(
        url=canonicalize(link),
        title=_detail_text(e.get("title_detail"), e.get("title")),
        summary=summary,
        content_html=_content_html(contents),
        published=_feedparser_date(e, "published") or updated,
        updated=updated,
        authors=_feedparser_authors(e) or inherited,
        image=_feedparser_image(e, base),
        guid=_str(e.get("id")).strip() or None,
        categories=_unique(_str(t.get("term") or t.get("label")) for t in _records(e.get("tags"))),
    )


def _content_html(contents: list[dict]) -> str:
    for c in contents:
        if "html" in _str(c.get("type")) and _str(c.get("value")).strip():
            return c["value"]
    for c in contents:
        if _str(c.get("value")).strip():
            return "".join(f"<p>{html.escape(p.strip())}</p>"
                           for p in re.split(r"\n\s*\n", c["value"]) if p.strip())
    return ""


def _feedparser_image(e, base: str) -> str | None:
    candidates = [m.get("url") for m in _records(e.get("media_content")) if _is_image(m)]
    candidates += [m.get("url") for m in _records(e.get("media_thumbnail"))]
    candidates += [x.get("href") for x in _records(e.get("links"))
                   if x.get("rel") == "enclosure" and _str(x.get("type")).startswith("image/")]
    image = e.get("image")
    if isinstance(image, dict):
        candidates.append(image.get("href") or image.get("url"))
    for candidate in candidates:
        if absolute := _absolute(candidate, base):
            return absolute
    return None


_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


def _is_image(media: dict) -> bool:
    medium, mtype = _str(media.get("medium")), _str(media.get("type"))
    if medium or mtype:
        return medium == "image" or mtype.startswith("image/")
    return _str(media.get("url")).lower().split("?")[0].endswith(_IMAGE_EXTENSIONS)


def _authors(authors) -> tuple[str, ...]:
    """Names only: an author given by e-mail address alone is not a byline."""
    return _unique(_person_name(_str(a.get("name"))) for a in _records(authors))


def _feedparser_authors(e) -> tuple[str, ...]:
    raw = _str(e.get("author"))
    names = []
    for a in _records(e.get("authors")):
        name = _str(a.get("name"))
        # feedparser splits "address (Name)" with a pattern that only knows top-level domains
        # of two to four letters, so "desk@paper.media (Desk)" comes out cut; read it again.
        if a.get("email") and "@" in raw:
            name = raw
        names.append(_person_name(name))
    return _unique(names)


_NAME_IN_PARENS = re.compile(r"\(([^()]+)\)")
_NAME_BEFORE_ADDRESS = re.compile(r"^([^<]+)<[^>]*@[^>]*>")


def _person_name(text: str) -> str:
    """The name in "Jane Roe", "jane@paper.example (Jane Roe)" or "Jane Roe <jane@...>"."""
    if "@" not in text:
        return _clean(text)
    if match := _NAME_IN_PARENS.search(text):
        return _clean(match.group(1))
    if match := _NAME_BEFORE_ADDRESS.match(text):
        return _clean(match.group(1).strip().strip('"'))
    return ""


def _feedparser_date(e, field: str) -> datetime | None:
    # dict.get: feedparser's own get() answers "updated" with the published date when absent.
    parsed = dict.get(e, f"{field}_parsed")
    if parsed:
        try:
            # feedparser has already converted the date to UTC.
            return datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            pass
    # feedparser gives up on an RFC 822 date without a zone; read it as UTC.
    return _utc_date(dict.get(e, field))


# --- JSON Feed ------------------------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str, options: FeedOptions) -> ParsedFeed:
    try:
        text = jsontext.decode(content)
    except UnicodeDecodeError as exc:
        raise FeedError(f"this is not valid JSON ({exc})") from None
    try:
        doc = jsontext.loads(text)
    except RecursionError:
        raise FeedTooComplex(_JSON_TOO_DEEP) from None
    except ValueError as exc:
        doc = _salvage_json_feed(text, options.max_entries)
        if doc is None:
            raise FeedError(f"this is not valid JSON ({exc})") from None
    if not (isinstance(doc, dict) and "jsonfeed.org/version/" in _str(doc.get("version"))
            and isinstance(doc.get("items"), list)):
        raise FeedError("this is JSON but not a JSON Feed (it needs a jsonfeed.org version "
                        "and a list of items)")
    inherited = _json_authors(doc)
    items = [item for item in doc["items"] if isinstance(item, dict)][:options.max_entries]
    return ParsedFeed(
        kind="json",
        title=_clean(_str(doc.get("title"))),
        link=_absolute(doc.get("home_page_url"), url) or "",
        language=_str(doc.get("language")).strip(),
        entries=_dedupe(_json_entry(item, url, inherited) for item in items),
    )


def _json_entry(item: dict, base: str, inherited: tuple[str, ...]) -> FeedEntry | None:
    link = _absolute(item.get("url"), base) or _absolute(item.get("external_url"), base)
    if not link:
        return None
    guid = item.get("id")
    return FeedEntry(
        url=canonicalize(link),
        title=_clean(_str(item.get("title"))),
        summary=_clean(_str(item.get("summary")) or _str(item.get("content_text"))),
        content_html=_str(item.get("content_html")),
        published=_utc_date(item.get("date_published")) or _utc_date(item.get("date_modified")),
        updated=_utc_date(item.get("date_modified")),
        authors=_json_authors(item) or inherited,
        image=_absolute(item.get("image"), base) or _absolute(item.get("banner_image"), base),
        guid=str(guid) if isinstance(guid, (str, int)) and str(guid).strip() else None,
        categories=_unique(t for t in _list(item.get("tags")) if isinstance(t, str)),
    )


def _json_authors(obj: dict) -> tuple[str, ...]:
    # 1.1 has a list "authors"; 1.0 had one "author".
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    return _authors(authors)


# Python's JSON reader recurses once per level and stops at the interpreter's recursion limit.
_JSON_TOO_DEEP = ("this JSON document nests arrays or objects deeper than newsdesk reads "
                  "(about a thousand levels); a JSON Feed needs four")
_ITEMS_START = re.compile(r'"items"\s*:\s*\[')
_ITEM_SEPARATORS = re.compile(r"[ \t\r\n,]*")


def _salvage_json_feed(text: str, limit: int) -> dict | None:
    """Read the first ``limit`` whole items of a JSON Feed that was cut off; None when none are.

    Raises FeedTooComplex when an item nests too deeply to read.
    """
    start = _ITEMS_START.search(text)
    version = re.search(r'"version"\s*:\s*"([^"]*)"', text)
    if not start or not version:
        return None
    text = jsontext.without_lone_surrogates(text)
    decoder, items, pos = json.JSONDecoder(), [], start.end()
    while len(items) < limit:
        pos = _ITEM_SEPARATORS.match(text, pos).end()
        try:
            item, pos = decoder.raw_decode(text, pos)
        except RecursionError:
            raise FeedTooComplex(_JSON_TOO_DEEP) from None
        except ValueError:
            break
        items.append(item)
    return {"version": version.group(1), "items": items} if items else None


# --- sitemaps -------------------------------------------------------------------------------


def _safe_iterparse(content: bytes):
    # No DTD loading, no entity expansion, no network: a hostile sitemap cannot make us fetch
    # a URL, read a file, or expand entities exponentially ("billion laughs").
    return etree.iterparse(
        io.BytesIO(content), events=("end",), tag=("{*}url", "{*}sitemap", "url", "sitemap"),
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True,
    )


def _parse_sitemap(content: bytes, url: str, options: FeedOptions) -> ParsedFeed:
    entries: list[FeedEntry] = []
    sitemaps: list[tuple[str, datetime | None]] = []
    meta: dict[str, str] = {}
    kind = "sitemap"
    try:
        for _, el in _safe_iterparse(content):
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # only direct children of <urlset> / <sitemapindex>
            if _local_name(el) == "sitemap":
                kind = "sitemapindex"
                sitemaps.append((_child_text(el, "loc"), _utc_date(_child_text(el, "lastmod"))))
            else:
                entries.append(_sitemap_entry(el, meta))
            # Free what is read so a 50,000-URL sitemap does not stay in memory as a tree.
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        if not entries and not sitemaps:
            if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
                raise FeedTooComplex(
                    f"the sitemap is beyond what newsdesk reads: {_past_limit(exc)}") from None
            raise FeedError(
                f"the sitemap is malformed and no URL could be read from it ({exc})") from None
    # URLs are resolved only for what is kept: on a 50,000-URL sitemap that is most of the time.
    if kind == "sitemapindex":
        chosen = _most_recent(sitemaps, lambda s: s[1], options.max_entries)
        locs = (_absolute(loc, url) for loc, _ in chosen)
        return ParsedFeed(kind=kind, sitemaps=tuple(dict.fromkeys(loc for loc in locs if loc)))
    chosen = _most_recent(entries, lambda e: e.published, options.max_entries)
    return ParsedFeed(kind=kind, title=meta.get("name", ""), language=meta.get("language", ""),
                      entries=_dedupe(_resolve_sitemap_entry(e, url) for e in chosen))


def _past_limit(exc: etree.XMLSyntaxError) -> str:
    """What libxml2's resource-limit error ``exc`` says, in an editor's words."""
    if "amplification" in exc.msg:
        return "it declares entities that would expand it many times over (a billion laughs)"
    return f"it nests elements more than 256 deep, or is otherwise too large ({exc.msg})"


def _resolve_sitemap_entry(entry: FeedEntry, base: str) -> FeedEntry | None:
    link = _absolute(entry.url, base)
    if not link:
        return None
    return replace(entry, url=canonicalize(link), image=_absolute(entry.image, base))


def _sitemap_entry(el, meta: dict[str, str]) -> FeedEntry:
    """The entry of one <url>, its URLs still as written (see _resolve_sitemap_entry)."""
    news = _child(el, "news")
    image = _child(el, "image")
    title, published, categories = "", None, ()
    updated = _utc_date(_child_text(el, "lastmod"))
    if news is not None:
        title = _clean(_child_text(news, "title"))
        published = _utc_date(_child_text(news, "publication_date"))
        categories = _unique(_child_text(news, "keywords").split(","))
        publication = _child(news, "publication")
        if publication is not None:
            meta.setdefault("name", _clean(_child_text(publication, "name")))
            meta.setdefault("language", _child_text(publication, "language").strip())
    return FeedEntry(
        url=_child_text(el, "loc"),
        title=title,
        published=published or updated,
        updated=updated,
        image=_child_text(image, "loc") if image is not None else None,
        categories=categories,
    )


def _child(el, localname: str):
    for child in el:
        if isinstance(child.tag, str) and _local_name(child) == localname:
            return child
    return None


def _local_name(el) -> str:
    # Not etree.QName: it refuses the tag of an element whose namespace name holds a "}".
    return el.tag.rpartition("}")[2]


def _child_text(el, localname: str) -> str:
    child = _child(el, localname)
    return "".join(child.itertext()) if child is not None else ""


def _most_recent(items: list, date_of, limit: int) -> list:
    """The ``limit`` most recently dated items (undated count as oldest), in document order."""
    if len(items) <= limit:
        return items
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(range(len(items)), key=lambda i: date_of(items[i]) or oldest, reverse=True)
    return [items[i] for i in sorted(ranked[:limit])]


# --- shared helpers -------------------------------------------------------------------------


def _absolute(value, base: str) -> str | None:
    """``value`` resolved against ``base`` when that gives an http(s) URL, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        absolute = urljoin(base, value.strip())
    except ValueError:
        return None
    return absolute if is_http_url(absolute) else None


def _dedupe(entries) -> tuple[FeedEntry, ...]:
    seen: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry is not None and entry.url not in seen:
            seen[entry.url] = entry
    return tuple(seen.values())


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (_clean(x) for x in values) if v))


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _records(value) -> list[dict]:
    """The dicts of a list, such as feedparser's ``links``; [] for anything else.

    The shape of feedparser's result follows the document: an element named <links> or
    <tags> replaces the list of that name with its text.
    """
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _detail_text(detail, value, default_html: bool = False) -> str:
    """Plain text of a feedparser text construct, stripping tags only when it is HTML."""
    value = _str(value)
    is_html = "html" in _str(detail.get("type")) if isinstance(detail, dict) else default_html
    return _html_to_text(value) if is_html else _clean(value)


_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|section|article|ul|ol|figure|figcaption"
    r"|pre|hr|table|dd|dt)\b)", re.I)


def _html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags, scripts and styles removed, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return _clean(fragment)
    # A space before block tags keeps "<p>a</p><p>b</p>" from reading "ab".
    tree = LexborHTMLParser(_BLOCK_TAG.sub(" <", fragment))
    tree.strip_tags(["script", "style", "template"])
    body = tree.body
    return _clean(body.text(separator="") if body is not None else "")


def _utc_date(value) -> datetime | None:
    """``value`` read by ``parse_date`` and given in UTC, as feed dates are, or None."""
    parsed = parse_date(value)
    return parsed.astimezone(UTC) if parsed else None
