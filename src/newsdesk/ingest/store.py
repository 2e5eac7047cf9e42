"""Storing extracted articles: one article per canonical URL, updated in place when it changes."""

from __future__ import annotations

import hashlib
import logging
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from urllib.parse import urljoin

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsdesk.pipeline.model import Article as Extracted
from newsdesk.pipeline.model import FeedEntry
from newsdesk.pipeline.urls import canonicalize, is_http_url, same_site
from newsdesk.site.articles.models import Article, ArticleURL, Category
from newsdesk.site.sources.models import Source

from . import stages

log = logging.getLogger("newsdesk.ingest")

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


@dataclass(frozen=True)
class Page:
    """What was fetched and extracted for one feed entry, ready to store."""

    source_id: int
    entry: FeedEntry
    url: str  # the URL the page was fetched from, canonicalised
    canonical_url: str
    extracted: Extracted
    raw: bytes | None = None
    notes: str = ""
    from_feed: bool = True  # False when re-extracting a stored page: the feed's change marker stays


def content_hash(text: str) -> str:
    """A hash of the article text that ignores case and whitespace differences."""
    normalised = re.sub(r"\s+", " ", text).strip().lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def entry_stamp(entry: FeedEntry) -> str:
    """What tells whether a feed entry changed since it was stored."""
    when = entry.updated or entry.published
    return when.isoformat() if when else ""


# Shorter texts (a video page's one-line caption, "Live updates") are too generic to prove two
# URLs carry the same article.
MIN_TEXT_FOR_HASH_MATCH = 200


def find_existing(source_id: int, urls: list[str], digest: str | None) -> Article | None:
    """The stored article these URLs or this text belong to, if any."""
    known = ArticleURL.objects.filter(url__in=urls).select_related("article").first()
    if known is not None:
        return known.article
    article = Article.objects.filter(canonical_url__in=urls).first()
    if article is not None:
        return article
    if digest is None:
        return None
    # The same text under another URL of the same outlet is the same article.
    return Article.objects.filter(source_id=source_id, content_hash=digest).first()


def choose_category(source: Source, entry: FeedEntry, sections: Sequence[str] = ()) -> Category:
    """The most specific of the entry's categories that the site has, else of the sections the
    page itself names (sitemaps carry no categories), else the source's default, else News.

    Feeds often list a whole trail ("News", "World", "Europe"); the deepest known one is meant.
    """
    found = _deepest_known(entry.categories) or _deepest_known(sections)
    if found:
        return found
    if source.default_category_id:
        return source.default_category
    category, _ = Category.objects.get_or_create(slug="news", defaults={"name": "News"})
    return category


def _deepest_known(names: Sequence[str]) -> Category | None:
    """The deepest of the site's categories named in ``names`` (the first named among equals)."""
    names = [name.strip().lower() for name in names if name.strip()]
    if not names:
        return None
    matches = list(Category.objects.filter(reduce(operator.or_, (Q(name__iexact=n) for n in names))))
    if not matches:
        return None
    return max(matches, key=lambda category: (len(category.ancestors()), -names.index(category.name.lower())))


MAX_CREDITED_AUTHORS = 5


def credited_source(source_id: int, authors: Sequence[str]) -> int | None:
    """The id of another outlet newsdesk follows that the byline names ("Meridian Wire"), if any."""
    names = [str(a).strip() for a in authors[:MAX_CREDITED_AUTHORS] if 3 <= len(str(a).strip()) <= 200]
    if not names:
        return None
    named = Source.objects.filter(reduce(operator.or_, (Q(name__iexact=n) for n in names))).exclude(pk=source_id)
    return named.order_by("pk").values_list("pk", flat=True).first()


