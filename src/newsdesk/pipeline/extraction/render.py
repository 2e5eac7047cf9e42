"""Kept segments to Blocks, and Blocks to the article's sanitized HTML and plain text."""

from __future__ import annotations

import dataclasses
import html as htmlmod
import re
from collections.abc import Iterable, Sequence

import nh3

from ..model import Block, Image
from .segment import Segment, segment_html

# newsdesk's one HTML allow-list: the site cleans stored article HTML again with it.
ALLOWED_TAGS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "figure", "figcaption",
                          "img", "a", "em", "strong", "b", "i", "br"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"}), "img": frozenset({"src", "alt"})}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Joins the blocks' HTML for one sanitizer pass, then splits it again. Private-use characters:
# removed from page text before, so the page cannot forge one.
_SEPARATOR = "\ue000\ue001\ue000"
_PRIVATE = re.compile("[\ue000\ue001]")


def sanitize(html: str, include_links: bool = True) -> str:
    """Clean HTML down to newsdesk's allow-list; links get rel="noopener nofollow"."""
    if include_links:
        return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes=URL_SCHEMES, link_rel="noopener nofollow",
                         strip_comments=True)
    return nh3.clean(html, tags=ALLOWED_TAGS - {"a"}, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True)


def figure_html(image: Image) -> str:
    alt = htmlmod.escape(image.alt)
    src = htmlmod.escape(image.src)
    caption = f"<figcaption>{htmlmod.escape(image.caption)}</figcaption>" if image.caption else ""
    return f'<figure><img src="{src}" alt="{alt}">{caption}</figure>'


def to_blocks(segments: Sequence[Segment], include_links: bool = True,
              base_url: str | None = None) -> list[Block]:
    """Group kept segments into Blocks (list items into lists, quote paragraphs into quotes).

    Links and image sources are made absolute against ``base_url``; every block's HTML is
    sanitized.
    """
    blocks: list[Block] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if seg.group and seg.group_kind and seg.kind != "figure":
            j = i
            while (j < len(segments) and segments[j].group == seg.group
                   and segments[j].kind != "figure"):
                j += 1
            blocks.append(_group_block(segments[i:j], base_url))
            i = j
            continue
        blocks.append(_single_block(seg, base_url))
        i += 1
    blocks = [b for b in blocks if b.text or b.image]
    if not blocks:
        return blocks
    # One sanitizer pass for the whole article: each block's HTML is balanced, so the
    # separator comes back exactly where it went in.
    raw = _SEPARATOR.join(_PRIVATE.sub("", b.html) for b in blocks)
    clean = sanitize(raw, include_links).split(_SEPARATOR)
    if len(clean) != len(blocks):  # never expected; sanitize block by block then
        clean = [sanitize(b.html, include_links) for b in blocks]
    return [dataclasses.replace(b, html=h) for b, h in zip(blocks, clean)]


def _single_block(seg: Segment, base_url: str | None) -> Block:
    if seg.kind == "figure":
        return Block("figure", text=seg.image.caption, html=figure_html(seg.image), image=seg.image)
    if seg.kind == "heading":
        level = min(max(seg.level, 2), 4)
        return Block("heading", text=seg.text,
                     html=f"<h{level}>{segment_html(seg, base_url)}</h{level}>", level=level)
    return Block("paragraph", text=seg.text, html=f"<p>{segment_html(seg, base_url)}</p>")


def _group_block(segs: Sequence[Segment], base_url: str | None) -> Block:
    kind = segs[0].group_kind
    if kind == "quote":
        inner = "".join(f"<p>{segment_html(s, base_url)}</p>" for s in segs)
        return Block("quote", text="\n\n".join(s.text for s in segs),
                     html=f"<blockquote>{inner}</blockquote>")
    items = tuple(s.text for s in segs)
    inner = "".join(f"<li>{segment_html(s, base_url)}</li>" for s in segs)
    return Block("list", text="\n".join(items), html=f"<{kind}>{inner}</{kind}>",
                 items=items, ordered=kind == "ol")


def render_html(blocks: Iterable[Block]) -> str:
    """The article's HTML: each block's sanitized HTML, one per line."""
    return "\n".join(b.html for b in blocks if b.html)


def render_text(blocks: Iterable[Block]) -> str:
    """The article's plain text: blocks separated by one blank line, figures left out."""
    return "\n\n".join(b.text for b in blocks if b.kind != "figure" and b.text)
