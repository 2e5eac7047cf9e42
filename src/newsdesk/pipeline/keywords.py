"""Words of plain text, the stop list, and the key terms that say what an article is about.

One tokenizer and one stop list for every place that picks words out of text: search queries,
the terms that find related articles, and story grouping (``cluster``), which has its own
tokenizer for names but this stop list.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["STOPWORDS", "key_terms", "words"]

# Letters and digits only: every other character (quotes, stars, brackets, NUL) separates words,
# so a word can go to a full-text engine as a term and never as syntax.
_WORD = re.compile(r"[^\W_]+")

STOPWORDS = frozenset("""
a about above after again against ago all almost also although am among an and another any are around as at
away back be because been before being below between both but by can cannot could did do does doing done
down during each either else even ever every few for from further had has have having he her here hers him
his how however i if in into is it its itself just last least less like made make many may me might more
most much must my near nearly neither never new next no nor not now of off often on once one only onto or
other others our out over own per perhaps put rather said same say says she should since so some still such
than that the their them then there these they this those though through thus to too two under until up
upon us very was we well were what when where whether which while who whom whose why will with within
without would yet you your yours three four five six seven eight nine ten first second third year years
day days week weeks month months time times people told according including get got going
""".split())


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) of ``text``."""
    return [w.lower() for w in _WORD.findall(text or "")]


def key_terms(title: str, text: str, limit: int = 12, scan_chars: int = 4000) -> list[str]:
    """The words that best say what an article is about: its title's words first, then its most
    frequent words in the first ``scan_chars`` of ``text``, without stop words, numbers or words
    of one or two letters. Returns at most ``limit`` distinct words."""
    chosen = list(dict.fromkeys(w for w in words(title) if _useful(w)))
    counts = Counter(w for w in words((text or "")[:scan_chars]) if _useful(w))
    for word, _ in counts.most_common(limit * 2):
        if len(chosen) >= limit:
            break
        if word not in chosen:
            chosen.append(word)
    return chosen[:limit]


def _useful(word: str) -> bool:
    return len(word) > 2 and word not in STOPWORDS and not word.isdigit()
