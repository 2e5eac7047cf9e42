"""Numeric features of segments, for the block classifier.

Three kinds: the segment's own text (length, links, punctuation), where it sits (position,
ancestry keywords, the block elements around it), and its neighbours. The column order is the
trained model's input layout: :data:`FEATURE_NAMES` is checked against the model on load.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .context import GROUPS
from .lexicon import score_names, score_text
from .segment import Segment, SegmentedPage

if TYPE_CHECKING:
    from .classifier import BlockModel

_BOILER = re.compile(
    r"\b(?:share|tweet|subscribe|sign up|newsletter|follow us|read more|related|advertis|cookie|"
    r"comments?|reply|log ?in|register|copyright|all rights reserved|privacy|terms of|click here|"
    r"sponsored|recommended|trending|you may also|read next|see also|download|app store|"
    r"google play|skip to|menu|search|posted in|filed under|tags?:|photo:|image:|credit)\b", re.I)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
                    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
                    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\bago\b", re.I)
_CAPITAL = re.compile(r"(?<!\w)[A-Z]")
_DIGIT = re.compile(r"\d")
_PROSE = frozenset(("paragraph", "item", "pre", "heading"))
_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"\w+")
_END_PUNCT = tuple('.!?:;"\'”’»…)')

_OWN = (
    "log_chars", "log_words", "link_density", "k_paragraph", "k_heading", "heading_level",
    "k_item", "k_pre", "k_figure", "tag_p", "tag_div", "tag_td", "tag_other", "ends_punct",
    "sentences_per_word", "commas_per_word", "capital_ratio", "digit_ratio", "boiler_words",
    "is_title", "byline_like", "date_like", "copyright", "avg_word_len", "pipes", "in_quote",
    "in_list", "log_repeats", "group_size", "links", "internal_link_share",
)
_REPEATED = ("cards_1", "cards_2", "cards_3")
_POSITION = ("rel_index", "rel_chars_before", "log_segments", "log_page_chars", "depth",
             "depth_vs_body")
_CONTAINER = tuple(f"c{level}_{name}" for level in range(4)
                   for name in ("log_chars", "link_density", "good_share", "log_segments"))
_BEST = ("in_best", "best_depth_diff", "best_share", "in_best_range")
_NEIGHBOURS = ("prev_log_words", "next_log_words", "prev_link", "next_link", "win2_log_words",
               "win5_log_words", "win5_link", "prev_kind_heading", "next_kind_paragraph")
_PAGE = ("page_news", "page_blog", "page_article", "page_og_article", "page_published",
         "page_author", "page_item_share", "page_heading_share", "page_link_share")
_ANCHORS = ("title_found", "after_title", "title_distance", "title_lca_up", "title_lca_share",
            "description_overlap")
STAGE1_NAMES: tuple[str, ...] = (_OWN + _REPEATED + _POSITION + tuple(f"ctx_{g}" for g in GROUPS)
                                 + _CONTAINER + _BEST + _NEIGHBOURS + _ANCHORS + _PAGE)
LEXICAL_NAMES = ("lex_text", "lex_names", "lex_text_win2", "lex_text_c1", "lex_names_c2")
FEATURE_NAMES: tuple[str, ...] = STAGE1_NAMES + LEXICAL_NAMES

_TAG_P = frozenset(("p",))
_TAG_DIV = frozenset(("div", "section", "article", "main", "body", "center", "header", "footer",
                      "aside", "form", "span", "font"))
_TAG_TD = frozenset(("td", "th", "dd", "dt", "tr", "table"))


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over the window [i-radius, i+radius], clipped at the ends."""
    n = len(values)
    csum = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    idx = np.arange(n)
    lo = np.maximum(idx - radius, 0)
    hi = np.minimum(idx + radius + 1, n)
    return (csum[hi] - csum[lo]) / (hi - lo)


def _shift(values: np.ndarray, by: int, fill: float) -> np.ndarray:
    out = np.full_like(values, fill)
    if by > 0:
        out[by:] = values[:-by]
    elif by < 0:
        out[:by] = values[-by:]
    else:
        out[:] = values
    return out


def _host(url: str) -> str:
    """The host of an absolute URL, without "www."; "" for relative ones."""
    if "//" not in url[:12]:
        return ""
    host = url.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host


def _links(pieces: list, host: str) -> tuple[float, float]:
    """How many links a segment has, and the share pointing inside the page's own site
    (related stories and menus) rather than out (a story's sources)."""
    count = internal = 0
    for piece in pieces:
        if type(piece) is tuple and piece[0] == "a":
            count += 1
            target = _host(piece[1])
            if not target or target == host or target.endswith("." + host):
                internal += 1
    return math.log1p(count), internal / count if count else 0.0


