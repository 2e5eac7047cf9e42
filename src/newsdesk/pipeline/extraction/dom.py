"""Parsing page text into an lxml tree, and the clean-up every later step relies on."""

from __future__ import annotations

import itertools
import re

from lxml import etree

from ..errors import ExtractionError

MAX_PAGE_CHARS = 3_000_000
"""The most characters of a page the extractor reads, counted after decoding.

Extraction time and memory grow with the page: 10 MB of paragraphs took 7.8 s and 530 MB before
this limit, and take 2.3 s and 150 MB with it. Article pages are far shorter (the longest of the
benchmark pages has 1.8 million characters, most of them scripts). See ``within_limits``.
"""

MAX_ELEMENTS = 30_000
"""The most elements (counted as start tags) of a page the extractor reads.

Time and memory grow with the number of elements more than with the text: 10 MB of empty
paragraphs took 20 s and 2.7 GB before this limit (10 MB of line breaks over five minutes), and
take 1.3 s and 230 MB with it. Article pages have a few thousand (the most among the benchmark
pages is under 7,000). See ``within_limits``.
"""

MAX_DEPTH = 255
"""How deep elements may nest: libxml2's HTML parser reads nothing past the 256th level.

Not a setting (libxml2 raises it only with options that would let the extractor's recursive walk
overflow Python's stack); a page that nests deeper keeps what came before, noted in
``Article.notes``, and one with no article text before that point raises PageTooComplex.
"""

# Elements whose content is never article text.
NEVER_CONTENT = ("script", "style", "template", "svg", "math", "iframe", "object",
                 "embed", "canvas", "option", "input", "head", "video", "audio", "map")
# <noscript> usually holds a tracking pixel or the plain copy of a lazy-loaded image, but some
# platforms (Blogger among them) put the whole post there and render it from a script
# template: one holding this much text is the article, and is unwrapped rather than removed.
_NOSCRIPT_ARTICLE_CHARS = 200
# Form controls are unwrapped, not removed: when one is left unclosed, libxml2 nests the rest
# of the page inside it, and removing it would remove the article too.
UNWRAP = ("button", "select", "textarea", "dialog", "label")

# Browsers ignore </body> and </html> before the end (pages that include a whole template
# fragment have them mid-page); libxml2 stops building the tree there, losing the article.
_EARLY_END_TAGS = re.compile(r"</(?:body|html)\s*>", re.I)
# lxml refuses text that starts with an XML declaration naming an encoding; the pattern also
# takes declarations left unterminated or repeated, which lxml reads up to the first ">".
_XML_DECLARATION = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)+", re.I)
# libxml2 keeps C0 control characters in text, but lxml refuses any text holding one that is set
# later (a tail moved while elements are stripped); browsers show nothing for them either.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOOKS_LIKE_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|article|main|span|section|h[1-6]|table|meta|title)\b", re.I)
_BULKY = re.compile(r"<(script|style|svg)\b[^>]*>", re.I)
_DATA_URI = re.compile(r"""(?<=["'])data:[^"'>]{256,}""", re.I)
_START_TAG = re.compile(r"<[A-Za-z]")


def within_limits(text: str) -> tuple[str, tuple[str, ...]]:
    """Return the page text within ``MAX_PAGE_CHARS`` and ``MAX_ELEMENTS``, and a note if cut.

    A page over either limit first loses the bodies of its scripts (JSON-LD kept), its styles,
    inline SVG and ``data:`` URIs, which make most of the bulk of big pages; what is still over
    is cut at the limit, and the parser closes the elements left open.
    """
    if len(text) <= MAX_PAGE_CHARS and _nth_start_tag(text, MAX_ELEMENTS + 1) is None:
        return text, ()
    text = _DATA_URI.sub("data:,", _without_bulk(text))
    cut = min(len(text), MAX_PAGE_CHARS, _nth_start_tag(text, MAX_ELEMENTS + 1) or len(text))
    if cut == len(text):
        return text, ("the page is over the extractor's size limits: its scripts, styles and "
                      "inline images were left out",)
    return text[:cut], (f"the page is over the extractor's size limits ({MAX_PAGE_CHARS:,} "
                        f"characters, {MAX_ELEMENTS:,} elements): only its first {cut:,} "
                        "characters were read",)


