"""Grouping stored articles into stories: ``pipeline.cluster`` run against the database.

Every article belongs to a story, most to a story of their own; an article joins an older story
when ``cluster.assign`` finds it reports the same event. The newcomer decides, so storing an
article changes at most its own story and the one it leaves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from newsdesk.pipeline import cluster
from newsdesk.pipeline.cluster import ClusterOptions, Features, Item
from newsdesk.site.articles import cacheversion
from newsdesk.site.articles.models import Article, Story

__all__ = ["MAX_CANDIDATES", "assign_story", "regroup_stories"]

# Recent articles compared with a new one; a busy site stores a few hundred a day.
MAX_CANDIDATES = 3000
OLDEST_FIRST = (F("published_at").asc(nulls_last=True), F("fetched_at").asc(), F("id").asc())


def assign_story(article_id: int, options: ClusterOptions | None = None) -> int | None:
    """Put one article in the story it reports, else in a story of its own, in one transaction.

    Idempotent: an article whose title and text have not changed since it was grouped keeps its
    story. Returns the story's id, or None when there is no such article.
    """
    options = options or ClusterOptions()
    with transaction.atomic():
        article = (Article.objects.select_for_update().filter(pk=article_id)
                   .only("pk", "title", "text", "source_id", "published_at", "fetched_at", "story_id",
                         "story_features").first())
        if article is None:
            return None
        found = cluster.features(article.title, article.text)
        if article.story_id is not None and article.story_features == found.to_json():
            return article.story_id
        Article.objects.filter(pk=article.pk).update(story_features=found.to_json())
        when = article.published_at or article.fetched_at
        target = cluster.assign(Item(found, when, article.source_id), _candidates(article, when, options), options)
        return _move(article, target)


def regroup_stories(options: ClusterOptions | None = None) -> int:
    """Group every article again, oldest first, as if each had just been stored; returns the
    number of stories. For a new version of the grouping or after a bulk import."""
    with transaction.atomic():
        Article.objects.filter(story__isnull=False).update(story=None)
        Story.objects.all().delete()
        for article_id in list(Article.objects.order_by(*OLDEST_FIRST).values_list("pk", flat=True)):
            assign_story(article_id, options)
        cacheversion.bump_after_commit()
        return Story.objects.count()


def _candidates(article: Article, when, options: ClusterOptions) -> list[Item]:
    """Published articles within the window of ``when``, at most MAX_CANDIDATES, newest first."""
    span = (when - options.window, when + options.window)
    rows = list(Article.objects.filter(is_published=True)
                .filter(Q(published_at__range=span) | Q(published_at__isnull=True, fetched_at__range=span))
                .exclude(pk=article.pk).order_by(F("published_at").desc(nulls_last=True), "-id")
                .values_list("pk", "source_id", "story_id", "published_at", "fetched_at", "story_features")
                [:MAX_CANDIDATES])
    fresh = _refresh_features({pk for pk, *_, stored in rows if not stored or stored.get("v") != cluster.VERSION})
    items = []
    for pk, source_id, story_id, published_at, fetched_at, stored in rows:
        published = published_at or fetched_at
        story = story_id
        if story is None and published <= when:
            # Stored before stories existed (or being grouped at this very moment): joining it
            # makes a story for both. A later one without a story is still waiting its turn.
            story = ("article", pk)
        items.append(Item(fresh.get(pk) or Features.from_json(stored), published, source_id, story))
    return items


def _refresh_features(article_ids: set[int]) -> dict[int, Features]:
    """Features of articles grouped by an older version, or never, computed now and stored where
    no other grouping holds the row: waiting for one could deadlock, and this is only a cache."""
    if not article_ids:
        return {}
    rows = Article.objects.filter(pk__in=article_ids).values_list("pk", "title", "text")
    fresh = {pk: cluster.features(title, text) for pk, title, text in rows.iterator(chunk_size=200)}
    free = Article.objects.select_for_update(skip_locked=True).filter(pk__in=fresh).values_list("pk", flat=True)
    Article.objects.bulk_update([Article(pk=pk, story_features=fresh[pk].to_json()) for pk in free],
                                ["story_features"], batch_size=500)
    return fresh


def _move(article: Article, target) -> int:
    """Put ``article`` in story ``target`` (None: a story of its own) and recount what changed."""
    current = article.story_id
    if isinstance(target, tuple):
        target = _story_of(target[1])
    if target is None:
        if current is not None and not Article.objects.filter(story_id=current).exclude(pk=article.pk).exists():
            return current
        target = Story.objects.create(title=article.title[:500]).pk
    if target == current:
        return current
    Article.objects.filter(pk=article.pk).update(story_id=target)
    _recount({current, target} - {None})
    cacheversion.bump_after_commit()
    return target


def _story_of(article_id: int) -> int | None:
    """The story of an article that had none a moment ago: a new one for it, or the one it got
    meanwhile, or None while its own grouping holds it (it will find the newcomer then, or not)."""
    free = Article.objects.select_for_update(skip_locked=True).filter(pk=article_id, story__isnull=True)
    if not free.exists():
        return Article.objects.filter(pk=article_id).values_list("story_id", flat=True).first()
    story = Story.objects.create(title="")
    Article.objects.filter(pk=article_id).update(story=story)
    return story.pk


def _recount(story_ids: set[int]) -> None:
    """Each story's article count and first title again; a story left empty is deleted."""
    for story_id in sorted(story_ids):  # one order in every transaction, so none waits in a circle
        members = Article.objects.filter(story_id=story_id)
        count = members.count()
        if not count:
            Story.objects.filter(pk=story_id).delete()
            continue
        title = members.order_by(*OLDEST_FIRST).values_list("title", flat=True).first()
        Story.objects.filter(pk=story_id).update(article_count=count, title=title[:500], updated_at=timezone.now())
