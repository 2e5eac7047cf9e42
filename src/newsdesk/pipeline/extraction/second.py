"""A second opinion on pages where the block classifier's choice may be wrong.

Most pages are easy: the classifier scores nearly all text near 0 or near 1 and its choice
stands. On the others trafilatura (a rule-based extractor built on other evidence) reads the
page too, and newsdesk chooses between three bodies, all made of the page's own segments so
that structure, figures and links are kept:

* ``kept``: the classifier's choice;
* ``taken``: the segments that make up trafilatura's text;
* ``pruned``: the classifier's choice without the segments trafilatura left out, except those
  the classifier is sure of.

A page gets a second opinion when a good share of its words scored neither low nor high (about
one page in six on sites the classifier never saw). Which body wins is decided by the chooser:
two small tree models, trained by ``bench/train_extract.py`` on pages of sites the block
classifier never saw and shipped with it, that predict how much better than ``kept`` each
alternative would be. Two guards hold whatever the chooser says: the body never loses most of
an article that trafilatura and a second witness (the page's structured-data ``articleBody``,
or the page's prose) agree on, and it never keeps a comment thread or a list of other stories
that dwarfs the article trafilatura found inside it.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..shingles import covered_share, trigrams, words
from .features import PageFeatures
from .segment import Segment

log = logging.getLogger(__name__)

# Share of the page's words in segments scored between these probabilities above which the
# classifier is called unsure and trafilatura is asked.
UNSURE_BAND = (0.1, 0.8)
UNSURE_SHARE = 0.2
SURE = 0.8  # a segment scored this high stays in ``pruned``
_MIN_COVERAGE = 0.5  # share of a segment's word trigrams in the other text to count as chosen
_SHORT_WORDS = 20  # ... and for a segment of fewer words than this
_SHORT_COVERAGE = 0.9
# Guards: trafilatura's text is "most of an article" from this many words; the body "loses"
# it below this share of its words, and "dwarfs" it at this many times its length.
_GUARD_MIN_WORDS = 50
_LOSS_SHARE = 0.5
_WITNESS_AGREEMENT = 0.5
_WITNESS_PROSE = 0.8
_DWARF_RATIO = 3.0
_NOTHING_WORDS = 30  # a body this short next to trafilatura's long text found nothing
_AGREEMENT = 0.8  # rule without models: bag-of-words F1 at which the two bodies agree
_MIN_SHORTER = 0.3  # ... and the least share of the classifier's words a shorter one holds
_DWARF_CONTAINED = 0.8

BODIES = ("kept", "taken", "pruned")
NOTES = {"taken": "its text, in the page's own blocks",
         "pruned": "the classifier's doubtful blocks that it left out were dropped",
         "strict": "only the blocks it also found: the rest dwarfed the article",
         "text": "its text: the page's blocks held next to nothing"}

PAGE_FEATURES = (
    "unsure_share", "log_kept_words", "kept_share", "kept_mean_prob", "kept_sure_share",
    "log_kept_containers", "kept_comment_share", "kept_related_share", "log_page_words",
    "page_link_share", "has_article_body", "article_body_agreement", "kept_cards",
)
CHOOSER_FEATURES = PAGE_FEATURES + (
    "agreement", "log_other_words", "log_taken_words", "log_pruned_words", "other_ratio",
    "pruned_ratio", "taken_ratio", "other_in_kept", "kept_in_other", "taken_agreement",
    "pruned_agreement",
)


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
    except ImportError as exc:  # a broken install: say so (once, by the warnings filter)
        warnings.warn(f"second opinion unavailable, trafilatura cannot be imported: {exc}",
                      RuntimeWarning, stacklevel=2)
        return ""
    try:
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


def _bag_f1(words_a: Sequence[str], words_b: Sequence[str]) -> float:
    total = len(words_a) + len(words_b)
    if total == 0:
        return 1.0
    return 2 * sum((Counter(words_a) & Counter(words_b)).values()) / total


def _contained(inner: Sequence[str], outer: Sequence[str]) -> float:
    """Share of ``inner``'s words (as a bag) found in ``outer``."""
    if not inner:
        return 0.0
    return sum((Counter(inner) & Counter(outer)).values()) / len(inner)


