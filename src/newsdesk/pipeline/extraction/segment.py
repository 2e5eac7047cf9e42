"""Cutting a cleaned DOM into text segments: paragraphs, headings, list items, figures.

A segment is the smallest unit the extractor keeps or drops. Text inside a segment keeps the
spaces the page had at inline-tag boundaries (``with <a>Kataib Hezbollah </a>said`` reads
"Kataib Hezbollah said", ``foo<span>bar</span>`` reads "foobar").
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..model import Image
from ..urls import is_http_url
from .context import EMPTY_CONTEXT, apply_marks, marks

INLINE = frozenset((
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "output", "meter",
))
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Inline tags kept in a segment's HTML; everything else is unwrapped.
_KEPT_INLINE = {"em": "em", "i": "i", "strong": "strong", "b": "b", "cite": "em", "q": None}

_EDGE_BREAKS = re.compile(r"^(?:\s*<br>\s*)+|(?:\s*<br>\s*)+$")
_BREAK = "\x01"  # stands for <br> until whitespace is collapsed
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CAPTION_CLASS = re.compile(r"wp-caption-text|caption", re.I)
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-url", "src")


@dataclass(slots=True)
class Segment:
    """One candidate piece of article body, with the element that holds it."""

    kind: str  # "paragraph", "heading", "item", "figure", "pre"
    text: str
    pieces: list  # raw text (str) and tags (tuples); see segment_html()
    element: etree._Element
    level: int = 0
    group: int = 0  # shared by the items of one list or the paragraphs of one quote
    group_kind: str = ""  # "ul", "ol" or "quote" when grouped
    image: Image | None = None
    link_chars: int = 0
    index: int = 0
    depth: int = 0
    context: tuple[int, ...] = EMPTY_CONTEXT
    path: tuple[int, ...] = ()  # ids of the enclosing block elements, outermost first


class _Run:
    """Text and HTML of one inline run, accumulated while walking."""

    __slots__ = ("text", "html", "link_chars", "in_link", "images", "after_break", "has_text")

    def __init__(self, in_link: int = 0) -> None:
        self.text: list[str] = []
        # Text and tag tuples; turned into HTML only for the segments that are kept.
        self.html: list = []
        self.link_chars = 0
        self.in_link = in_link  # > 0 inside an <a>, even one walked as a block container
        self.images: list[etree._Element] = []
        self.after_break = False  # only whitespace since the last <br>
        self.has_text = False

    def add(self, s: str | None) -> None:
        if s:
            if s != _BREAK and not s.isspace():
                self.after_break = False
                self.has_text = True
            self.text.append(s)
            self.html.append(s)
            if self.in_link:
                self.link_chars += len(s.strip())

    def empty(self) -> bool:
        return not self.has_text


def clean_text(raw: str) -> str:
    """Collapse whitespace as a browser would, keeping <br> breaks as newlines."""
    if _INVISIBLE.search(raw):
        raw = _INVISIBLE.sub("", raw)
    text = " ".join(raw.split())
    if _BREAK in text:
        text = "\n".join(part.strip() for part in text.split(_BREAK))
        text = re.sub(r"\n{2,}", "\n", text)
    return text.strip()


def segment_html(seg: Segment, base_url: str | None = None) -> str:
    """The segment's inline HTML (unsanitized): kept inline tags, links made absolute."""
    out: list[str] = []
    for piece in seg.pieces:
        if isinstance(piece, str):
            out.append(htmlmod.escape(piece, quote=False))
        elif piece[0] == "a":
            href = urljoin(base_url, piece[1]) if base_url else piece[1]
            out.append(f'<a href="{htmlmod.escape(href)}">')
        else:
            out.append(piece[0])
    if seg.kind == "pre":
        return "".join(out).replace("\n", "<br>")
    html = "".join(out)
    if _INVISIBLE.search(html):
        html = _INVISIBLE.sub("", html)
    html = " ".join(html.split())
    if _BREAK in html:
        html = _EDGE_BREAKS.sub("", html.strip(" " + _BREAK).replace(_BREAK, "<br>"))
    return html


# The IAB's standard ad units (width, height): a picture of exactly such a size is an advert.
AD_SIZES = frozenset({(728, 90), (970, 90), (970, 250), (468, 60), (234, 60), (300, 250), (336, 280), (250, 250),
                      (200, 200), (160, 600), (120, 600), (300, 600), (320, 50), (320, 100), (300, 50), (300, 100)})


def is_ad_image(img: etree._Element) -> bool:
    """An advert's picture: inside a link marked ``rel="sponsored"``, or sized as a standard ad unit."""
    try:
        size = (int(img.get("width") or 0), int(img.get("height") or 0))
    except ValueError:
        size = (0, 0)
    if size in AD_SIZES:
        return True
    return any(parent.tag == "a" and "sponsored" in (parent.get("rel") or "").lower().split()
               for parent in img.iterancestors())