class PageFeatures:
    """Features of one page's segments: ``stage1`` (fixed rules), then :meth:`with_lexicons`."""

    def __init__(self, page: SegmentedPage, title: str, description: str = "",
                 page_kind: Sequence[float] = (0.0,) * 6, url: str | None = None):
        segments = page.segments
        host = _host(url) if url else ""
        self.nodes = np.asarray(page.nodes, dtype=np.int64).reshape(-1, 3)
        self.names = page.names
        n = len(segments)
        self.n = n
        norm_title = _norm(title) if title else ""
        title_len = len(title or "")
        slack = 0.3 * title_len + 5
        counts = Counter(s.text for s in segments)
        group_sizes = Counter(s.group for s in segments if s.group)
        rows = []
        chars = []
        links = []
        words_list = []
        good = []
        log1p = math.log1p
        for s in segments:
            text = s.text
            nchars = len(text)
            nwords = text.count(" ") + text.count("\n") + 1 if nchars else 0
            link = min(s.link_chars, nchars) / nchars if nchars else 0.0
            kind = s.kind
            tag = s.element.tag
            head = text[:160]
            ends = text.endswith(_END_PUNCT)
            digits = len(_DIGIT.findall(head))
            if nwords:
                sentences = (text.count(". ") + text.count("! ") + text.count("? ") + ends) / nwords
                commas = text.count(",") / nwords
                capitals = len(_CAPITAL.findall(head)) / min(nwords, 30)
                word_len = (nchars - nwords + 1) / nwords
            else:
                sentences = commas = capitals = word_len = 0.0
            is_p = tag in _TAG_P
            is_div = tag in _TAG_DIV
            is_td = tag in _TAG_TD
            rows.append((
                log1p(nchars), log1p(nwords), link, kind == "paragraph", kind == "heading", s.level,
                kind == "item", kind == "pre", kind == "figure", is_p, is_div, is_td,
                not (is_p or is_div or is_td), ends, sentences, commas, capitals,
                digits / max(1, len(head)),
                nwords <= 12 and _BOILER.search(head) is not None,
                bool(norm_title) and kind != "figure" and abs(nchars - title_len) <= slack
                and _norm(text) == norm_title,
                nwords <= 10 and head[:3].lower() == "by ",
                nwords <= 14 and digits > 0 and _MONTH.search(head) is not None,
                "©" in head or "opyright" in head, word_len, text.count("|"),
                s.group_kind == "quote", s.group_kind in ("ul", "ol"), math.log(counts[text]),
                log1p(group_sizes[s.group]) if s.group else 0.0,
                *(_links(s.pieces, host) if s.link_chars else (0.0, 0.0)),
            ))
            chars.append(nchars)
            links.append(link * nchars)
            words_list.append(nwords)
            good.append(nchars if (nwords >= 8 and link < 0.3 and kind in _PROSE) else 0)
        own = np.array(rows, dtype=np.float64).reshape(n, len(_OWN))
        chars = np.array(chars, dtype=np.float64)
        links = np.array(links, dtype=np.float64)
        words_arr = np.array(words_list, dtype=np.float64)
        good = np.array(good, dtype=np.float64)
        self.own = own
        self.chars, self.links, self.words, self.good = chars, links, words_arr, good
        self.csum_chars = np.concatenate(([0.0], np.cumsum(chars)))
        self.csum_links = np.concatenate(([0.0], np.cumsum(links)))
        self.csum_good = np.concatenate(([0.0], np.cumsum(good)))
        self.depth = np.array([s.depth for s in segments], dtype=np.float64)
        self.paths = [s.path for s in segments]
        self.texts = [s.text for s in segments]
        self.best = self._best_node()
        self.stage1 = np.hstack([self._assemble(segments),
                                 self._anchors(segments, title, description),
                                 self._page(page_kind)])

    # -- containers ------------------------------------------------------------------------
    def _node_sums(self, csum: np.ndarray, node_ids: np.ndarray) -> np.ndarray:
        return csum[self.nodes[node_ids, 1]] - csum[self.nodes[node_ids, 0]]

    def _best_node(self) -> int:
        """The block element holding the most prose, net of the other text it also holds."""
        if not len(self.nodes):
            return -1
        ids = np.arange(len(self.nodes))
        good = self._node_sums(self.csum_good, ids)
        other = self._node_sums(self.csum_chars, ids) - good
        score = good - 0.5 * other
        return int(np.argmax(score))

    def _container_ids(self, level: int) -> np.ndarray:
        """For each segment, the id of its enclosing block element ``level`` steps up (-1: none)."""
        out = np.full(self.n, -1, dtype=np.int64)
        for i, path in enumerate(self.paths):
            if len(path) > level:
                out[i] = path[-1 - level]
        return out

    def _assemble(self, segments: Sequence[Segment]) -> np.ndarray:
        n = self.n
        total_chars = max(1.0, float(self.csum_chars[-1]))
        idx = np.arange(n, dtype=np.float64)
        position = np.zeros((n, len(_POSITION)))
        position[:, 0] = idx / max(1, n - 1)
        position[:, 1] = self.csum_chars[:-1] / total_chars
        position[:, 2] = math.log1p(n)
        position[:, 3] = math.log1p(total_chars)
        position[:, 4] = self.depth
        long_depths = self.depth[self.good > 0]
        if len(long_depths):
            body_depth = float(np.median(long_depths))
        else:
            body_depth = float(np.median(self.depth)) if n else 0.0
        position[:, 5] = self.depth - body_depth

        ctx = np.array([s.context for s in segments], dtype=np.float64).reshape(n, len(GROUPS))
        dist = self.depth[:, None] - ctx
        context = np.where(ctx >= 0, 1.0 / (1.0 + np.maximum(dist, 0)), 0.0)

        container = np.zeros((n, len(_CONTAINER)))
        self.container_ids = []
        for level in range(4):
            ids = self._container_ids(level)
            self.container_ids.append(ids)
            valid = ids >= 0
            safe = np.where(valid, ids, 0)
            c = self._node_sums(self.csum_chars, safe)
            lk = self._node_sums(self.csum_links, safe)
            gd = self._node_sums(self.csum_good, safe)
            segs = self.nodes[safe, 1] - self.nodes[safe, 0]
            base = level * 4
            container[:, base] = np.where(valid, np.log1p(c), 0)
            container[:, base + 1] = np.where(valid & (c > 0), lk / np.maximum(c, 1), 0)
            container[:, base + 2] = np.where(valid & (c > 0), gd / np.maximum(c, 1), 0)
            container[:, base + 3] = np.where(valid, np.log1p(segs), 0)

        best = np.zeros((n, len(_BEST)))
        if self.best >= 0:
            b = self.best
            start, end, bdepth = self.nodes[b]
            best[:, 0] = [b in p for p in self.paths]
            best[:, 1] = self.depth - bdepth
            best[:, 2] = (self.csum_good[end] - self.csum_good[start]) / max(1.0, float(self.csum_good[-1]))
            best[:, 3] = (idx >= start) & (idx < end)

        lw = self.own[:, 1]
        ld = self.own[:, 2]
        neigh = np.zeros((n, len(_NEIGHBOURS)))
        neigh[:, 0] = _shift(lw, 1, 0.0)
        neigh[:, 1] = _shift(lw, -1, 0.0)
        neigh[:, 2] = _shift(ld, 1, 1.0)
        neigh[:, 3] = _shift(ld, -1, 1.0)
        neigh[:, 4] = _window_mean(lw, 2)
        neigh[:, 5] = _window_mean(lw, 5)
        neigh[:, 6] = _window_mean(ld, 5)
        neigh[:, 7] = _shift(self.own[:, 4], 1, 0.0)
        neigh[:, 8] = _shift(self.own[:, 3], -1, 0.0)
        return np.hstack([self.own, self._cards(segments), position, context, container, best,
                          neigh])

    def _cards(self, segments: Sequence[Segment]) -> np.ndarray:
        """How many look-alike elements hold each segment, ``level`` steps up: the teasers of a
        "Related" list or a feed each sit in their own copy of one card, while a story's
        paragraphs share one container. Look-alike: the same class names on the way down."""
        out = np.zeros((self.n, len(_REPEATED)))
        names = self.names
        for col, level in enumerate(range(1, len(_REPEATED) + 1)):
            holders: dict[tuple, set[int]] = {}
            keys = []
            for s in segments:
                path = s.path
                if len(path) > level:
                    key = (len(path), s.kind, *(names[node] for node in path[-1 - level:]))
                    holders.setdefault(key, set()).add(path[-1 - level])
                    keys.append(key)
                else:
                    keys.append(None)
            for i, key in enumerate(keys):
                if key is not None:
                    out[i, col] = math.log(len(holders[key]))
        return out

    def _anchors(self, segments: Sequence[Segment], title: str, description: str) -> np.ndarray:
        """Where each segment sits relative to the headline and the page's own summary."""
        n = self.n
        out = np.zeros((n, len(_ANCHORS)))
        t = self._title_index(segments, title)
        if t >= 0:
            idx = np.arange(n)
            out[:, 0] = 1.0
            out[:, 1] = np.sign(idx - t)
            out[:, 2] = np.log1p(np.abs(idx - t))
            tpath = segments[t].path
            total_good = max(1.0, float(self.csum_good[-1]))
            shares: dict[int, float] = {}
            for i, s in enumerate(segments):
                path = s.path
                common = 0
                for a, b in zip(path, tpath):
                    if a != b:
                        break
                    common += 1
                out[i, 3] = len(path) - common
                if common:
                    node = path[common - 1]
                    share = shares.get(node)
                    if share is None:
                        start, end = self.nodes[node, 0], self.nodes[node, 1]
                        share = shares[node] = float(self.csum_good[end] - self.csum_good[start]) / total_good
                    out[i, 4] = share
        if description:
            desc = set(_WORD.findall(description.lower()))
            if len(desc) >= 4:
                for i, s in enumerate(segments):
                    if self.words[i] >= 5:
                        words = _WORD.findall(s.text[:300].lower())
                        if words:
                            out[i, 5] = sum(w in desc for w in words) / len(words)
        return out

    def _page(self, page_kind: Sequence[float]) -> np.ndarray:
        """Page-wide traits, the same on every row: what the page declares itself to be, and
        how list-like and link-heavy it is (guides keep their lists, news pages rarely)."""
        n = self.n
        total = max(1.0, float(self.csum_chars[-1]))
        traits = list(page_kind) + [
            float(self.own[:, 6].mean()) if n else 0.0,
            float(self.own[:, 4].mean()) if n else 0.0,
            float(self.csum_links[-1]) / total,
        ]
        return np.tile(np.array(traits, dtype=np.float64), (n, 1))

    def _title_index(self, segments: Sequence[Segment], title: str) -> int:
        """The segment showing the headline: a heading matching the title, else the first <h1>."""
        norm = _norm(title) if title else ""
        first_h1 = -1
        for i, s in enumerate(segments):
            if s.kind == "heading" or (s.kind == "paragraph" and self.words[i] <= 30):
                if norm and len(s.text) < 2 * len(title) + 20:
                    text = _norm(s.text)
                    if text and (text == norm or (len(text) > 0.6 * len(norm) and text in norm)
                                 or (len(norm) > 0.6 * len(text) and norm in text)):
                        return i
                if first_h1 < 0 and s.level == 1:
                    first_h1 = i
        return first_h1

    def lexical(self, model: BlockModel) -> np.ndarray:
        """The lexicon scores of each segment and of its surroundings, as columns."""
        if self.n == 0:
            return np.zeros((0, len(LEXICAL_NAMES)))
        return self.lexical_columns(
            score_text(self.texts, model.text_tables, model.text_bias),
            score_names(self.paths, self.names, model.name_weights, model.name_bias))

    def lexical_columns(self, text: np.ndarray, names: np.ndarray) -> np.ndarray:
        """Columns from the two lexicon scores (the training script passes out-of-fold ones)."""
        n = self.n
        if n == 0:
            return np.zeros((0, len(LEXICAL_NAMES)))
        out = np.empty((n, len(LEXICAL_NAMES)))
        out[:, 0] = text
        out[:, 1] = names
        out[:, 2] = _window_mean(text, 2)
        out[:, 3] = self._container_mean(text, 1)
        out[:, 4] = self._container_mean(names, 2)
        return out

    def _container_mean(self, values: np.ndarray, level: int) -> np.ndarray:
        """Mean of ``values`` over the segments of each segment's element ``level`` steps up."""
        csum = np.concatenate(([0.0], np.cumsum(values)))
        ids = self.container_ids[level]
        valid = ids >= 0
        safe = np.where(valid, ids, 0)
        start, end = self.nodes[safe, 0], self.nodes[safe, 1]
        mean = (csum[end] - csum[start]) / np.maximum(end - start, 1)
        return np.where(valid, mean, values)

    def column(self, name: str) -> np.ndarray:
        """One fixed feature of every segment, by its name in STAGE1_NAMES."""
        return self.stage1[:, STAGE1_NAMES.index(name)] if self.n else np.zeros(0)

    @property
    def link_share(self) -> float:
        """Share of the page's text in links."""
        return float(self.stage1[0, STAGE1_NAMES.index("page_link_share")]) if self.n else 0.0

    def matrix(self, model: BlockModel) -> np.ndarray:
        """The classifier's input: fixed features then lexicon scores."""
        return np.hstack([self.stage1, self.lexical(model)])
