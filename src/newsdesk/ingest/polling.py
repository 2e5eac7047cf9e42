"""Polling a source: fetch its feeds, fetch and extract new entries, store them, record health."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import connections, transaction
from django.utils import timezone

from newsdesk.pipeline import feeds as feedparse
from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import ExtractionError, FetchError, PipelineError
from newsdesk.pipeline.extraction import ExtractOptions, extract
from newsdesk.pipeline.fetch import Fetcher
from newsdesk.pipeline.model import FeedEntry, Response
from newsdesk.pipeline.urls import canonicalize, choose_canonical
from newsdesk.site.articles.models import Article, ArticleURL
from newsdesk.site.sources.models import Feed, Source

from . import retention
from .store import NEW, UNCHANGED, UPDATED, Page, entry_stamp, store_article
from .templates import extract_options_for, refresh_template

log = logging.getLogger("newsdesk.ingest")

BACKOFF_CAP = timedelta(hours=24)
MAX_CHILD_SITEMAPS = 20


@dataclass
class PollResult:
    """What one poll of one source did."""

    source_id: int
    source_name: str = ""
    ok: bool = True
    error: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    queued: int = 0  # entries handed to workers (distributed polling)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> None:
        if outcome == NEW:
            self.new += 1
        elif outcome == UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1


def backoff_delay(interval: timedelta, failures: int, retry_after: float | None = None) -> timedelta:
    """Time until the next try after ``failures`` consecutive failures: doubling, capped at a day."""
    delay = min(interval * (2 ** max(failures - 1, 0)), BACKOFF_CAP)
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, BACKOFF_CAP.total_seconds())))
    return delay


def due_sources(now=None) -> list[int]:
    """Ids of active sources whose next poll is due, most overdue first."""
    now = now or timezone.now()
    query = Source.objects.filter(active=True).exclude(next_fetch_at__gt=now)
    return list(query.order_by("next_fetch_at", "pk").values_list("pk", flat=True))


def poll_source(source_id: int, fetcher: Fetcher, *, entry_workers: int = 2,
                queue: Callable[[int, FeedEntry], None] | None = None) -> PollResult:
    """Poll one source once and record its health; never raises on bad input from the outlet.

    Its new and changed entries are fetched, extracted and stored here, by ``entry_workers``
    threads; with ``queue``, each is handed to ``queue(source_id, entry)`` instead (a distributed
    worker queues a task per page) and counted in ``queued``.
    """
    started = time.monotonic()
    source = Source.objects.get(pk=source_id)
    result = PollResult(source_id=source_id, source_name=source.name)
    retry_after = None
    try:
        entries = _collect_entries(source, fetcher)
        if queue is not None:
            fresh = _fresh(entries, result)
            for entry in fresh:
                queue(source.pk, entry)
            result.queued = len(fresh)
        else:
            _process_entries(source, entries, fetcher, result, entry_workers)
            if result.new:
                refresh_template(source.pk, reextract=True)
    except FetchError as exc:
        result.ok, result.error, retry_after = False, str(exc), exc.retry_after
    except PipelineError as exc:
        result.ok, result.error = False, str(exc)
    result.seconds = time.monotonic() - started
    _record_health(source_id, result, retry_after)
    if result.ok and queue is not None:
        log.info("%s: %d queued, %d unchanged", source.name, result.queued, result.unchanged)
    elif result.ok:
        log.info("%s: %d new, %d updated, %d unchanged, %d failed", source.name,
                 result.new, result.updated, result.unchanged, result.failed)
    else:
        log.warning("%s: poll failed: %s", source.name, result.error)
    return result


def _record_health(source_id: int, result: PollResult, retry_after: float | None) -> None:
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        now = timezone.now()
        source.last_fetch_at = now
        if result.ok:
            source.last_success_at = now
            source.consecutive_failures = 0
            source.last_error = ""
            source.next_fetch_at = now + source.poll_interval
        else:
            source.consecutive_failures += 1
            source.last_error = result.error[:2000]
            source.next_fetch_at = now + backoff_delay(
                source.poll_interval, source.consecutive_failures, retry_after)
        source.save(update_fields=["last_fetch_at", "last_success_at", "consecutive_failures",
                                   "last_error", "next_fetch_at"])


def _collect_entries(source: Source, fetcher: Fetcher) -> list[FeedEntry]:
    """Entries of every feed of the source; raises when no feed could be read."""
    feeds = list(source.feeds.all())
    if not feeds:
        raise PipelineError(f"{source.name} has no feed; add one with `newsdesk sources add`")
    entries: list[FeedEntry] = []
    errors: list[PipelineError] = []
    for feed in feeds:
        try:
            entries.extend(_read_feed(source, feed, fetcher))
        except PipelineError as exc:
            errors.append(exc)
            log.warning("%s: %s: %s", source.name, feed.url, exc)
    if errors and len(errors) == len(feeds):
        raise errors[0]
    return list({entry.url: entry for entry in entries}.values())


def _read_feed(source: Source, feed: Feed, fetcher: Fetcher) -> list[FeedEntry]:
    response = fetcher.get(feed.url, etag=feed.etag or None, last_modified=feed.last_modified or None,
                           allow_private=source.allow_private)
    Feed.objects.filter(pk=feed.pk).update(last_status=response.status, last_fetch_at=timezone.now())
    if response.not_modified:
        return []
    parsed = feedparse.parse(response.content, response.url, response.content_type)
    for note in parsed.notes:
        log.warning("%s: %s: %s", source.name, feed.url, note)
    entries = list(parsed.entries)
    for child in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
        child_response = fetcher.get(child, allow_private=source.allow_private)
        entries.extend(feedparse.parse(child_response.content, child_response.url,
                                       child_response.content_type).entries)
    # Validators are saved only once the feed parsed, so a broken feed is fetched in full next time.
    Feed.objects.filter(pk=feed.pk).update(
        etag=(response.etag or "")[:500], last_modified=(response.last_modified or "")[:100],
        kind=parsed.kind, title=(parsed.title or feed.title)[:500])
    return entries


def _unchanged(entries: list[FeedEntry]) -> set[str]:
    """URLs of entries not to fetch: stored ones whose feed does not say they changed, and those
    retention deleted or would delete (dated before its cut-off)."""
    urls = [canonicalize(entry.url) for entry in entries]
    stamps: dict[str, str] = {}
    for start in range(0, len(urls), 500):  # bounded IN lists, for SQLite's variable limit
        stamps.update(ArticleURL.objects.filter(url__in=urls[start:start + 500]).values_list("url", "entry_stamp"))
    gone = retention.pruned(urls)
    cutoff = retention.RetentionOptions.from_settings().article_cutoff()

    def expired(entry: FeedEntry) -> bool:
        when = entry.published or entry.updated
        return cutoff is not None and when is not None and when < cutoff

    return {entry.url for entry, url in zip(entries, urls)
            if stamps.get(url) == entry_stamp(entry) or url in gone or expired(entry)}


def _fresh(entries: list[FeedEntry], result: PollResult) -> list[FeedEntry]:
    """The entries to fetch; the others are counted as unchanged."""
    unchanged = _unchanged(entries)
    fresh = [entry for entry in entries if entry.url not in unchanged]
    result.unchanged += len(entries) - len(fresh)
    return fresh


def _process_entries(source: Source, entries: list[FeedEntry], fetcher: Fetcher,
                     result: PollResult, workers: int) -> None:
    fresh = _fresh(entries, result)
    if not fresh:
        return
    options = extract_options_for(source)

    def work(entry: FeedEntry) -> tuple[str, str]:
        try:
            page = fetch_entry(source.pk, source.allow_private, entry, fetcher, options)
            if page is None:
                return "failed", f"{entry.url}: no article text in the page or the feed"
            outcome, _ = store_article(page)
            return outcome, ""
        except PipelineError as exc:
            return "failed", f"{entry.url}: {exc}"
        finally:
            # The pool's threads end with this poll: a connection left open would outlive them.
            connections.close_all()

    # Entries of one source share a host, and the fetcher allows two requests per host at once.
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="entry") as pool:
        for outcome, message in pool.map(work, fresh):
            if outcome == "failed":
                result.failed += 1
                result.failures.append(message)
                log.warning("%s: %s", source.name, message)
            else:
                result.count(outcome)


def fetch_and_store(source_id: int, entry: FeedEntry, fetcher: Fetcher) -> tuple[str, int | None, bool]:
    """Fetch, extract and store one entry without running its stages (a distributed worker's page
    task): returns (outcome, article id, whether its stages are still to run).

    An entry stored already with the same change marker is not fetched again (a task delivered
    twice). Raises PipelineError when neither the page nor the feed has article text.
    """
    stamp = entry_stamp(entry)
    known = (ArticleURL.objects.filter(url=canonicalize(entry.url))
             .values_list("entry_stamp", "article_id", "article__stages_pending").first())
    if known is not None and known[0] == stamp:
        return UNCHANGED, known[1], known[2]
    source = Source.objects.get(pk=source_id)
    page = fetch_entry(source.pk, source.allow_private, entry, fetcher, extract_options_for(source))
    if page is None:
        raise ExtractionError(f"{entry.url}: no article text in the page or the feed")
    outcome, article_id = store_article(page, run_stages=False)
    pending = outcome != UNCHANGED or Article.objects.filter(pk=article_id, stages_pending=True).exists()
    return outcome, article_id, pending


def fetch_entry(source_id: int, allow_private: bool, entry: FeedEntry, fetcher: Fetcher,
                options: ExtractOptions) -> Page | None:
    """Fetch and extract one entry's page; falls back to the feed's own content.

    Returns None when neither the page nor the feed has any article text.
    """
    feed_article = _from_feed_content(entry)
    try:
        response = fetcher.get(entry.url, allow_private=allow_private)
    except FetchError as exc:
        if feed_article is None:
            raise
        return _page(source_id, entry, entry.url, None, feed_article, raw=None,
                     notes=f"page not fetched ({exc}); kept the feed's content")
    return page_from_response(source_id, entry, response, options, feed_article)


def page_from_response(source_id: int, entry: FeedEntry, response: Response, options: ExtractOptions,
                       feed_article=None) -> Page | None:
    """Extract a fetched page; the feed's content wins when extraction fails or finds less text."""
    html, _ = decode(response.content, response.headers.get("content-type"))
    try:
        extracted = extract(html, response.url, options)
    except PipelineError as exc:
        if feed_article is None:
            return None
        return _page(source_id, entry, response.url, None, feed_article, raw=response.content,
                     notes=f"extraction failed ({exc}); kept the feed's content")
    if feed_article is not None and len(feed_article.text) > len(extracted.text) * 1.2:
        return _page(source_id, entry, response.url, extracted.canonical_url, feed_article,
                     raw=response.content, notes="the page had less text than the feed; kept the feed's content",
                     metadata=extracted)
    return _page(source_id, entry, response.url, extracted.canonical_url, extracted, raw=response.content)


def _from_feed_content(entry: FeedEntry):
    if not entry.content_html or len(entry.content_html) < 200:
        return None
    try:
        return extract(f"<html><body><article>{entry.content_html}</article></body></html>", entry.url,
                       ExtractOptions())
    except PipelineError:
        return None


def _page(source_id, entry, fetched_url, declared_canonical, extracted, *, raw, notes="", metadata=None) -> Page:
    if metadata is not None:
        # Keep the page's metadata (title, date, image) with the feed's body.
        extracted = replace(metadata, text=extracted.text, html=extracted.html, blocks=extracted.blocks)
    if not extracted.title and entry.title:
        extracted = replace(extracted, title=entry.title)
    url = canonicalize(fetched_url)
    return Page(source_id=source_id, entry=entry, url=url,
                canonical_url=choose_canonical(fetched_url, declared_canonical),
                extracted=extracted, raw=raw, notes=notes)


__all__ = ["PollResult", "backoff_delay", "due_sources", "fetch_and_store", "fetch_entry", "page_from_response",
           "poll_source"]
