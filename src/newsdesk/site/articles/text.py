"""Plain-text helpers for listings and matching: excerpts, words, an article's key terms."""

from __future__ import annotations

import re
from collections import Counter

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
# Letters and digits only: every other character (quotes, stars, brackets, NUL) separates words,
# so nothing a reader types can reach a full-text engine as syntax.
_WORD = re.compile(r"[^\W_]+")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren as at be because been before being below
between both but by can could did didn do does doesn doing don down during each few for from further had has
have having he her here hers herself him himself his how i if in into is isn it its itself just ll me more
most my myself no nor not now of off on once only or other our ours ourselves out over own re s said same
says she should so some such t than that the their theirs them themselves then there these they this those
through to too under until up us ve very was we were what when where which while who whom why will with
would you your yours yourself yourselves one two new also year years time people told like get got
""".split())


def excerpt(text: str, length: int = 160) -> str:
    """The start of ``text``, at most ``length`` characters, cut at a word boundary and ended with "…".

    Text that already fits is returned whole, without the ellipsis.
    """
    flat = _SPACE.sub(" ", text or "").strip()
    if len(flat) <= length:
        return flat
    cut = flat[: length + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > length // 2 else flat[:length]
    return cut.rstrip(" ,;:.-–—(") + ELLIPSIS


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) of ``text``."""
    return [w.lower() for w in _WORD.findall(text or "")]


def key_terms(title: str, text: str, limit: int = 12, scan_chars: int = 4000) -> list[str]:
    """The words that best say what an article is about: its title's words first, then its most
    frequent words, without stop words, numbers or very short words."""

    def useful(word: str) -> bool:
        return len(word) > 2 and word not in STOPWORDS and not word.isdigit()

    chosen = list(dict.fromkeys(w for w in words(title) if useful(w)))
    counts = Counter(w for w in words(text[:scan_chars]) if useful(w))
    for word, _ in counts.most_common(limit * 2):
        if len(chosen) >= limit:
            break
        if word not in chosen:
            chosen.append(word)
    return chosen[:limit]


def listing_excerpt(article, length: int = 160) -> str:
    """An article's excerpt for cards: the start of its text (else the outlet's description).

    Listing querysets defer the full text and annotate its start as ``lead_text``; this reads
    that, so a card never loads a whole article.
    """
    lead = getattr(article, "lead_text", None)
    if lead is None and "text" not in article.get_deferred_fields():
        lead = article.text
    return excerpt(lead or article.description, length)
