"""Copies: whether a new article's text is one already published, by this outlet or another.

An agency's story runs on many sites, and a site republishes its own piece at a new address;
each copy carries the same text give or take a headline, an intro, a byline or a paragraph.
Two outlets reporting one event in their own words share almost no run of four words, while
copies share most of them, so texts are compared by their sets of word 4-grams ("shingles"):

- **Finding candidates.** A MinHash signature of the shingles (datasketch) is cut into bands;
  each band hashes to one 63-bit key. Two texts whose shingle sets have Jaccard similarity J
  share at least one key with probability 1 - (1 - J^rows)^bands: with the defaults (16 bands
  of one row) 0.997 at J = 0.3 (an agency story with a new intro, a local paragraph and its end
  cut) and 0.97 at 0.2; unrelated articles share no run of four words (J = 0) and no key, and
  those sharing a few stock phrases (J = 0.01) one key in seven times. The caller keeps the keys
  in an index (``CopyIndex``) and asks it for the texts sharing the most keys with a new one: a
  copy shares about 16 J of them, a stock phrase one. Few keys per text keep the index small:
  16 rows an article.
- **Deciding.** Each candidate is then compared exactly: a copy when most of the shorter text's
  shingles are in the longer one (``options.containment``) and the shorter is not a mere
  fragment of the longer (``options.size_ratio``). Containment rather than Jaccard similarity,
  so that a copy cut to half its length is still one.

    found = fingerprint(text)                 # None for a text too short to tell
    index.add(article_id, text, found.keys)   # the caller's index; MemoryIndex is one
    match = find_copy(other_text, index)      # Match(id, jaccard, containment) or None

``credits`` tells which of some outlets a copy names as its source (an agency byline, a
"first published by" line), so that the caller can show the original rather than a copy.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from datasketch import MinHash

from .shingles import words

__all__ = ["CopyIndex", "CopyOptions", "Fingerprint", "Match", "MemoryIndex", "compare", "credits",
           "find_copy", "fingerprint", "is_copy", "shingles"]

# Bumped whenever ``fingerprint`` changes its keys, so stored keys can be recomputed.
VERSION = 1


@dataclass(frozen=True)
class CopyOptions:
    """How texts are cut, indexed and judged copies."""

    shingle_words: int = 4
    bands: int = 16
    rows: int = 1  # bands * rows permutations of the MinHash
    seed: int = 1  # the MinHash's permutations: keys of different seeds never meet
    min_shingles: int = 30  # shorter texts ("Live updates", a caption) prove nothing
    # Only a text's first words are compared: copies share their start, and a signature of a
    # book-length page would need a matrix of its shingles by the permutations in memory.
    max_words: int = 20_000
    # Chosen on part of the demo's copy set (bench/copies.py): copies keep 0.59 of their shingles
    # or more, reports quoting two paragraphs of another at most 0.42.
    containment: float = 0.5
    size_ratio: float = 0.3  # a text of under 30 % of the other's shingles is a quote, not a copy
    window: timedelta = timedelta(days=7)  # how far apart in time copies are looked for
    max_candidates: int = 12  # candidates compared exactly, those sharing the most keys first

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


@dataclass(frozen=True)
class Fingerprint:
    """A text's shingles and the band keys that find its copies."""

    shingles: frozenset[str]
    keys: tuple[int, ...]


@dataclass(frozen=True)
class Match:
    """The indexed text a new one copies, and how closely."""

    id: Hashable
    jaccard: float
    containment: float  # share of the shorter text's shingles found in the longer


class CopyIndex(Protocol):
    """Where ``find_copy`` looks: texts already seen, found by their band keys."""

    def candidates(self, keys: Sequence[int], limit: int) -> Iterable[tuple[Hashable, str]]:
        """Up to ``limit`` (id, text) of the indexed texts sharing at least one of ``keys``, those
        sharing the most first."""