def _fields(page: Page) -> dict:
    extracted = page.extracted
    lead = extracted.lead_image
    published = extracted.date or page.entry.published or page.entry.updated
    return {
        "title": (extracted.title or page.entry.title or page.canonical_url)[:500],
        "authors": list(extracted.authors or page.entry.authors),
        "published_at": published,
        "language": extracted.language[:16],
        "description": extracted.description or page.entry.summary[:1000],
        "text": extracted.text,
        "html": extracted.html,
        "lead_image_url": (lead.src if lead else page.entry.image or "")[:2000],
        "lead_image_caption": lead.caption if lead else "",
        "images": [{"src": i.src, "caption": i.caption, "alt": i.alt} for i in extracted.images],
        "content_hash": content_hash(extracted.text),
        "original_url": _original_url(page),
        "credited_source_id": None,  # set by _store, which knows the source
        "extraction_notes": "; ".join(filter(None, [page.notes, *extracted.notes])),
    }


def _original_url(page: Page) -> str:
    """The address on another site that the page names as its original (its rel=canonical), or ""."""
    declared = (page.extracted.canonical_url or "").strip()
    if not declared:
        return ""
    try:
        resolved = urljoin(page.url, declared)
    except ValueError:
        return ""
    if not is_http_url(resolved) or same_site(resolved, page.url) or len(resolved) > 2000:
        return ""
    return canonicalize(resolved)


def store_article(page: Page, *, run_stages: bool = True) -> tuple[str, int]:
    """Store one extracted page in one transaction, then run the stages that follow on a new or
    changed article (``stages.AFTER_STORE``: its copy group, its entities, its story); returns
    (NEW/UPDATED/UNCHANGED, article id).

    Idempotent: storing the same page twice changes nothing the second time. A changed article is
    updated in place, keeping its id, URL and comments. The article is marked ``stages_pending``
    in the same transaction until its stages end; with ``run_stages=False`` the caller runs them
    (a distributed worker queues them as a task of their own).
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                outcome, article_id = _store(page)
            break
        except IntegrityError:
            # Another worker stored the same canonical URL between our read and write; the
            # second attempt finds it and updates it instead.
            if attempt:
                raise
    if outcome != UNCHANGED and run_stages:
        # Each its own transaction: copies, entities and the story are derived, the article is stored.
        stages.after_store(article_id)
    return outcome, article_id


def _store(page: Page) -> tuple[str, int]:
    source = Source.objects.get(pk=page.source_id)
    fields = _fields(page)
    fields["credited_source_id"] = credited_source(source.pk, fields["authors"])
    # The feed's link too: when it redirects, the next poll must still recognise it without a fetch.
    urls = list(dict.fromkeys([page.canonical_url, page.url, canonicalize(page.entry.url)]))
    long_enough = len(page.extracted.text) >= MIN_TEXT_FOR_HASH_MATCH
    existing = find_existing(source.pk, urls, fields["content_hash"] if long_enough else None)
    stamp = entry_stamp(page.entry)
    if existing is None:
        article = Article(source=source, url=page.url, canonical_url=page.canonical_url,
                          category=choose_category(source, page.entry, page.extracted.sections),
                          raw_page=Article.pack_page(page.raw) if page.raw else None, stages_pending=True,
                          **fields)
        article.save()
        outcome = NEW
    else:
        article = existing
        changed = {name: value for name, value in fields.items() if getattr(article, name) != value}
        # Notes and a missing date alone are not a change of the article.
        changed.pop("extraction_notes", None)
        if changed.get("published_at", True) is None:
            changed.pop("published_at")
        if changed:
            for name, value in changed.items():
                setattr(article, name, value)
            if page.raw:
                article.raw_page = Article.pack_page(page.raw)
            article.extraction_notes = fields["extraction_notes"]
            article.updated_at = timezone.now()
            article.stages_pending = True
            article.save()
            outcome = UPDATED
        else:
            outcome = UNCHANGED
    for url in urls:
        if page.from_feed:
            ArticleURL.objects.update_or_create(url=url, defaults={"article": article, "entry_stamp": stamp})
        else:
            ArticleURL.objects.get_or_create(url=url, defaults={"article": article, "entry_stamp": stamp})
    return outcome, article.pk