def image_src(el: etree._Element, base_url: str | None) -> str:
    """The best absolute source URL of an <img>, looking past lazy-loading placeholders."""
    src = ""
    for attr in _LAZY_SRC:
        value = (el.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            src = value
            break
    if not src:
        srcset = el.get("data-srcset") or el.get("srcset") or ""
        if srcset:
            src = srcset.split(",")[0].strip().split(" ")[0]
    return image_url(src, base_url)


def image_url(src: str, base_url: str | None) -> str:
    """``src`` made absolute against the page's address, when it is then an http(s) address;
    without a page address, a relative one as it is. Anything else (``javascript:``,
    ``data:``, ``vbscript:``, however spelled) gives ""."""
    src = (src or "").strip()
    if not src:
        return ""
    try:
        resolved = urljoin(base_url, src) if base_url else src
        scheme = urlsplit(resolved).scheme
    except ValueError:
        return ""
    if is_http_url(resolved):
        return resolved
    return resolved if not base_url and not scheme and not resolved.startswith("//") else ""


class Segmenter:
    """Walks a cleaned tree once and returns its segments in document order."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url
        self.segments: list[Segment] = []
        # Block elements walked: [first segment, end segment, depth], indexed by Segment.path.
        self.nodes: list[list[int]] = []
        self.names: list[str] = []  # each block element's class and id, lower-cased
        self.elements: list[etree._Element] = []  # each block element
        self._path: tuple[int, ...] = ()
        self._link_depth = 0  # <a> elements walked as block containers around the walk
        self._marks: dict[str, tuple[int, ...]] = {}  # class/id name -> its groups
        self._group = 0
        self._block_cache: dict[etree._Element, bool] = {}

    def _context(self, el: etree._Element, parent: tuple[int, ...], depth: int) -> tuple[int, ...]:
        return apply_marks(parent, marks(el, self._marks), depth)

    def run(self, root: etree._Element) -> list[Segment]:
        body = root.find("body")
        self._walk(body if body is not None else root, 0, "", 1, EMPTY_CONTEXT)
        for i, seg in enumerate(self.segments):
            seg.index = i
        return self.segments

    # -- structure -------------------------------------------------------------------------
    def _has_block(self, el: etree._Element) -> bool:
        cached = self._block_cache.get(el)
        if cached is None:
            # Images render inline: one inside a sentence must not split it.
            cached = any(isinstance(d.tag, str) and d.tag not in INLINE and d.tag != "img"
                         for d in el.iterdescendants())
            self._block_cache[el] = cached
        return cached

    def _is_inline(self, el: etree._Element) -> bool:
        return el.tag in INLINE and not self._has_block(el)

    def _walk(self, el: etree._Element, group: int, group_kind: str, depth: int,
              ctx: tuple[int, ...]) -> None:
        ctx = self._context(el, ctx, depth)
        node = len(self.nodes)
        self.nodes.append([len(self.segments), 0, depth])
        attrs = el.attrib
        self.names.append(f"{attrs.get('class', '')} {attrs.get('id', '')}".lower() if attrs else "")
        self.elements.append(el)
        outer = self._path
        self._path = outer + (node,)
        is_link = el.tag == "a"
        self._link_depth += is_link
        self._dispatch(el, group, group_kind, depth, ctx)
        self._link_depth -= is_link
        self.nodes[node][1] = len(self.segments)
        self._path = outer

    def _dispatch(self, el: etree._Element, group: int, group_kind: str, depth: int,
                  ctx: tuple[int, ...]) -> None:
        tag = el.tag
        if tag in HEADINGS:
            self._emit_whole(el, "heading", group, group_kind, depth, ctx, level=HEADINGS[tag])
        elif tag in ("ul", "ol"):
            self._group += 1
            gid = self._group
            for child in el:
                if child.tag == "li":
                    self._walk_container(child, gid, tag, depth + 1,
                                         self._context(child, ctx, depth + 1), kind="item")
                elif isinstance(child.tag, str):
                    self._walk(child, gid, tag, depth + 1, ctx)
        elif tag == "blockquote":
            self._group += 1
            self._walk_container(el, self._group, "quote", depth, ctx)
        elif tag == "figure" or (tag in ("div", "p", "span") and "wp-caption" in (el.get("class") or "")
                                  and "wp-caption-text" not in (el.get("class") or "")):
            if not self._emit_figure(el, group, group_kind, depth, ctx):
                self._walk_container(el, group, group_kind, depth, ctx)
        elif tag == "img":
            self._emit_figure(el, group, group_kind, depth, ctx)
        elif tag == "pre":
            self._emit_whole(el, "pre", group, group_kind, depth, ctx)
        else:
            self._walk_container(el, group, group_kind, depth, ctx)

    def _walk_container(self, el: etree._Element, group: int, group_kind: str, depth: int,
                        ctx: tuple[int, ...], kind: str = "paragraph") -> None:
        run = _Run(self._link_depth)
        run.add(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                run.add(child.tail)
                continue
            if child.tag == "br":
                if run.after_break:
                    # Two <br> in a row separate paragraphs on pages without <p>.
                    self._flush(run, el, kind, group, group_kind, depth, ctx)
                    run = _Run(self._link_depth)
                else:
                    run.add(_BREAK)
                    run.after_break = True
                run.add(child.tail)
            elif child.tag == "img":
                run.images.append(child)
                run.add(child.tail)
            elif self._is_inline(child):
                self._inline(child, run)
                run.add(child.tail)
            else:
                self._flush(run, el, kind, group, group_kind, depth, ctx)
                self._walk(child, group, group_kind, depth + 1, ctx)
                run = _Run(self._link_depth)
                run.add(child.tail)
        self._flush(run, el, kind, group, group_kind, depth, ctx)

    def _flush(self, run: _Run, el, kind: str, group: int, group_kind: str, depth: int,
               ctx: tuple[int, ...]) -> None:
        if not run.has_text and not run.images:
            return
        text = "" if run.empty() else clean_text("".join(run.text))
        if text:
            self.segments.append(Segment(kind, text, run.html, el,
                                         group=group, group_kind=group_kind,
                                         link_chars=run.link_chars, depth=depth, context=ctx,
                                         path=self._path))
        for img in run.images:
            # An image beside a short text (or none) is a figure of its own; one deep inside
            # a long sentence is an icon or a hover card's portrait.
            if len(text) < 150 or img.getparent() is el:
                self._emit_figure(img, group, group_kind, depth, ctx)

    def _emit_whole(self, el, kind: str, group: int, group_kind: str, depth: int,
                    ctx: tuple[int, ...], level: int = 0) -> None:
        run = _Run(self._link_depth)
        if kind == "pre":
            text = "".join(el.itertext()).strip("\n")
            if text.strip():
                self.segments.append(Segment(kind, text, [text], el, group=group,
                                             group_kind=group_kind, depth=depth, context=ctx,
                                             path=self._path))
            return
        self._inline(el, run, whole=True)
        if run.empty():
            return
        text = clean_text("".join(run.text))
        if text:
            self.segments.append(Segment(kind, text, run.html, el,
                                         level=level, group=group, group_kind=group_kind,
                                         link_chars=run.link_chars, depth=depth, context=ctx,
                                         path=self._path))

    # -- inline content --------------------------------------------------------------------
    def _inline(self, el: etree._Element, run: _Run, whole: bool = False) -> None:
        """Append an inline element's text and HTML (or a whole element's, flattened)."""
        tag = el.tag
        open_tag = close_tag = None
        if not whole:
            if tag == "a":
                href = (el.get("href") or "").strip()
                if href and not href.startswith("#"):
                    open_tag, close_tag = ("a", href), ("</a>",)
                run.in_link += 1
            elif tag in _KEPT_INLINE and _KEPT_INLINE[tag]:
                open_tag, close_tag = (f"<{_KEPT_INLINE[tag]}>",), (f"</{_KEPT_INLINE[tag]}>",)
        if open_tag:
            run.html.append(open_tag)
        run.add(el.text)
        for child in el:
            if isinstance(child.tag, str):
                if child.tag == "br":
                    run.add(_BREAK)
                elif child.tag == "img":
                    run.images.append(child)
                else:
                    self._inline(child, run)
            run.add(child.tail)
        if close_tag:
            run.html.append(close_tag)
        if not whole and tag == "a":
            run.in_link -= 1

    # -- figures ---------------------------------------------------------------------------
    def _emit_figure(self, el, group: int, group_kind: str, depth: int,
                     ctx: tuple[int, ...]) -> bool:
        img = el if el.tag == "img" else next(el.iter("img"), None)
        if img is None:
            return False
        src = image_src(img, self.base_url)
        if not src:
            return el.tag == "img"
        if is_ad_image(img):
            return True  # taken, and left out: an advert inside the story is not one of its pictures
        caption = ""
        if el.tag != "img":
            cap = el.find(".//figcaption")
            if cap is None:
                cap = next((d for d in el.iterdescendants()
                            if isinstance(d.tag, str) and d.tag != "img"
                            and _CAPTION_CLASS.search(d.get("class") or "")), None)
            if cap is not None:
                run = _Run()
                self._inline(cap, run, whole=True)
                caption = clean_text("".join(run.text))
        alt = clean_text(img.get("alt") or "")
        image = Image(src=src, caption=caption, alt=alt)
        self.segments.append(Segment("figure", caption, [], el, group=group,
                                     group_kind=group_kind, image=image, depth=depth,
                                     context=ctx, path=self._path))
        return True


def segment(root: etree._Element, base_url: str | None = None) -> list[Segment]:
    """Return the segments of a cleaned tree in document order."""
    return Segmenter(base_url).run(root)


@dataclass(frozen=True)
class SegmentedPage:
    """A page's segments, and its block elements as [first, end, depth] ranges of segments."""

    segments: list[Segment]
    nodes: list[list[int]]
    names: list[str]  # class and id of each block element, lower-cased
    elements: list[etree._Element]  # the block elements themselves


def segment_tree(root: etree._Element, base_url: str | None = None) -> SegmentedPage:
    """Segments in document order, with the block elements that hold them."""
    segmenter = Segmenter(base_url)
    segments = segmenter.run(root)
    return SegmentedPage(segments, segmenter.nodes, segmenter.names, segmenter.elements)