def shingles(text: str, options: CopyOptions | None = None) -> frozenset[str]:
    """The distinct runs of ``options.shingle_words`` words among the first ``options.max_words``
    of ``text`` (lower case; CJK characters count as words)."""
    options = options or CopyOptions()
    size = options.shingle_words
    tokens = words((text or "")[:options.max_words * 20])[:options.max_words]
    return frozenset(" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def fingerprint(text: str, options: CopyOptions | None = None) -> Fingerprint | None:
    """The shingles and band keys of ``text``; None when it has fewer than
    ``options.min_shingles`` shingles."""
    options = options or CopyOptions()
    found = shingles(text, options)
    if len(found) < options.min_shingles:
        return None
    # The scheme named, so that stored keys stay valid whatever datasketch's default becomes.
    signature = MinHash(num_perm=options.num_perm, seed=options.seed, scheme="affine32")
    signature.update_batch([s.encode("utf-8") for s in sorted(found)])
    values = signature.hashvalues
    keys = []
    for band in range(options.bands):
        part = values[band * options.rows:(band + 1) * options.rows]
        digest = hashlib.blake2b(band.to_bytes(2, "big") + part.astype("<u8").tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") >> 1)  # 63 bits: a signed 64-bit column holds it
    return Fingerprint(found, tuple(keys))


def compare(a: frozenset[str], b: frozenset[str]) -> tuple[float, float, float]:
    """Jaccard similarity, containment of the smaller in the larger, and the size ratio of two
    shingle sets (all 0.0 when either is empty)."""
    if not a or not b:
        return 0.0, 0.0, 0.0
    shared = len(a & b)
    small, large = sorted((len(a), len(b)))
    return shared / (len(a) + len(b) - shared), shared / small, small / large


def is_copy(a: frozenset[str], b: frozenset[str], options: CopyOptions | None = None) -> bool:
    """Whether two texts' shingle sets are of one text."""
    return _judge(a, b, options or CopyOptions()) is not None


def _judge(a: frozenset[str], b: frozenset[str], options: CopyOptions) -> tuple[float, float] | None:
    """(Jaccard similarity, containment) of two shingle sets that are of one text; None when they are not."""
    if min(len(a), len(b)) < options.min_shingles:
        return None
    jaccard, containment, ratio = compare(a, b)
    if containment >= options.containment and ratio >= options.size_ratio:
        return jaccard, containment
    return None


def find_copy(text: str, index: CopyIndex, options: CopyOptions | None = None,
              found: Fingerprint | None = None) -> Match | None:
    """The indexed text that ``text`` is a copy of, the closest when several are; None when none
    is (or ``text`` is too short to tell). ``found`` is ``text``'s fingerprint when the caller
    has it already."""
    options = options or CopyOptions()
    found = found or fingerprint(text, options)
    if found is None:
        return None
    best: Match | None = None
    for candidate_id, candidate_text in index.candidates(found.keys, options.max_candidates):
        judged = _judge(found.shingles, shingles(candidate_text, options), options)
        if judged is not None and (best is None or judged > (best.jaccard, best.containment)):
            best = Match(candidate_id, *judged)
    return best


@dataclass
class MemoryIndex:
    """A ``CopyIndex`` in memory: for tests, benchmarks and one-off batches."""

    options: CopyOptions = field(default_factory=CopyOptions)
    texts: dict[Hashable, str] = field(default_factory=dict)
    by_key: dict[int, list[Hashable]] = field(default_factory=dict)

    def add(self, item_id: Hashable, text: str, keys: Sequence[int] | None = None) -> None:
        """Index ``text`` under ``item_id`` (``keys``: its fingerprint's, when known)."""
        if keys is None:
            found = fingerprint(text, self.options)
            keys = found.keys if found else ()
        self.texts[item_id] = text
        for key in keys:
            self.by_key.setdefault(key, []).append(item_id)

    def candidates(self, keys: Sequence[int], limit: int) -> list[tuple[Hashable, str]]:
        shared = Counter(item for key in keys for item in self.by_key.get(key, ()))
        return [(item, self.texts[item]) for item, _ in shared.most_common(limit)]


# --- naming the original -------------------------------------------------------------------------

HEAD_CHARS = 300  # a dateline or an agency tag opens the text: "GENEVA (Meridian Wire) —"
TAIL_CHARS = 400  # a credit closes it: "This article first appeared on Meridian Wire."


def credits(outlets: Mapping[Hashable, str], authors: Sequence[str], text: str) -> set[Hashable]:
    """The keys of ``outlets`` ({key: outlet name}) that a copy names as its source: in its
    authors ("Samir Haddad, Meridian Wire"), or in the opening or the closing lines of its text."""
    places = [" ".join(str(a) for a in authors), (text or "")[:HEAD_CHARS], (text or "")[-TAIL_CHARS:]]
    haystack = " \n ".join(places).casefold()
    named = set()
    for key, name in outlets.items():
        name = (name or "").strip().casefold()
        if len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", haystack):
            named.add(key)
    return named
