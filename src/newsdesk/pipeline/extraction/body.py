"""Choosing which segments of a page are the article body."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from lxml import etree

from ..shingles import trigrams, words
from . import second
from .classifier import BlockModel
from .context import GROUP_INDEX
from .features import PageFeatures
from .segment import Segment

# A figure inside one of these is a promo, an avatar or an ad, not part of the story.
_FIGURE_NOISE = tuple(GROUP_INDEX[g] for g in ("related", "share", "ad", "byline", "sidebar",
                                               "comment", "footer", "nav", "t_link", "t_aside",
                                               "t_nav", "t_footer", "overlay", "newsletter"))
_LEAD_REACH = 4  # segments before the body in which a figure still counts as the lead
_MIN_BODY_WORDS = 25  # below this, the body is topped up with the likeliest paragraph
_RELATIVE_FLOOR = 0.7  # share of the best score kept when nothing reaches the threshold
_REPEAT_MIN_CHARS = 30  # shorter texts ("Share", "Photo:") may well repeat legitimately
_REPEAT_SHARE = 0.8  # share of a segment's word trigrams kept elsewhere that makes it a copy


def score(features: PageFeatures, model: BlockModel) -> np.ndarray:
    """Probability that each segment belongs to the article body."""
    if features.n == 0:
        return np.zeros(0)
    return model.trees.predict(features.matrix(model))


def select(segments: Sequence[Segment], probs: np.ndarray, threshold: float,
           include_images: bool = True) -> list[Segment]:
    """The body: text segments scored at or above ``threshold``, and the figures among them.

    When no segment reaches the threshold, the best-scored ones still make the body (a short
    article under a huge menu scores low but is still the article). Text repeated later on
    the page (hidden copies, structured-data echoes) is kept once.
    """
    text_probs = [p if s.kind != "figure" else 0.0 for s, p in zip(segments, probs)]
    if not text_probs:
        return []
    top = max(text_probs)
    if top < threshold:
        threshold = top * _RELATIVE_FLOOR
    keep = [(s.kind != "figure" and p >= threshold and p > 0) for s, p in zip(segments, probs)]
    _drop_repeats(segments, keep)
    _ensure_prose(segments, probs, keep)
    return with_figures(segments, keep, include_images)


def with_figures(segments: Sequence[Segment], keep: list[bool],
                 include_images: bool = True) -> list[Segment]:
    """The kept text segments, with the clean figures among them and just before them."""
    kept_idx = [i for i, k in enumerate(keep) if k]
    if not kept_idx:
        return []
    keep = list(keep)
    first, last = kept_idx[0], kept_idx[-1]
    if include_images:
        for i in range(max(0, first - _LEAD_REACH), last + 1):
            seg = segments[i]
            if seg.kind == "figure" and _clean_figure(seg):
                keep[i] = True
    return [s for s, k in zip(segments, keep) if k]


def choose(segments: Sequence[Segment], features: PageFeatures, probs: np.ndarray,
           threshold: float, html: str, url: str | None, include_images: bool = True,
           second_opinion: bool = True, model: BlockModel | None = None,
           article_body: str = "") -> tuple[list[Segment], str | None]:
    """The body's segments given the classifier's scores, and a note when a second opinion
    changed them.

    ``model`` carries the second opinion's chooser (``second.py``);
    ``article_body`` is the page's structured-data copy of the story, if any.
    """
    kept = select(segments, probs, threshold, include_images)
    if not second_opinion or not second.unsure(features, probs):
        return kept, None
    signals, op = offer(segments, features, probs, kept, second.other_text(html, url),
                        article_body)
    if op is None:
        return kept, None
    name = second.choose_body(op, signals, model.chooser if model is not None else None,
                              prose_flags(segments))
    if name == "kept":
        return kept, None
    note = f"body chosen with a second opinion (trafilatura): {second.NOTES[name]}"
    if name == "text":
        return text_segments(op.text), note
    keep = list(op.bodies[name])
    _drop_repeats(segments, keep)
    return with_figures(segments, keep, include_images), note


def offer(segments: Sequence[Segment], features: PageFeatures, probs: np.ndarray,
          kept: Sequence[Segment], other: str, article_body: str = ""
          ) -> tuple[second.PageSignals, second.Opinion | None]:
    """What the chooser weighs on a page: its signals, given the classifier's body ``kept``,
    and the bodies built from the second opinion's text ``other`` (None when it is empty)."""
    chosen = {id(s) for s in kept}
    flags = [id(s) in chosen and s.kind != "figure" for s in segments]
    signals = second.PageSignals.of(segments, features, probs, flags, article_body)
    op = second.opinion(signals, [s.kind != "figure" for s in segments], other,
                        lambda keep: _drop_repeats(segments, keep))
    return signals, op


def _ensure_prose(segments: Sequence[Segment], probs: np.ndarray, keep: list[bool]) -> None:
    """Keep the likeliest real paragraph when what is kept is only a line or two.

    A one-paragraph story under a huge menu can score low everywhere; its paragraph is still
    the page's article.
    """
    words = sum(len(s.text.split()) for s, k in zip(segments, keep) if k)
    if words >= _MIN_BODY_WORDS:
        return
    best, best_score = -1, 0.0
    for i, s in enumerate(segments):
        n = len(s.text.split())
        if s.kind != "figure" and n >= _MIN_BODY_WORDS and s.link_chars < 0.3 * len(s.text):
            value = float(probs[i]) * n
            if value > best_score:
                best, best_score = i, value
    if best >= 0:
        keep[best] = True


def _drop_repeats(segments: Sequence[Segment], keep: list[bool]) -> None:
    """Unkeep copies of text already kept elsewhere on the page: hidden duplicates of the
    story, structured-data echoes, the whole story again as one blob. A segment goes when most
    of its word trigrams were already kept in other elements; a repeat within the same element,
    like a refrain, stays."""
    seen: dict[tuple[str, str, str], int] = {}  # trigram -> container of its first kept copy
    for i, seg in enumerate(segments):
        if not keep[i]:
            continue
        # The element around the segment's own block: paragraphs of one story share it.
        container = seg.path[-2] if len(seg.path) >= 2 else -1
        grams = trigrams(words(seg.text))
        if len(seg.text) >= _REPEAT_MIN_CHARS and grams:
            elsewhere = sum(1 for g in grams if seen.get(g, container) != container)
            if elsewhere >= _REPEAT_SHARE * len(grams):
                keep[i] = False
                continue
        for g in grams:
            seen.setdefault(g, container)


def _clean_figure(seg: Segment) -> bool:
    ctx = seg.context
    return all(ctx[g] < 0 for g in _FIGURE_NOISE)


def text_segments(text: str) -> list[Segment]:
    """Paragraph segments made from plain text, one a line (a second opinion's own text)."""
    out = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            el = etree.Element("p")
            el.text = line
            out.append(Segment("paragraph", line, [line], el))
    return out


def prose_flags(segments: Sequence[Segment]) -> list[bool]:
    """Prose-like segments: several words, few of them in links."""
    return [s.kind != "figure" and len(s.text.split()) >= 8 and s.link_chars < 0.5 * len(s.text)
            for s in segments]


def select_fallback(segments: Sequence[Segment]) -> list[Segment]:
    """Without a usable classifier result: the prose-like segments."""
    return [s for s, prose in zip(segments, prose_flags(segments)) if prose]
