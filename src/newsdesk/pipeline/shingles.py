"""Word tokens and word-trigram overlap: the one way newsdesk compares texts for sameness.

Extraction uses it to drop a second copy of text already kept and to express another
extractor's choice in the page's own segments; the site uses it to tell near-copies of one
article apart from other stories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Chinese, Japanese and Korean are written without spaces: each of their characters is a
# token, or a whole clause would be one "word" and no two texts would share a trigram.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")

Trigram = tuple[str, str, str]


def words(text: str) -> list[str]:
    """Lower-cased word tokens (``\\w+``, each CJK character on its own) of ``text``."""
    return _WORD.findall((text or "").lower())


def trigrams(tokens: Sequence[str]) -> list[Trigram]:
    """The word trigrams of a token list, in order (none for fewer than three tokens)."""
    return list(zip(tokens, tokens[1:], tokens[2:]))


def covered_share(tokens: Sequence[str], grams: set | frozenset, vocabulary: Iterable[str] = ()) -> float:
    """Share of ``tokens``' trigrams found in ``grams``.

    Texts of one or two tokens have no trigram: they count as covered (1.0) when every token is
    in ``vocabulary``, else 0.0. An empty text is 0.0.
    """
    if not tokens:
        return 0.0
    if len(tokens) < 3:
        vocab = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
        return 1.0 if all(t in vocab for t in tokens) else 0.0
    own = trigrams(tokens)
    return sum(g in grams for g in own) / len(own)


def jaccard(a: set | frozenset, b: set | frozenset) -> float:
    """Jaccard similarity of two sets (0.0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0
