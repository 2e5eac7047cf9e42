"""JSON read into text that can be stored: the one JSON reader of feeds and page metadata.

JSON may escape half of a surrogate pair (``"\\ud800"``), and ``json.loads`` keeps it, but no
text may hold one: a URL holding it cannot be encoded, lxml refuses it, and databases reject it.
``loads`` reads such halves as U+FFFD.
"""

from __future__ import annotations

import json
import re

__all__ = ["decode", "loads"]

_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                                    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(content: bytes) -> str:
    """``content`` decoded as ``json.loads`` decodes bytes (UTF-8, -16 or -32, with or without
    a byte-order mark). Raises UnicodeDecodeError."""
    return content.decode(json.detect_encoding(content), "surrogatepass")


def loads(text: str):
    """``json.loads(text)``, lone surrogates read as U+FFFD.

    Raises ValueError for text that is not JSON, and RecursionError for JSON nested deeper than
    the interpreter's recursion limit (about a thousand levels).
    """
    return json.loads(without_lone_surrogates(text))


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate, escaped or not, made U+FFFD."""
    if "\\u" not in text and not _SURROGATE.search(text):
        return text
    return _LONE_SURROGATE_ESCAPE.sub(r"\\ufffd", _SURROGATE.sub("\ufffd", text))