def _without_bulk(text: str) -> str:
    """``text`` without its scripts (but JSON-LD), styles and inline SVG.

    A loop, not one pattern: a pattern would search to the end of the page again for each
    element left unclosed. An unclosed one holds the rest of the page, as in browsers.
    """
    kept, pos = [], 0
    while opening := _BULKY.search(text, pos):
        kept.append(text[pos:opening.start()])
        closing = re.compile(rf"</{opening.group(1)}\s*>", re.I).search(text, opening.end())
        end = closing.end() if closing else len(text)
        if "ld+json" in opening.group().lower():
            kept.append(text[opening.start():end])
        pos = end
    kept.append(text[pos:])
    return "".join(kept)


def _nth_start_tag(text: str, n: int) -> int | None:
    """Where the ``n``-th start tag of ``text`` begins, or None when there are fewer."""
    match = next(itertools.islice(_START_TAG.finditer(text), n - 1, None), None)
    return match.start() if match else None


def parse(text: str) -> etree._Element:
    """Parse page text into an lxml HTML tree (the ``<html>`` element).

    Raises ExtractionError when the text is not HTML.
    """
    return parse_page(text)[0]


TOO_DEEP_NOTE = f"the page nests elements more than {MAX_DEPTH + 1} deep; what follows was not read"


def parse_page(text: str) -> tuple[etree._Element, tuple[str, ...]]:
    """Parse page text as ``parse`` does; also return notes on what could not be read.

    Raises ExtractionError when the text is not HTML.
    """
    if "\x00" in text[:4096]:
        raise ExtractionError("The page is not HTML: it contains binary data.")
    head = text[:200].lstrip()
    if head.startswith(("%PDF", "{", "[")) or not _LOOKS_LIKE_MARKUP.search(text[:100000]):
        raise ExtractionError("The page is not HTML: no HTML markup found.")
    text = _EARLY_END_TAGS.sub("", _XML_DECLARATION.sub("", text, count=1))
    if _CONTROL_CHARS.search(text):
        text = _CONTROL_CHARS.sub("", text.replace("\x0c", " "))
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True,
                              no_network=True, default_doctype=False)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"The page could not be parsed as HTML: {exc}") from exc
    if root is None or not isinstance(root.tag, str):
        raise ExtractionError("The page could not be parsed as HTML: it is empty.")
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message
                   for e in parser.error_log)
    return root, (TOO_DEEP_NOTE,) if too_deep else ()


# Site navigation and footers outside the article: on the benchmark pages they hold a third of
# all text blocks and almost never article text, so they are dropped before the walk.
_SITE_CHROME = etree.XPath("//nav[not(ancestor::article) and not(ancestor::main)]"
                           " | //footer[not(ancestor::article)]")
# A real menu or footer is mostly links and a small part of the page. One that holds most of
# the page's text, little of it in links, has swallowed the page: an unclosed <nav> makes
# libxml2 nest everything after it inside, article included.
_CHROME_MIN_LINK_SHARE = 0.5
_CHROME_MAX_PAGE_SHARE = 0.4


def strip_non_content(root: etree._Element) -> None:
    """Remove elements that never hold article text (scripts, styles, forms' widgets, site
    navigation and footers outside the article)."""
    etree.strip_elements(root, *NEVER_CONTENT, with_tail=False)
    for el in list(root.iter("noscript")):
        if _text_length(el) < _NOSCRIPT_ARTICLE_CHARS:
            _remove_keeping_tail(el)
    etree.strip_tags(root, "noscript", *UNWRAP)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    chrome = _SITE_CHROME(root)
    if not chrome:
        return
    page_chars = _text_length(root)
    for el in chrome:
        if not _swallowed_page(el, page_chars):
            _remove_keeping_tail(el)


def _text_length(el: etree._Element) -> int:
    return len(" ".join("".join(el.itertext()).split()))


def _swallowed_page(el: etree._Element, page_chars: int) -> bool:
    """Whether a menu or footer holds most of the page's text, little of it in links."""
    chars = _text_length(el)
    if chars <= _CHROME_MAX_PAGE_SHARE * page_chars:
        return False
    return sum(_text_length(a) for a in el.iter("a")) < _CHROME_MIN_LINK_SHARE * chars


def _remove_keeping_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
