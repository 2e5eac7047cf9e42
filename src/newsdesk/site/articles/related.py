"""Check Also: a few other articles a reader of this one may want next; the other outlets'
reports of the same story; and the other outlets that published the same text."""

from __future__ import annotations

from datetime import timedelta

from django.db import OperationalError
from django.db.models import Q
from django.db.models.functions import Substr

from newsdesk.pipeline.keywords import key_terms
from newsdesk.site.prepared import prepared

from . import queries, search
from .stories import OPENING_CHARS, distinct_stories
from .tree import CategoryTree

MAX_RELATED = 4
# Kept when the choice is made: stories form after it, so a page drops the ones that joined its
# own story (or one story twice) when it renders, and still has four to show.
KEPT = 2 * MAX_RELATED
# What Check Also shows of an article (its link, title, outlet, date and excerpt).
SHOWN_FIELDS = ("id", "slug", "title", "published_at", "fetched_at", "description", "story_id", "source__name")
MAX_COVERAGE = 6
CANDIDATES = 16
TERMS = 8  # the title's words and the most frequent ones; more terms match more articles to rank
RECENT = timedelta(days=30)


def check_also(article, tree: CategoryTree) -> list:
    """Up to four other published articles, at most one per story, most similar first.

    Similar means sharing the article's key terms, among articles from 30 days before it on;
    when there are too few, the newest articles of its category (else of the site) fill in.
    The choice is made when the article is stored (``choose``) and kept with it, so the page
    reads it in one query; an article stored before that is chosen for on its first view.
    """
    ids = article.related_ids
    if ids is None:
        chosen = _choose(article, tree)
        _keep(article.pk, [a.pk for a in chosen])
        return chosen[:MAX_RELATED]
    found = {a.pk: a for a in _shown_cards(list(ids))}
    # The near-copies were left out when the choice was made; stories may have formed since.
    kept, stories = [], {article.story_id} - {None}
    for pk in ids:
        candidate = found.get(pk)
        if candidate is None or (candidate.story_id is not None and candidate.story_id in stories):
            continue
        kept.append(candidate)
        stories.add(candidate.story_id)
        if len(kept) == MAX_RELATED:
            break
    return kept


@prepared
def _shown_cards(ids: list[int]):
    """What Check Also shows of the articles ``ids`` that are still shown."""
    return (queries.shown().filter(pk__in=ids).select_related("source").only(*SHOWN_FIELDS)
            .annotate(lead_text=Substr("text", 1, queries.LEAD_CHARS)))


def choose(article_id: int) -> list[int]:
    """Choose the article's Check Also and keep it; returns the ids (none: no such article)."""
    from .models import Article

    article = Article.objects.only(*CHOICE_FIELDS, "text").filter(pk=article_id).first()
    if article is None:
        return []
    ids = [a.pk for a in _choose(article, CategoryTree.load(), light=True)]
    _keep(article_id, ids)
    return ids


def _keep(article_id: int, ids: list[int]) -> None:
    from .models import Article

    try:
        # An update, not save(): nothing shown elsewhere changes, so no page is invalidated.
        Article.objects.filter(pk=article_id).update(related_ids=ids)
    except OperationalError:
        pass  # the database is busy (a reader's first view): chosen again next time


def story_coverage(article) -> list:
    """The other reports of the article's story, oldest first: one article per copy group, not
    the article's own (one query, none when the article has no story yet)."""
    if article.story_id is None:
        return []
    if article.copy_group is None:
        mates = _story_mates(article.story_id, article.pk)
    else:
        mates = _story_mates_not_copies(article.story_id, article.pk, article.copy_group)
    return sorted(mates, key=lambda a: (a.date, a.pk))


def _mates(story_id: int, article_id: int):
    return queries.latest().filter(story_id=story_id).exclude(pk=article_id)


@prepared
def _story_mates(story_id: int, article_id: int):
    return _mates(story_id, article_id)[:MAX_COVERAGE]


@prepared
def _story_mates_not_copies(story_id: int, article_id: int, copy_group: int):
    return _mates(story_id, article_id).exclude(copy_group=copy_group)[:MAX_COVERAGE]


def also_published(article) -> list:
    """The other published articles of ``article``'s copy group, the one shown for them first,
    then oldest first (one query; none when it has no copies)."""
    if article.copy_group is None:
        return []
    return sorted(_copies(article.copy_group, article.pk), key=lambda a: (a.is_copy, a.date, a.pk))


@prepared
def _copies(copy_group: int, article_id: int):
    return (queries.published().filter(copy_group=copy_group).exclude(pk=article_id)
            .select_related("source").defer(*queries.LIST_DEFER))


# What choosing reads of an article and of each candidate: enough to rank them and tell their
# stories apart (``distinct_stories``), not the cards a page shows.
CHOICE_FIELDS = ("id", "title", "published_at", "fetched_at", "category_id", "story_id", "copy_group", "content_hash")


def _choose(article, tree: CategoryTree, light: bool = False) -> list:
    """The candidates in the order Check Also shows them. ``light`` (at store time, where only
    their ids are kept): read only what ranking needs, not whole cards."""
    terms = key_terms(article.title, article.text, limit=TERMS)
    similar_ids = search.similar(terms, article.pk, article.date - RECENT, CANDIDATES)
    if article.category_id in tree.by_id:
        fallback = queries.shown_in_categories(tree.subtree_ids(tree.by_id[article.category_id]))
    else:
        fallback = queries.shown()
    fallback_ids = fallback.exclude(pk=article.pk).order_by(*queries.NEWEST).values("pk")[:CANDIDATES]
    # One query for both the similar articles and the ones that fill in.
    wanted = Q(pk__in=similar_ids) | Q(pk__in=fallback_ids)
    if light:
        pool = list(queries.shown().filter(wanted).only(*CHOICE_FIELDS)
                    .annotate(lead_text=Substr("text", 1, OPENING_CHARS)).order_by(*queries.NEWEST))
    else:
        pool = list(queries.latest().filter(wanted))
    rank = {pk: n for n, pk in enumerate(similar_ids)}
    similar = sorted((a for a in pool if a.pk in rank), key=lambda a: rank[a.pk])
    others = [a for a in pool if a.pk not in rank]  # newest first, as ``latest`` orders them
    return distinct_stories(article, similar + others, limit=KEPT)