@dataclass(frozen=True)
class PageSignals:
    """What the chooser reads of a page: its words, scores and structure."""

    tokens: list[list[str]]  # each segment's words
    probs: np.ndarray
    kept: list[bool]  # the classifier's text segments
    containers: list[int]  # each segment's enclosing element
    comment: np.ndarray  # bool: inside a comment-like element
    related: np.ndarray  # bool: inside a related/teaser-like element
    cards: np.ndarray  # look-alike cards around each segment
    link_share: float
    article_body: list[str]  # the page's structured-data articleBody, as words

    @classmethod
    def of(cls, segments: Sequence[Segment], features: PageFeatures, probs: np.ndarray,
           kept: Sequence[bool], article_body: str = "") -> PageSignals:
        from .context import GROUP_INDEX

        comment, related = GROUP_INDEX["comment"], GROUP_INDEX["related"]
        return cls(
            tokens=[words(s.text) for s in segments], probs=np.asarray(probs), kept=list(kept),
            containers=[s.path[-2] if len(s.path) >= 2 else -1 for s in segments],
            comment=np.array([s.context[comment] >= 0 for s in segments], dtype=bool),
            related=np.array([s.context[related] >= 0 for s in segments], dtype=bool),
            cards=features.column("cards_2") if features.n else np.zeros(0),
            link_share=features.link_share, article_body=words(article_body))

    def text_of(self, flags: Sequence[bool]) -> list[str]:
        return [w for f, t in zip(flags, self.tokens) if f for w in t]

    def row(self) -> list[float]:
        n_words = np.array([len(t) for t in self.tokens], dtype=float)
        total = max(float(n_words.sum()), 1.0)
        kept = np.array(self.kept, dtype=bool)
        kept_words = float(n_words[kept].sum())
        weight = max(kept_words, 1.0)
        low, high = UNSURE_BAND
        middle = (self.probs > low) & (self.probs < high)
        kept_text = self.text_of(self.kept)
        containers = {c for c, k in zip(self.containers, self.kept) if k}
        return [
            float(np.maximum(n_words, 1.0)[middle].sum() / np.maximum(n_words, 1.0).sum())
            if len(n_words) else 1.0,
            math.log1p(kept_words), kept_words / total,
            float((n_words * self.probs)[kept].sum() / weight),
            float(n_words[kept & (self.probs >= SURE)].sum() / weight),
            math.log1p(len(containers)),
            float(n_words[kept & self.comment].sum() / weight),
            float(n_words[kept & self.related].sum() / weight),
            math.log1p(total), self.link_share, float(bool(self.article_body)),
            _bag_f1(kept_text, self.article_body) if self.article_body else 0.0,
            float((n_words * self.cards)[kept].sum() / weight) if len(self.cards) else 0.0,
        ]


def covered(tokens: Sequence[Sequence[str]], other: Sequence[str],
            is_text: Sequence[bool]) -> list[bool]:
    """Which segments make up the other text.

    A segment of many words is covered when most of its word trigrams occur in the other text;
    a line of fewer than _SHORT_WORDS (a caption, a breadcrumb, a teaser's title) only when
    nearly all do, or a few shared words would bring it in. One of one or two words
    ("Conclusion", "Step 2") is covered only when its words occur together in the other text
    and a covered longer segment is near: alone, its words occur by chance.
    """
    grams = set(trigrams(other))
    flat = " " + " ".join(other) + " "
    n = len(tokens)
    out = [False] * n
    long_ = [len(t) >= 3 for t in tokens]
    for i, toks in enumerate(tokens):
        if is_text[i] and long_[i]:
            need = _MIN_COVERAGE if len(toks) >= _SHORT_WORDS else _SHORT_COVERAGE
            out[i] = covered_share(toks, grams) >= need
    for i, toks in enumerate(tokens):
        if is_text[i] and toks and not long_[i] and f" {' '.join(toks)} " in flat:
            out[i] = any(out[j] and long_[j] for j in range(max(0, i - 2), min(n, i + 3)) if j != i)
    return out


