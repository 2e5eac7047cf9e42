"""Excerpts of article text for listings and pages."""

from __future__ import annotations

import re

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


def excerpt(text: str, length: int = 160) -> str:
    """The start of ``text``, at most ``length`` characters, cut at a word boundary and ended with "…".

    Text that already fits is returned whole, without the ellipsis.
    """
    text = text or ""
    window = 2 * length + 64
    while True:
        # Only the start is flattened: a long body's whole text is not needed for its first words.
        flat = _SPACE.sub(" ", text[:window]).strip()
        if window >= len(text) or len(flat) > length + 1:
            break
        window *= 4
    if len(flat) <= length:
        return flat
    cut = flat[: length + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > length // 2 else flat[:length]
    return cut.rstrip(" ,;:.-–—(") + ELLIPSIS


def listing_excerpt(article, length: int = 160) -> str:
    """An article's excerpt for cards: the start of its text (else the outlet's description).

    Listing querysets defer the full text and annotate its start as ``lead_text``; this reads
    that, so a card never loads a whole article.
    """
    lead = getattr(article, "lead_text", None)
    if lead is None and "text" not in article.get_deferred_fields():
        lead = article.text
    return excerpt(lead or article.description, length)
