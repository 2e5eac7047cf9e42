"""A second opinion on pages the block classifier is unsure of.

On most pages the classifier is sure: nearly all text scores near 0 or near 1. Where much of
the text scores in between, trafilatura (a rule-based extractor built on other evidence) reads
the page too. When the two agree, nothing changes. When they disagree and trafilatura found
more text, its choice is taken, expressed in the page's own segments so that structure,
figures and links are kept. When they disagree and trafilatura found less, the classifier's
doubtful segments that trafilatura left out are dropped. On the benchmark dev sets about one
page in six gets a second opinion, and the body F1 of unseen sites rises by about half a point
to a point (bench/train_extract.py reports it).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .features import PageFeatures
from .segment import Segment

log = logging.getLogger(__name__)

# Share of the page's words in segments scored between these probabilities above which the
# classifier is called unsure.
UNSURE_BAND = (0.1, 0.8)
UNSURE_SHARE = 0.2
# Bag-of-words F1 between the two bodies below which they disagree.
AGREEMENT = 0.8
_MIN_COVERAGE = 0.5  # share of a segment's word trigrams in the other text to count as chosen
# A shorter second opinion prunes the classifier's choice only when it holds at least this share
# of its words, and never a segment the classifier scored this high.
_MIN_SHORTER = 0.3
_SURE = 0.8

_WORD = re.compile(r"\w+")


def unsure(features: PageFeatures, probs: np.ndarray) -> bool:
    """Whether a good share of the page's words has neither a low nor a high score."""
    if features.n == 0:
        return True
    counts = np.maximum(features.words, 1.0)
    low, high = UNSURE_BAND
    middle = (probs > low) & (probs < high)
    return float(counts[middle].sum() / counts.sum()) >= UNSURE_SHARE


def other_text(html: str, url: str | None) -> str:
    """trafilatura's body text of the page ('' when it finds none or fails)."""
    try:
        import trafilatura
        found = trafilatura.bare_extraction(html, url=url, with_metadata=False)
    except Exception as exc:  # noqa: BLE001  (a second opinion must never break extraction)
        log.debug("second opinion failed: %s", exc)
        return ""
    if found is None:
        return ""
    text = found.get("text") if isinstance(found, dict) else getattr(found, "text", None)
    return text or ""


def agreement(a: str, b: str) -> float:
    """Bag-of-words F1 between two texts (1.0 when both are empty)."""
    return _bag_f1(words(a), words(b))


def _bag_f1(words_a: list[str], words_b: list[str]) -> float:
    total = len(words_a) + len(words_b)
    if total == 0:
        return 1.0
    return 2 * sum((Counter(words_a) & Counter(words_b)).values()) / total


def reconsider(segments: Sequence[Segment], probs: np.ndarray, kept: Sequence[bool],
               kept_text: str, other: str) -> list[bool] | None:
    """Which text segments to keep instead, or None to keep the classifier's choice.

    ``kept`` flags the segments the classifier chose and ``kept_text`` is their body;
    ``other`` is the second opinion's body. When the second opinion found more, the segments
    it covers are kept. When it found less, but not so little that it missed the story, the
    classifier's segments it does not cover go unless the classifier was sure of them: that is
    a teaser list, a comment thread or a second copy read as the story.
    """
    other_words, kept_words = words(other), words(kept_text)
    longer = len(other_words) > len(kept_words)
    if (not other_words or _bag_f1(kept_words, other_words) >= AGREEMENT
            or (not longer and len(other_words) < _MIN_SHORTER * len(kept_words))):
        return None
    trigrams = set(zip(other_words, other_words[1:], other_words[2:]))
    vocabulary = set(other_words)
    covered = [seg.kind != "figure" and _covered(seg.text, trigrams, vocabulary) for seg in segments]
    keep = covered if longer else [k and (c or p >= _SURE) for k, c, p in zip(kept, covered, probs)]
    return keep if any(keep) else None


def _covered(text: str, trigrams: set, vocabulary: set) -> bool:
    tokens = words(text)
    if not tokens:
        return False
    if len(tokens) < 3:
        return all(w in vocabulary for w in tokens)
    grams = list(zip(tokens, tokens[1:], tokens[2:]))
    return sum(g in trigrams for g in grams) >= _MIN_COVERAGE * len(grams)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as both agreement and coverage count them."""
    return _WORD.findall(text.lower())
