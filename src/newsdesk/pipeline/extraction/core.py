"""The extraction stage: one page's HTML in, one Article out."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..charset import decode_html
from ..errors import ExtractionError, PageTooComplex, unexpected_errors
from ..model import Article, Image
from .attribution import drop_attribution, drop_labels_and_stubs
from .body import choose, score, select_fallback
from .dates import headline_date, modified_date, shown_date
from .dom import MAX_DEPTH, TOO_DEEP_NOTE, parse_page, strip_non_content, within_limits
from .features import PageFeatures
from .metadata import Metadata, read_metadata
from .options import ExtractOptions
from .render import render_html, render_text, to_blocks
from .segment import Segment, SegmentedPage, segment_tree
from .weights import DEFAULT_MODEL


@dataclass(frozen=True)
class Analysis:
    """A page taken apart: its metadata, segments and their features."""

    root: etree._Element
    metadata: Metadata
    segments: list[Segment]
    features: PageFeatures
    page: SegmentedPage
    html: str  # the page as decoded text, within dom's limits
    notes: tuple[str, ...] = ()  # what of the page was not read (see dom.within_limits)


def analyse(html: str | bytes, url: str | None = None, fast: bool = False) -> Analysis:
    """Parse a page and compute everything the body classifier needs.

    Raises ExtractionError when the input is not HTML.
    """
    text = decode_html(bytes(html)) if isinstance(html, (bytes, bytearray)) else html
    if not isinstance(text, str):
        raise ExtractionError("The page must be given as str or bytes.")
    text, cut = within_limits(text)
    root, unread = parse_page(text)
    md = read_metadata(root, url, fast=fast)
    strip_non_content(root)
    if not fast:
        # The date written under the headline is the one readers see (in the site's own time
        # zone); structured data may say otherwise. One labelled as an update does not replace
        # a publication date the page gives. Read from the cleaned page, where script text
        # cannot pass for a date.
        shown = headline_date(root, skip_updates=md.date is not None)
        if shown and (md.date is None or md.date.date() != shown.date()):
            md.date = shown
    if md.date is None:
        md.date = (None if fast else shown_date(root)) or modified_date(md.meta, md.jsonld)
    page = segment_tree(root, url)
    features = PageFeatures(page, md.title, md.description, md.page_kind(), url)
    return Analysis(root, md, page.segments, features, page, text, cut + unread)


@unexpected_errors(ExtractionError, "this page")
def extract(html: str | bytes, url: str | None = None,
            options: ExtractOptions | None = None) -> Article:
    """Extract the article of one page.

    ``html`` is the page as text or raw bytes (decoded with charset detection); ``url`` is the
    page's address, used to make links and image sources absolute. Returns an Article; a page
    over ``dom.MAX_PAGE_CHARS`` or ``dom.MAX_ELEMENTS`` is read up to the limit, as its notes say.
    Raises ExtractionError when the input is not HTML or holds no article text (PageTooComplex
    when none comes before the page nests past ``dom.MAX_DEPTH``).
    """
    options = options or ExtractOptions()
    page = analyse(html, url, fast=options.fast)
    md, segments = page.metadata, page.segments
    model = options.model or DEFAULT_MODEL
    notes: list[str] = list(page.notes)
    kept: list[Segment] = []
    if model is not None:
        kept, note = choose(segments, page.features, score(page.features, model), model.threshold,
                            page.html, url,
                            include_images=options.include_images,
                            second_opinion=options.second_opinion and not options.fast,
                            model=model, article_body=md.article_body)
        if note:
            notes.append(note)
    if not any(s.kind != "figure" for s in kept):
        kept = select_fallback(segments)
        notes.append("body chosen by text density: the classifier kept nothing")
    if options.template is not None:
        before = len(kept)
        kept = options.template.filter(kept, page.page)
        if len(kept) < before:
            notes.append(f"{before - len(kept)} blocks removed by the source template")
    kept = _drop_title(kept, md.title)
    kept = drop_labels_and_stubs(drop_attribution(kept))
    if not options.include_images:
        kept = [s for s in kept if s.kind != "figure"]
    blocks = to_blocks(kept, include_links=options.include_links, base_url=url)
    body_text = render_text(blocks)
    if not body_text.strip() or all(s.link_chars >= len(s.text) * 0.9 for s in kept if s.text):
        if TOO_DEEP_NOTE in notes:
            raise PageTooComplex(f"No article text found on the page: it nests elements more than "
                                 f"{MAX_DEPTH + 1} deep, and nothing past that depth can be read.")
        raise ExtractionError("No article text found on the page.")
    lead, images = _images(md, blocks, segments, options)
    return Article(
        title=md.title, authors=md.authors, date=md.date, language=md.language,
        canonical_url=md.canonical_url, text=body_text, html=render_html(blocks),
        images=images, blocks=tuple(blocks), lead_image=lead, description=md.description,
        site_name=md.site_name, sections=md.sections, notes=tuple(notes),
    )


def _drop_title(kept: list[Segment], title: str) -> list[Segment]:
    """Drop the headline where it opens the body: Article.title carries it."""
    if not title:
        return kept
    norm = " ".join(title.split()).lower()
    for i, seg in enumerate(kept[:3]):
        if seg.kind in ("heading", "paragraph") and " ".join(seg.text.split()).lower() == norm:
            return kept[:i] + kept[i + 1:]
    return kept


def _images(md: Metadata, blocks, segments, options: ExtractOptions
            ) -> tuple[Image | None, tuple[Image, ...]]:
    if not options.include_images:
        return None, ()
    body_images = [b.image for b in blocks if b.kind == "figure" and b.image]
    lead = None
    if md.image:
        # The page's declared image, with the caption of the figure that shows it, if any.
        lead = next((s.image for s in segments
                     if s.kind == "figure" and _same_image(s.image.src, md.image)), None)
        lead = Image(src=md.image, caption=lead.caption, alt=lead.alt) if lead else Image(src=md.image)
    elif body_images:
        lead = body_images[0]
    images = [lead] if lead else []
    images += [im for im in body_images if not (lead and _same_image(im.src, lead.src))]
    return lead, tuple(images)


def _same_image(a: str, b: str) -> bool:
    # Resized variants of one image usually differ only in the query string.
    return a.split("?")[0].rstrip("/") == b.split("?")[0].rstrip("/")
