"""Readers' comment text as HTML: escaped, paragraphs and line breaks kept, web addresses linked."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# http(s) addresses and bare www. ones; trailing punctuation is left out of the link below.
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
# Characters that reorder or hide text (bidirectional overrides, zero-width spaces) and control
# characters other than newline and tab: they are how a comment impersonates or hides content.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """NFC-normalised text without hiding or reordering characters, with Unix line ends."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def count_links(text: str) -> int:
    """How many web addresses ``text`` holds."""
    return len(URL.findall(text))


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
    return f'<a href="{escape(href)}" rel="nofollow ugc">{escape(url)}</a>{escape(tail)}'


def _linkify(line: str) -> str:
    out, last = [], 0
    for match in URL.finditer(line):
        out.append(escape(line[last:match.start()]))
        out.append(_link(match))
        last = match.end()
    out.append(escape(line[last:]))
    return "".join(out)


def comment_html(text: str) -> SafeString:
    """The comment as paragraphs (blank lines) with <br> for single line breaks.

    Everything the reader typed is escaped; the only markup is ours: <p>, <br> and links with
    rel="nofollow ugc".
    """
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html = "".join("<p>" + "<br>".join(_linkify(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    return mark_safe(html)
