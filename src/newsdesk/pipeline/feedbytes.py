"""RSS and Atom bytes made safe for feedparser before it reads them.

feedparser reads nearly anything, but some documents make it fail with an exception of its own
(or of the SAX reader under it) instead of a "malformed" flag, and some make it do work that is
thrown away. ``prepare`` removes those causes and returns UTF-8 bytes that say they are UTF-8:

* the text is decoded once, by ``charset.decode``, so a lying or garbled encoding declaration
  cannot reach feedparser's own decoding (which fails on a label that is not ASCII, or names
  a codec that rejects the bytes);
* a DOCTYPE declaring entities is removed (external files, exponential expansion);
* items past the entry limit are cut off;
* numeric character references to no character (``&#0;``, ``&#xD800;``, ``&#99999999999;``)
  become U+FFFD, as in browsers: feedparser's lenient parser calls ``chr()`` on them;
* GeoRSS and GML are hidden: newsdesk reads no geometry, and feedparser's reader of it fails
  on geometry outside ``<georss:where>`` or a polygon too short to close;
* whitespace inside a namespace name is percent-encoded: Python's SAX reader splits the
  expanded element name on any whitespace and fails on the extra parts.
"""

from __future__ import annotations

import re

from . import charset

__all__ = ["count_item_ends", "prepare"]

_UTF8_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b.*?\?>", re.S)


def prepare(content: bytes, fmt: str, root: str, max_entries: int) -> bytes:
    """Return ``content`` (an RSS or Atom document) as bytes feedparser reads without failing."""
    content = _as_utf8(content)
    content = _drop_entity_declarations(content)
    content = _cut_after_items(content, fmt, root, max_entries)
    content = _CHAR_REF.sub(_checked_char_ref, content)
    content = _hide_geometry(content)
    return _NAMESPACE_DECLARATION.sub(_namespace_without_whitespace, content)


def _as_utf8(content: bytes) -> bytes:
    # One newline after the declaration: feedparser reads the encoding from the last
    # "encoding=" on the first line, and looks for a DOCTYPE only at the start of a line.
    text = _XML_DECLARATION.sub("", charset.decode(content)[0], count=1)
    return _UTF8_DECLARATION + text.encode("utf-8", "replace")


# The end of one item or entry, whatever its namespace prefix.
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?(?:item|entry)\s*>")


def count_item_ends(content: bytes) -> int:
    """How many items or entries of a prepared document are closed by their end tag."""
    return len(_ITEM_END.findall(content))


_DOCTYPE_WITH_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.S | re.I)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")


def _drop_entity_declarations(content: bytes) -> bytes:
    """Remove a DOCTYPE that declares entities.

    Feeds have no use for their own entities, and these are how external files are read
    (XXE) or memory is exhausted (billion laughs). The references left behind are undefined,
    which sends feedparser to its lenient parser; that one leaves them unexpanded.
    """
    match = _DOCTYPE_WITH_SUBSET.search(content)
    # A DOCTYPE after the first element (say, inside CDATA) is text, not a declaration.
    if (match and b"<!ENTITY" in match.group().upper()
            and not _ELEMENT_START.search(content, 0, match.start())):
        return content[:match.start()] + content[match.end():]
    return content


def _cut_after_items(content: bytes, fmt: str, root: str, limit: int) -> bytes:
    """Drop the items past ``limit`` before parsing, closing the document again.

    A feed of tens of thousands of items would otherwise take seconds and a lot of memory in
    feedparser only for the surplus to be thrown away.
    """
    if fmt not in ("rss", "atom") or not root or limit < 1:
        return content
    cut = None
    for count, match in enumerate(_ITEM_END.finditer(content), start=1):
        if count == limit:
            cut = match.end()
        elif count > limit:
            break
    else:
        return content
    closing = f"</{root}>".encode()
    if root.rpartition(":")[2].lower() == "rss":
        closing = b"</channel>" + closing
    return content[:cut] + closing


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")
_REPLACEMENT_REF = b"&#xFFFD;"


def _checked_char_ref(match: re.Match) -> bytes:
    hex_digits, digits = match.groups()
    number = (hex_digits or digits).lstrip(b"0") or b"0"
    if len(number) > 8:  # beyond U+10FFFF whatever the digits, and too long for int() to like
        return _REPLACEMENT_REF
    code = int(number, 16 if hex_digits else 10)
    return match.group() if _is_xml_char(code) else _REPLACEMENT_REF


def _is_xml_char(code: int) -> bool:
    # XML 1.0, production [2] Char.
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


_GEO_NAMESPACES = re.compile(rb"http://www\.(?:georss\.org/georss|opengis\.net/gml)", re.I)
# The prefix of a tag, an attribute or a namespace declaration: "<gml:", " gml:id=", "xmlns:gml=".
_GEO_PREFIX = re.compile(rb"(?:(?<![\w.:-])|(?<=xmlns:))(georss|gml)(?=:[A-Za-z_]|\s*=)", re.I)


def _hide_geometry(content: bytes) -> bytes:
    lowered = content.lower()
    if b"georss" not in lowered and b"gml" not in lowered:
        return content
    content = _GEO_NAMESPACES.sub(lambda m: b"urn:unread:" + m.group(), content)
    return _GEO_PREFIX.sub(lambda m: b"unread-" + m.group(1), content)


_NAMESPACE_DECLARATION = re.compile(rb"""(\sxmlns(?::[^\s=>]+)?\s*=\s*)(["'])(.*?)\2""", re.S)


def _namespace_without_whitespace(match: re.Match) -> bytes:
    name = match.group(3).decode("utf-8", "replace")
    parts = name.split()
    if len(parts) == 1 and parts[0] == name:
        return match.group()
    quote = match.group(2)
    return match.group(1) + quote + "%20".join(parts).encode("utf-8") + quote
