"""Per-source templates: text blocks and boxes that recur across many pages of one source.

An outlet repeats the same promos, newsletter prompts, tip lines and bios on every article,
often inside the article's own container where no single-page extractor can tell them from
prose. Seen across several pages of the same source they stand out:

* phrases: the same whole block of text (compared normalised: case, punctuation and digits
  folded) on a good share of distinct pages ("Sign up for our morning newsletter");
* boxes: elements with the same tag and classes that, page after page, hold a learned phrase
  and otherwise only links or a line or two ("Related Posts" and its changing headlines).

A phrase inside a longer paragraph is not a match: only whole blocks are. A block repeated
within one page counts once, so an article's own refrain is never learned.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import ExtractionError
from ..charset import decode_html
from .dom import parse, strip_non_content
from .segment import Segment, SegmentedPage, segment_tree

_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
_FORMAT = 1
_BOX_MAX_OWN_TEXT = 160  # characters of non-link, non-template text a box may hold


def normalize_block(text: str) -> str:
    """The form in which blocks are compared: lower case, words only, digits folded."""
    return _DIGITS.sub("0", _NON_WORD.sub(" ", text.lower())).strip()


def element_signature(el) -> str:
    """An element's tag and sorted classes ("div.related.widget"); "" when it has no class."""
    classes = (el.get("class") or "").split()
    if not classes:
        return ""
    return f"{el.tag}." + ".".join(sorted(set(classes)))


@dataclass(frozen=True)
class TemplateOptions:
    """How :func:`learn_template` decides that something belongs to the source's template.

    A phrase or box counts when it recurs on at least ``min_pages`` distinct pages and on at
    least ``min_share`` of the pages given. Blocks longer than ``max_chars`` are never phrases.
    """

    min_pages: int = 3
    min_share: float = 0.5
    max_chars: int = 600


@dataclass(frozen=True)
class SourceTemplate:
    """What is boilerplate on one source's pages, learned from ``pages`` of them."""

    phrases: frozenset[str] = frozenset()
    boxes: frozenset[str] = frozenset()  # element signatures, see element_signature()
    pages: int = 0

    def matches(self, text: str) -> bool:
        """Whether a whole block of text is one of this template's phrases."""
        return normalize_block(text) in self.phrases

    def filter(self, kept: Sequence[Segment], page: SegmentedPage) -> list[Segment]:
        """The kept segments minus learned phrases and everything inside learned boxes."""
        if not self.phrases and not self.boxes:
            return list(kept)
        in_box: dict[int, bool] = {}

        def boxed(node: int) -> bool:
            hit = in_box.get(node)
            if hit is None:
                hit = in_box[node] = element_signature(page.elements[node]) in self.boxes
            return hit

        out = []
        for seg in kept:
            if seg.kind != "figure" and normalize_block(seg.text) in self.phrases:
                continue
            if self.boxes and any(boxed(node) for node in seg.path):
                continue
            out.append(seg)
        return out

    def to_json(self) -> str:
        """Serialise for storage; :meth:`from_json` reads it back."""
        return json.dumps({"format": _FORMAT, "pages": self.pages, "phrases": sorted(self.phrases),
                           "boxes": sorted(self.boxes)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> SourceTemplate:
        """Read a template written by :meth:`to_json`. Raises ValueError on malformed input."""
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("format") != _FORMAT:
            raise ValueError("not a newsdesk source template")
        lists = [obj.get("phrases", []), obj.get("boxes", [])]
        if not all(isinstance(v, list) and all(isinstance(p, str) for p in v) for v in lists):
            raise ValueError("template phrases and boxes must be lists of strings")
        return cls(phrases=frozenset(lists[0]), boxes=frozenset(lists[1]),
                   pages=int(obj.get("pages", 0)))


def learn_template(pages: Iterable[str | bytes],
                   options: TemplateOptions | None = None) -> SourceTemplate:
    """Learn a source's template from several of its article pages (str or raw bytes).

    Needs at least ``options.min_pages`` pages (3 by default) to learn anything; 10 to 20
    recent pages give a stable template. Each page costs about one parse and walk (a few
    milliseconds); memory holds one small summary per page. Pages that are not HTML are
    skipped. Returns a template, empty when too few pages could be read.
    """
    options = options or TemplateOptions()
    summaries = []
    counts: Counter[str] = Counter()
    for page in pages:
        text = decode_html(page) if isinstance(page, (bytes, bytearray)) else page
        try:
            root = parse(text)
        except ExtractionError:
            continue
        strip_non_content(root)
        seg_page = segment_tree(root)
        norms = [normalize_block(s.text) if s.kind != "figure" and len(s.text) <= options.max_chars
                 else "" for s in seg_page.segments]
        counts.update(set(norms) - {""})
        summaries.append(_summary(seg_page, norms))
    n = len(summaries)
    if n < options.min_pages:
        return SourceTemplate(pages=n)
    needed = max(options.min_pages, options.min_share * n)
    phrases = frozenset(p for p, c in counts.items() if c >= needed)
    return SourceTemplate(phrases=phrases, boxes=_learn_boxes(summaries, phrases, needed),
                          pages=n)


def _summary(page: SegmentedPage, norms: list[str]):
    """Per block element with a class: its signature and the segments it holds."""
    segs = [(norm, len(s.text), min(s.link_chars, len(s.text))) for s, norm in
            zip(page.segments, norms)]
    nodes = []
    for (start, end, _depth), el in zip(page.nodes, page.elements):
        if end > start:
            signature = element_signature(el)
            if signature:
                nodes.append((signature, start, end))
    return segs, nodes


def _learn_boxes(summaries, phrases: frozenset[str], needed: float) -> frozenset[str]:
    """Signatures of elements that, on enough pages, hold a phrase and little else of their own."""
    boxed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for segs, nodes in summaries:
        page_boxed: set[str] = set()
        page_content: set[str] = set()
        page_seen: set[str] = set()
        for signature, start, end in nodes:
            template = own = 0
            for norm, chars, link in segs[start:end]:
                if norm in phrases:
                    template += chars
                else:
                    own += chars - link
            page_seen.add(signature)
            if own > _BOX_MAX_OWN_TEXT:
                page_content.add(signature)
            elif template:
                page_boxed.add(signature)
        # A signature that holds real text anywhere on a page is a content element there.
        boxed.update(page_boxed - page_content)
        seen.update(page_seen)
    return frozenset(s for s, c in boxed.items() if c >= needed and c >= 0.8 * seen[s])
