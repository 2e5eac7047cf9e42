"""Parsing page text into an lxml tree, and the clean-up every later step relies on."""

from __future__ import annotations

import re

from lxml import etree

from ..errors import ExtractionError

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
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_LOOKS_LIKE_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|article|main|span|section|h[1-6]|table|meta|title)\b", re.I)


def parse(text: str) -> etree._Element:
    """Parse page text into an lxml HTML tree (the ``<html>`` element).

    Raises ExtractionError when the text is not HTML.
    """
    if "\x00" in text[:4096]:
        raise ExtractionError("The page is not HTML: it contains binary data.")
    head = text[:200].lstrip()
    if head.startswith(("%PDF", "{", "[")) or not _LOOKS_LIKE_MARKUP.search(text[:100000]):
        raise ExtractionError("The page is not HTML: no HTML markup found.")
    # lxml refuses str input carrying an XML encoding declaration (XHTML pages).
    text = _EARLY_END_TAGS.sub("", _XML_DECLARATION.sub("", text, count=1))
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True,
                              no_network=True, default_doctype=False)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"The page could not be parsed as HTML: {exc}") from exc
    if root is None or not isinstance(root.tag, str):
        raise ExtractionError("The page could not be parsed as HTML: it is empty.")
    return root


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
