"""Bytes to text for the extractor, when the caller passes raw page bytes."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


def decode_html(content: bytes) -> str:
    """Decode page bytes to text, preferring the project's charset module when present.

    Returns the text; never raises on undecodable bytes (they become U+FFFD).
    """
    try:
        from newsdesk.pipeline import charset  # written separately; optional until it lands
    except ImportError:
        charset = None
    if charset is not None and hasattr(charset, "decode"):
        try:
            return charset.decode(content)[0]
        except Exception:  # a failure there must not lose the page: fall back below
            pass
    return _fallback_decode(content)


def _fallback_decode(content: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(encoding, errors="replace")
    # Valid UTF-8 with non-ASCII bytes is almost never an accident, so it beats a declared
    # charset: pages often declare latin-1 while serving UTF-8.
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(content[:4096])
    if match:
        name = match.group(1).decode("ascii", "replace").lower()
        if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "utf-8", "utf8"):
            # utf-8 already failed above: such pages are in practice windows-1252.
            name = "cp1252"  # as browsers do (WHATWG encoding standard)
        try:
            return content.decode(name, errors="replace")
        except LookupError:
            pass
    return content.decode("cp1252", errors="replace")
