"""Whether two articles tell the same story.

Two articles grouped into one story (``newsdesk.ingest.stories``) tell the same story, and so do
the articles of one copy group (``newsdesk.ingest.copies``) and other near-copies (the same text,
nearly the same title, or nearly the same opening), which also covers articles not grouped yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.pipeline.keywords import words
from newsdesk.pipeline.shingles import jaccard, trigrams

TITLE_OVERLAP = 0.75  # Jaccard of title words
OPENING_OVERLAP = 0.6  # Jaccard of word triples in the opening
OPENING_CHARS = 300


@dataclass(frozen=True)
class _Fingerprint:
    pk: int
    story_id: int | None
    copy_group: int
    content_hash: str
    title: frozenset
    opening: frozenset

    @classmethod
    def of(cls, article) -> "_Fingerprint":
        # Listings carry the text's start as ``lead_text``; a full article has its text.
        lead = getattr(article, "lead_text", None)
        if lead is None:
            lead = "" if "text" in article.get_deferred_fields() else article.text
        # Words as search reads them (letters and digits): "Storm_Halvard" still matches "Storm Halvard".
        opening = words((lead or "")[:OPENING_CHARS])
        return cls(article.pk, getattr(article, "story_id", None), getattr(article, "copy_group", None) or article.pk,
                   article.content_hash or "",
                   frozenset(words(article.title)), frozenset(trigrams(opening)))


def _same(a: _Fingerprint, b: _Fingerprint) -> bool:
    return (a.pk == b.pk or a.copy_group == b.copy_group or (a.story_id is not None and a.story_id == b.story_id)
            or (bool(a.content_hash) and a.content_hash == b.content_hash)
            or jaccard(a.title, b.title) >= TITLE_OVERLAP or jaccard(a.opening, b.opening) >= OPENING_OVERLAP)


def same_story(a, b) -> bool:
    """True when ``a`` and ``b`` are in one story, or are copies or near-copies of one another."""
    return _same(_Fingerprint.of(a), _Fingerprint.of(b))


def distinct_stories(article, candidates: list, limit: int | None = None) -> list:
    """``candidates`` in order, without ``article``'s story and with one article per story,
    stopping at ``limit`` articles."""
    own = _Fingerprint.of(article)
    kept: list = []
    kept_prints: list[_Fingerprint] = []
    for candidate in candidates:
        if limit is not None and len(kept) >= limit:
            break
        print_ = _Fingerprint.of(candidate)
        if _same(own, print_) or any(_same(print_, k) for k in kept_prints):
            continue
        kept.append(candidate)
        kept_prints.append(print_)
    return kept
