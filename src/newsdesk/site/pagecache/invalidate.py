"""What each change makes stale: the writers' side of the page cache.

Every function bumps its tags now and once more after the current transaction commits (once
per transaction, however many changes it made). The bump after the commit is the one that
matters: a page rendered between the write and the commit shows the old rows, and was cached
under the first bump. The bump now covers readers on the same connection, who see the change
at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from . import FEEDS, HOME, MAP, SITE, SITEMAPS, article_tag, category_tag, clock, entity_tag, source_tag


class _AfterCommit:
    """The tags to bump when the current transaction commits."""

    def __init__(self) -> None:
        self.tags: set[str] = set()

    def __call__(self) -> None:
        clock().bump(self.tags)


def bump(tags: Iterable[str]) -> None:
    """Bump ``tags`` now and after the current transaction commits."""
    tags = set(tags)
    if not tags:
        return
    clock().bump(tags)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    pending = next((callback for _, callback, _ in connection.run_on_commit if isinstance(callback, _AfterCommit)),
                   None)
    if pending is None:
        pending = _AfterCommit()
        transaction.on_commit(pending)
    pending.tags |= tags


def site() -> None:
    """Every page: the layout changed (banner, sections, an outlet's name), or too much to say."""
    bump([SITE])


def article_pages(ids: Iterable[int]) -> None:
    """Only the pages of these articles and the pages that link them (a comment, a story mate)."""
    bump(article_tag(pk) for pk in ids)


def articles(ids: Iterable[int]) -> None:
    """These articles changed (stored, edited, published, hidden, grouped): their pages and
    every list they are on."""
    from newsdesk.site.articles.models import Article

    ids = set(ids)
    if ids:
        rows = Article.objects.filter(pk__in=ids).values_list("pk", "category_id", "source_id")
        bump(tags_of(rows))


def article(instance) -> None:
    """One article, from its instance (also while it is being deleted)."""
    bump(tags_of([(instance.pk, instance.category_id, instance.source_id)]))


def tags_of(rows: Iterable[tuple[int, int | None, int]]) -> set[str]:
    """The tags of articles given as (id, category id, source id)."""
    from newsdesk.site.context_processors import shared_category_tree
    from newsdesk.site.entities.models import Mention

    rows = list(rows)
    tags = {HOME, FEEDS, SITEMAPS, MAP}
    if not rows:
        return set()
    tree = shared_category_tree()
    for pk, category_id, source_id in rows:
        tags |= {article_tag(pk), source_tag(source_id)}
        if category_id in tree.by_id:  # the category's list and those of the categories above it
            tags |= {category_tag(c.pk) for c in tree.path(tree.by_id[category_id])}
        elif category_id is not None:
            tags.add(category_tag(category_id))
    named = Mention.objects.filter(article_id__in=[pk for pk, _, _ in rows]).values_list("entity_id", flat=True)
    tags |= {entity_tag(pk) for pk in set(named)}
    return tags


def entities(ids: Iterable[int]) -> None:
    """These entities' pages and feeds, and the map."""
    ids = set(ids)
    if ids:
        bump({MAP, FEEDS, *(entity_tag(pk) for pk in ids)})


def stories(story_ids: Iterable[int | None]) -> None:
    """The pages of every article of these stories ("Also covered by" lists the others)."""
    from newsdesk.site.articles.models import Article

    story_ids = {pk for pk in story_ids if pk is not None}
    if story_ids:
        article_pages(Article.objects.filter(story_id__in=story_ids).values_list("pk", flat=True))


def copy_groups(groups: Iterable[int | None]) -> None:
    """Every article of these copy groups: which one is shown changes their pages and lists."""
    from newsdesk.site.articles.models import Article

    groups = {group for group in groups if group is not None}
    if groups:
        bump(tags_of(Article.objects.filter(copy_group__in=groups).values_list("pk", "category_id", "source_id")))