@dataclass(frozen=True)
class Opinion:
    """The three bodies on offer and the chooser's inputs."""

    bodies: dict[str, list[bool]]
    row: list[float]
    other: list[str]  # trafilatura's words
    covered: list[bool]
    text: str = ""  # trafilatura's text


def opinion(signals: PageSignals, is_text: Sequence[bool], other: str,
            drop_repeats) -> Opinion | None:
    """The bodies built from trafilatura's text, or None when it found nothing."""
    other_words = words(other)
    if not other_words:
        return None
    cov = covered(signals.tokens, other_words, is_text)
    taken = list(cov)
    drop_repeats(taken)
    pruned = [k and (c or p >= SURE) for k, c, p in zip(signals.kept, cov, signals.probs)]
    if not any(pruned):
        pruned = list(signals.kept)
    if not any(taken):
        taken = list(signals.kept)
    kept_w = signals.text_of(signals.kept)
    taken_w, pruned_w = signals.text_of(taken), signals.text_of(pruned)
    nk = len(kept_w) + 1
    row = signals.row() + [
        _bag_f1(kept_w, other_words), math.log1p(len(other_words)), math.log1p(len(taken_w)),
        math.log1p(len(pruned_w)), (len(other_words) + 1) / nk, (len(pruned_w) + 1) / nk,
        (len(taken_w) + 1) / nk, _contained(other_words, kept_w), _contained(kept_w, other_words),
        _bag_f1(taken_w, kept_w), _bag_f1(pruned_w, kept_w),
    ]
    return Opinion({"kept": list(signals.kept), "taken": taken, "pruned": pruned}, row,
                   other_words, cov, other)


def choose_body(op: Opinion, signals: PageSignals, chooser, prose: Sequence[bool]) -> str:
    """The name of the body to use: the chooser's pick, then the guards.

    ``chooser`` maps "taken" and "pruned" to models of how much better than "kept" each
    would be (None: the rule of earlier releases, taken when trafilatura found more and pruned
    when it found less). ``prose`` flags the page's prose-like segments (the loss guard's
    second witness when the page has no articleBody).
    """
    name = "kept"
    if chooser:
        x = np.array([op.row])
        gains = {body: float(model.raw(x)[0]) for body, model in chooser.items()}
        best = max(gains, key=gains.get)
        if gains[best] > 0:
            name = best
    else:
        # Without trained models: taken when trafilatura found more, pruned when it found
        # less (but not so little that it missed the story), nothing when the two agree.
        agree = op.row[CHOOSER_FEATURES.index("agreement")]
        ratio = op.row[CHOOSER_FEATURES.index("other_ratio")]
        if agree < _AGREEMENT:
            name = "taken" if ratio > 1 else "pruned" if ratio >= _MIN_SHORTER else "kept"
    return guard(name, op, signals, prose)


def guard(name: str, op: Opinion, signals: PageSignals, prose: Sequence[bool]) -> str:
    """Overrule a body that loses an agreed article or keeps what dwarfs it.

    Returns a body name: one of ``op.bodies``, "strict" (added to them) or "text", which means
    trafilatura's own text, when the page's segments cannot express it (it came from markup
    newsdesk does not read as text, such as a script-rendered page's data) and the chosen body
    is next to nothing.
    """
    other = op.other
    if len(other) < _GUARD_MIN_WORDS:
        return name
    body = signals.text_of(op.bodies[name])
    if (len(body) < _NOTHING_WORDS and op.text
            and _contained(other, signals.text_of(op.bodies["taken"])) < _LOSS_SHARE):
        return "text"
    if _contained(other, body) < _LOSS_SHARE:
        witness = signals.article_body
        agreed = (_bag_f1(other, witness) >= _WITNESS_AGREEMENT if witness
                  else _contained(other, signals.text_of(prose)) >= _WITNESS_PROSE)
        if agreed and _contained(other, signals.text_of(op.bodies["taken"])) >= _LOSS_SHARE:
            return "taken"
    if len(body) >= _DWARF_RATIO * len(other) and _contained(other, body) >= _DWARF_CONTAINED:
        strict = [b and c for b, c in zip(op.bodies[name], op.covered)]
        if any(strict):
            op.bodies["strict"] = strict
            return "strict"
    return name
