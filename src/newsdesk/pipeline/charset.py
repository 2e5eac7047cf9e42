"""Turn fetched bytes into text, the way browsers choose a character encoding.

Order: byte-order mark, the HTTP header's charset, an in-document declaration (``<meta charset>``,
``<meta http-equiv>``, the XML declaration) in the first few kilobytes, then detection. A declared
charset that the bytes contradict is not trusted (see ``decode``).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from .errors import DecodeError, unexpected_errors

__all__ = ["decode", "decode_html", "normalize_encoding"]

_BOMS = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Browsers decode these labels as windows-1252, and servers that send them mostly mean it:
# bytes 0x80-0x9F are curly quotes and dashes far more often than C1 control characters.
_AS_CP1252 = {"ascii", "latin-1", "iso8859-1", "cp1252"}

# Python codecs that no browser accepts as a page charset. UTF-7 in particular has been used to
# smuggle script past filters that read the page as ASCII.
_NOT_WEB_CHARSETS = {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape",
                     "undefined", "mbcs", "oem"}

_SNIFF_BYTES = 4096
_DETECT_BYTES = 64 * 1024
_CHAOS_MARGIN = 0.1  # charset_normalizer's "mess" ratio, 0 (clean) to 1

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:+-]+)""", re.I)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([\w.:+-]+)["']""", re.I)
_META = re.compile(rb"<meta\b[^>]*>", re.I)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:+-]+)""", re.I)


@unexpected_errors(DecodeError, "this charset label")
def normalize_encoding(label: str | None) -> str | None:
    """Return Python's codec name for a charset label, or None if it names no web charset.

    latin-1, iso-8859-1 and ascii come back as cp1252, as in browsers.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        b"a".decode(name, "ignore")  # rejects bytes-to-bytes codecs such as base64
    except (LookupError, ValueError):
        return None
    if name in _NOT_WEB_CHARSETS:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _is_single_byte(encoding: str) -> bool:
    return encoding.startswith(("cp125", "iso8859-", "koi8", "mac-"))


def _strict(content: bytes, encoding: str) -> str | None:
    try:
        return content.decode(encoding)
    except (UnicodeError, LookupError, ValueError):
        return None


def _bom(content: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom):].decode(encoding, errors="replace"), encoding
    return None


def _declared_in_document(head: bytes) -> str | None:
    match = _XML_DECLARATION.match(head)
    if match:
        return match.group(1).decode("ascii")
    for meta in _META.finditer(head):
        found = _META_CHARSET.search(meta.group(0))
        if found:
            return found.group(1).decode("ascii")
    return None


# Languages whose pages in a legacy single-byte charset are nearly always windows-1252; for them
# the document's own lang attribute settles what a statistical guess over short text cannot.
_WESTERN_LANGS = {"en", "fr", "de", "es", "it", "pt", "nl", "ca", "da", "sv", "no", "nb", "nn", "fi", "is",
                  "ga", "gl", "eu", "af", "id", "ms", "sw"}
_HTML_LANG = re.compile(rb"""<html\b[^>]*?\slang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)


def _declared_lang(head: bytes) -> str | None:
    match = _HTML_LANG.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _detect(content: bytes) -> str | None:
    if _declared_lang(content[:_SNIFF_BYTES]) in _WESTERN_LANGS and _strict(content, "cp1252") is not None:
        return "cp1252"
    try:
        matches = charset_normalizer.from_bytes(content[:_DETECT_BYTES])
        best = matches.best()
        if best is None:
            return None
        guess = normalize_encoding(best.encoding)
        if guess is not None and _is_single_byte(guess):
            # On short Western text the detector ranks near-equal Latin code pages almost at
            # random (French read as cp1257); browsers settle on windows-1252 there, and so do we.
            for match in matches:
                near_best = match.chaos <= best.chaos + _CHAOS_MARGIN
                if near_best and "cp1252" in match.could_be_from_charset:
                    return "cp1252"
        return guess
    except Exception:  # noqa: BLE001 - a detector bug must not make decode() raise
        return None


def _undeclared(content: bytes) -> tuple[str, str]:
    # Valid UTF-8 with non-ASCII bytes is almost never anything else, so try it before guessing.
    text = _strict(content, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = _detect(content)
    if detected is not None:
        text = _strict(content, detected)
        if text is not None:
            return text, detected
    return content.decode("cp1252", errors="replace"), "cp1252"


@unexpected_errors(DecodeError, "these bytes")
def decode(content: bytes, content_type_header: str | None = None) -> tuple[str, str]:
    """Decode ``content`` and return ``(text, encoding)``; never raises, whatever the bytes.

    ``encoding`` is Python's codec name ("utf-8", "cp1252", ...). A declared charset the bytes
    fail to decode strictly is distrusted: UTF-8 is tried, then detection, and only then the
    declared charset with replacement characters. A declared single-byte charset (such as
    iso-8859-1) loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII characters, since
    servers often declare latin-1 by default for pages written in UTF-8.
    """
    found = _bom(content)
    if found is not None:
        return found
    declared = None
    if content_type_header:
        match = _HEADER_CHARSET.search(content_type_header)
        declared = normalize_encoding(match.group(1)) if match else None
    if declared is None:
        declared = normalize_encoding(_declared_in_document(content[:_SNIFF_BYTES]))
        # A document cannot name an encoding its own declaration could not be read in
        # (HTML Standard, "prescan"); pages that say utf-16 without a BOM are UTF-8.
        if declared is not None and declared.startswith(("utf-16", "utf-32")):
            declared = "utf-8"
    if declared is None:
        return _undeclared(content)

    if _is_single_byte(declared) and not content.isascii():
        text = _strict(content, "utf-8")
        if text is not None:
            return text, "utf-8"
    text = _strict(content, declared)
    if text is not None:
        return text, declared
    if declared != "utf-8":
        text = _strict(content, "utf-8")
        if text is not None:
            return text, "utf-8"
    detected = _detect(content)
    if detected is not None and detected != declared:
        text = _strict(content, detected)
        if text is not None:
            return text, detected
    try:
        return content.decode(declared, errors="replace"), declared
    except Exception:  # noqa: BLE001 - a codec that raises even with errors="replace"
        return content.decode("utf-8", errors="replace"), "utf-8"


@unexpected_errors(DecodeError, "these bytes")
def decode_html(content: bytes) -> str:
    """The text of page bytes that come without an HTTP header, as ``decode`` reads them.

    Returns the text only; never raises (undecodable bytes become U+FFFD).
    """
    return decode(content)[0]
