"""Adding, removing, importing and exporting sources."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.text import slugify

from newsdesk.pipeline import feeds as feedparse
from newsdesk.pipeline.discover import find_feeds, looks_like_feed
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.fetch import Fetcher
from newsdesk.pipeline.opml import OpmlOutline, parse_opml, write_opml
from newsdesk.pipeline.urls import is_http_url
from newsdesk.site.articles.models import Category
from newsdesk.site.sources.models import Feed, Source

log = logging.getLogger("newsdesk.ingest")


class SourceError(Exception):
    """A source could not be added or found; the message says why."""


@dataclass(frozen=True)
class Discovered:
    feed_url: str
    kind: str
    title: str
    homepage: str
    language: str


def discover(url: str, fetcher: Fetcher, *, allow_private: bool = False) -> Discovered:
    """Find the feed behind a URL: the URL itself when it is a feed or sitemap, else the first
    feed its page links to with ``<link rel="alternate">``. Raises SourceError."""
    if not is_http_url(url):
        raise SourceError(f"{url!r} is not an http(s) URL")
    try:
        response = fetcher.get(url, allow_private=allow_private)
        if looks_like_feed(response.content, response.content_type):
            parsed = feedparse.parse(response.content, response.url, response.content_type)
            return Discovered(response.url, parsed.kind, parsed.title, parsed.link or _site_root(response.url),
                              parsed.language)
        candidates = find_feeds(response.content, response.url)
        homepage = response.url
        for candidate in candidates:
            try:
                feed_response = fetcher.get(candidate, allow_private=allow_private)
                parsed = feedparse.parse(feed_response.content, feed_response.url, feed_response.content_type)
            except PipelineError as exc:
                log.info("skipping %s: %s", candidate, exc)
                continue
            return Discovered(feed_response.url, parsed.kind, parsed.title, homepage, parsed.language)
    except PipelineError as exc:
        raise SourceError(f"could not read {url}: {exc}") from exc
    raise SourceError(f"{url} is neither a feed nor a page that links to one (no <link rel=\"alternate\"> feed found)")


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def category_by_name(name: str | None) -> Category | None:
    """The category with this name or slug, created at the top of the tree when missing."""
    if not name:
        return None
    slug = slugify(name) or "category"
    found = Category.objects.filter(slug=slug).first() or Category.objects.filter(name__iexact=name).first()
    return found or Category.objects.create(name=name.strip(), slug=slug)


def add_source(url: str, fetcher: Fetcher, *, name: str | None = None, category: str | None = None,
               allow_private: bool = False) -> Source:
    """Add a source from a feed URL or a site's homepage; returns it. Raises SourceError."""
    found = discover(url, fetcher, allow_private=allow_private)
    if Feed.objects.filter(url=found.feed_url).exists():
        existing = Feed.objects.select_related("source").get(url=found.feed_url).source
        raise SourceError(f"{found.feed_url} is already followed as source {existing.name!r}")
    name = (name or found.title or urlsplit(found.homepage).hostname or found.feed_url).strip()[:200]
    if Source.objects.filter(name=name).exists():
        raise SourceError(f"a source named {name!r} already exists; choose another with --name")
    with transaction.atomic():
        source = Source.objects.create(
            name=name, slug=_unique_slug(name), homepage=found.homepage[:2000], language=found.language[:16],
            default_category=category_by_name(category), allow_private=allow_private,
            poll_interval=timedelta(minutes=int(settings.NEWSDESK["POLL_INTERVAL_MINUTES"])))
        Feed.objects.create(source=source, url=found.feed_url, kind=found.kind, title=found.title[:500])
    return source


def _unique_slug(name: str) -> str:
    base = slugify(name)[:190] or "source"
    slug, n = base, 2
    while Source.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def find_source(key: str) -> Source:
    """A source by name, slug, id or feed URL. Raises SourceError."""
    query = Source.objects.filter(name=key) | Source.objects.filter(slug=key) | Source.objects.filter(feeds__url=key)
    if key.isdigit():
        query = query | Source.objects.filter(pk=int(key))
    found = list(query.distinct()[:2])
    if not found:
        raise SourceError(f"no source {key!r}; `newsdesk sources list` shows them")
    return found[0]


def remove_source(key: str) -> tuple[str, int]:
    """Delete a source with its feeds and articles; returns (name, articles deleted)."""
    source = find_source(key)
    count = source.articles.count()
    source.delete()
    return source.name, count


def source_rows() -> list[dict]:
    """Every source with its health and article count, for listings."""
    rows = []
    query = Source.objects.annotate(article_count=Count("articles")).prefetch_related("feeds").order_by("name")
    for source in query:
        feed = next(iter(source.feeds.all()), None)
        rows.append({
            "name": source.name, "url": feed.url if feed else source.homepage, "active": source.active,
            "articles": source.article_count, "last_fetch": source.last_fetch_at.isoformat() if source.last_fetch_at else None,
            "next_fetch": source.next_fetch_at.isoformat() if source.next_fetch_at else None,
            "last_error": source.last_error, "consecutive_failures": source.consecutive_failures,
        })
    return rows


def import_opml(content: bytes, fetcher: Fetcher | None = None, *, allow_private: bool = False) -> tuple[int, list[str]]:
    """Add every feed of an OPML file; returns (added, messages for the ones skipped).

    OPML names feeds directly, so no fetch is needed; the first poll checks them.
    """
    outlines = parse_opml(content)
    added, skipped = 0, []
    for outline in outlines:
        if not outline.xml_url or not is_http_url(outline.xml_url):
            skipped.append(f"{outline.title or '(untitled)'}: no feed URL")
            continue
        if Feed.objects.filter(url=outline.xml_url).exists():
            skipped.append(f"{outline.xml_url}: already followed")
            continue
        name = (outline.title or urlsplit(outline.xml_url).hostname or outline.xml_url)[:200]
        if Source.objects.filter(name=name).exists():
            name = f"{name} ({urlsplit(outline.xml_url).hostname})"[:200]
        with transaction.atomic():
            source = Source.objects.create(
                name=name, slug=_unique_slug(name), homepage=(outline.html_url or "")[:2000],
                default_category=category_by_name(outline.category), allow_private=allow_private,
                poll_interval=timedelta(minutes=int(settings.NEWSDESK["POLL_INTERVAL_MINUTES"])))
            Feed.objects.create(source=source, url=outline.xml_url)
        added += 1
    return added, skipped


def export_opml() -> str:
    """Every source's feeds as an OPML document."""
    outlines = [
        OpmlOutline(title=source.name, xml_url=feed.url, html_url=source.homepage,
                    category=source.default_category.name if source.default_category else "")
        for source in Source.objects.select_related("default_category").prefetch_related("feeds")
        for feed in source.feeds.all()
    ]
    return write_opml(outlines)


__all__ = ["Discovered", "SourceError", "add_source", "category_by_name", "discover", "export_opml",
           "find_source", "import_opml", "remove_source", "source_rows"]
