"""Per-source template learning: what recurs across an outlet's pages is its template, not news."""

from __future__ import annotations

import logging

from django.db import transaction

from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.extraction import ExtractOptions, SourceTemplate, extract, learn_template
from newsdesk.pipeline.model import FeedEntry
from newsdesk.site.articles.models import Article
from newsdesk.site.sources.models import Source

from .store import UNCHANGED, Page, store_article

log = logging.getLogger("newsdesk.ingest")

# Enough pages for a block to be seen recurring, few enough to follow a redesign quickly.
TEMPLATE_PAGES = 30
MIN_TEMPLATE_PAGES = 4


def extract_options_for(source: Source) -> ExtractOptions:
    """Extraction options with the source's learned template, when it has one."""
    if not source.template:
        return ExtractOptions()
    try:
        return ExtractOptions(template=SourceTemplate.from_json(source.template))
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("%s: ignoring an unreadable stored template (%s)", source.name, exc)
        return ExtractOptions()


def recent_pages(source_id: int, limit: int = TEMPLATE_PAGES) -> list[tuple[int, bytes]]:
    """(article id, page bytes) of the source's most recently fetched stored pages."""
    rows = (Article.objects.filter(source_id=source_id, raw_page__isnull=False)
            .order_by("-fetched_at", "-pk").values_list("pk", "raw_page")[:limit])
    pages = []
    for pk, raw in rows:
        try:
            pages.append((pk, Article(raw_page=raw).page_bytes()))
        except PipelineError as exc:  # a stored value that is not a page newsdesk wrote
            log.warning("article %s: stored page left out of template learning: %s", pk, exc)
    return pages


def refresh_template(source_id: int, *, reextract: bool = False) -> bool:
    """Learn the source's template again from its recent pages; returns True when it changed.

    With ``reextract``, the pages it was learned from are extracted again with it, so articles
    stored before the template existed lose their template blocks too.
    """
    pages = recent_pages(source_id)
    if len(pages) < MIN_TEMPLATE_PAGES:
        return False
    template = learn_template([decode(raw)[0] for _, raw in pages])
    encoded = template.to_json()
    with transaction.atomic():
        updated = Source.objects.filter(pk=source_id).exclude(template=encoded).update(template=encoded)
    if updated and reextract:
        options = ExtractOptions(template=template)
        for article_id, _ in pages:
            try:
                reextract_article(article_id, options)
            except PipelineError as exc:
                log.warning("article %s kept as it was: %s", article_id, exc)
    return bool(updated)


def reextract_article(article_id: int, options: ExtractOptions | None = None) -> str:
    """Extract a stored article again from its stored page; returns NEW/UPDATED/UNCHANGED.

    Raises PipelineError when the article has no stored page or nothing can be extracted from it.
    """
    article = Article.objects.select_related("source").get(pk=article_id)
    raw = article.page_bytes()
    if raw is None:
        raise PipelineError(f"article {article_id} has no stored page to extract again")
    if options is None:
        options = extract_options_for(article.source)
    extracted = extract(decode(raw)[0], article.url, options)
    if not extracted.text.strip():
        return UNCHANGED
    entry = FeedEntry(url=article.url, title=article.title, published=article.published_at)
    page = Page(source_id=article.source_id, entry=entry, url=article.url, canonical_url=article.canonical_url,
                extracted=extracted, raw=raw, from_feed=False)
    outcome, _ = store_article(page)
    return outcome
