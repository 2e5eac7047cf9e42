"""Retention: old articles and stored pages deleted after the days the settings give.

``prune()`` is run by ``newsdesk prune`` and, hourly, by the scheduler inside ``newsdesk run``.
An article's age is its publication date (its fetch time when it has none). Articles readers
discussed (an approved comment) and articles an editor worked on (edited in the admin, a story
or copy group chosen for it) are kept while ``NEWSDESK_KEEP_DISCUSSED`` / ``NEWSDESK_KEEP_EDITED``
say so. A deleted article's addresses are remembered (``PrunedURL``), and feed entries older
than the cut-off are not fetched, so a feed or sitemap still listing it does not bring it back.
Stored raw pages are dropped on their own, earlier: the article stays, only the page as fetched
goes (it serves re-extraction and learning an outlet's template from its recent pages).
"""

from __future__ import annotations

import logging
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsdesk.site.pagecache import invalidate
from newsdesk.site.articles.models import Article, ArticleURL, PrunedURL
from newsdesk.site.comments.models import Comment

from newsdesk.site.entities.models import Mention

from . import enrich
from .stories import recount

log = logging.getLogger("newsdesk.retention")

BATCH = 500  # articles deleted per transaction: the site keeps being written meanwhile


@dataclass(frozen=True)
class RetentionOptions:
    """Days things are kept (0: forever) and what is kept whatever its age."""

    article_days: int = 0
    raw_page_days: int = 0
    keep_discussed: bool = True
    keep_edited: bool = True

    @classmethod
    def from_settings(cls) -> "RetentionOptions":
        conf = settings.NEWSDESK
        return cls(article_days=int(conf["KEEP_ARTICLES_DAYS"]), raw_page_days=int(conf["KEEP_RAW_PAGES_DAYS"]),
                   keep_discussed=bool(conf["KEEP_DISCUSSED"]), keep_edited=bool(conf["KEEP_EDITED"]))

    def article_cutoff(self, now: datetime | None = None) -> datetime | None:
        """Articles dated before this are pruned; None when articles are kept forever."""
        return (now or timezone.now()) - timedelta(days=self.article_days) if self.article_days else None


@dataclass(frozen=True)
class PruneResult:
    articles: int  # deleted
    raw_pages: int  # stored pages dropped from articles that stay
    kept: int  # articles past the cut-off kept because readers discussed them or an editor worked on them

    def __str__(self) -> str:
        return (f"{self.articles} articles deleted, {self.raw_pages} stored pages dropped, "
                f"{self.kept} old articles kept (discussed or edited)")


def prune(options: RetentionOptions | None = None, *, now: datetime | None = None) -> PruneResult:
    """Delete what the options say is too old; safe to run while the site is written."""
    options = options or RetentionOptions.from_settings()
    now = now or timezone.now()
    deleted = kept = 0
    cutoff = options.article_cutoff(now)
    if cutoff is not None:
        old = Article.objects.annotate(age=Coalesce("published_at", "fetched_at")).filter(age__lt=cutoff)
        kept_rule = _kept(options)
        if kept_rule is not None:
            kept = old.filter(kept_rule).count()
            old = old.exclude(kept_rule)
        while batch := list(old.values_list("pk", flat=True)[:BATCH]):
            deleted += _delete(batch)
    pages = 0
    if options.raw_page_days:
        page_cutoff = now - timedelta(days=options.raw_page_days)
        stale = Article.objects.filter(raw_page__isnull=False, fetched_at__lt=page_cutoff)
        while batch := list(stale.values_list("pk", flat=True)[:BATCH]):
            pages += Article.objects.filter(pk__in=batch).update(raw_page=None)
    result = PruneResult(articles=deleted, raw_pages=pages, kept=kept)
    if deleted or pages:
        log.info("retention: %s", result)
    return result


def _kept(options: RetentionOptions) -> Q | None:
    rules = []
    if options.keep_discussed:
        rules.append(Q(Exists(Comment.objects.filter(article=OuterRef("pk"), status=Comment.APPROVED))))
    if options.keep_edited:
        rules.append(Q(edited_at__isnull=False) | Q(story_pinned=True) | Q(copy_pinned=True))
    return reduce(operator.or_, rules) if rules else None


def _delete(ids: list[int]) -> int:
    """Delete these articles in one transaction, remembering their addresses; their stories and
    entities are recounted (an emptied one goes) and their copies elect another article to show."""
    with transaction.atomic():
        rows = list(Article.objects.filter(pk__in=ids).values_list("canonical_url", "story_id"))
        named = set(Mention.objects.filter(article_id__in=ids).values_list("entity_id", flat=True))
        urls = {url for url, _ in rows} | set(ArticleURL.objects.filter(article_id__in=ids).values_list("url", flat=True))
        PrunedURL.objects.bulk_create([PrunedURL(url=url) for url in sorted(urls)], ignore_conflicts=True)
        deleted = Article.objects.filter(pk__in=ids).delete()[1].get(Article._meta.label, 0)
        recount({story for _, story in rows if story is not None})
        enrich.recount(named)  # an entity no article names any more goes
        invalidate.site()  # old articles are linked from many pages: a prune renders everything again
    return deleted


def pruned(urls: list[str]) -> set[str]:
    """Which of these (canonical) addresses belong to articles retention deleted."""
    found: set[str] = set()
    for start in range(0, len(urls), BATCH):  # bounded IN lists, for SQLite's variable limit
        found.update(PrunedURL.objects.filter(url__in=urls[start:start + BATCH]).values_list("url", flat=True))
    return found
