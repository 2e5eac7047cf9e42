"""The article lists the site shows, each one query whatever the number of articles."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, Substr

from .models import Article
from .tree import CategoryTree

# Newest first; articles without a publication date go after dated ones on every database.
NEWEST = (F("published_at").desc(nulls_last=True), F("id").desc())
# Columns a card never shows; the page bytes and the body are by far the largest.
LIST_DEFER = ("raw_page", "html", "text", "images", "extraction_notes", "story_features", "source__template")
LEAD_CHARS = 400


def published() -> QuerySet[Article]:
    """Every article readers may see."""
    return Article.objects.filter(is_published=True)


def cards(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """``queryset`` ready for cards: outlet and category joined, big columns left out, newest first."""
    return (queryset.select_related("source", "category").defer(*LIST_DEFER)
            .annotate(lead_text=Substr("text", 1, LEAD_CHARS)).order_by(*NEWEST))


def latest() -> QuerySet[Article]:
    """All published articles as cards, newest first."""
    return cards(published())


def top_stories(limit: int = 5) -> list[Article]:
    """The stories that lead the home page: for now the newest articles.

    One place to change when stories (groups of articles on one event) arrive.
    """
    return list(latest()[:limit])


def in_category(tree: CategoryTree, category) -> QuerySet[Article]:
    """Published articles of ``category`` and of every category below it."""
    return cards(published().filter(category_id__in=tree.subtree_ids(category)))


def from_source(source) -> QuerySet[Article]:
    """Published articles of one outlet."""
    return cards(published().filter(source=source))


def latest_by_root(tree: CategoryTree, per_section: int, exclude: list[int]) -> dict[int, list[Article]]:
    """The newest ``per_section`` articles under each top-level category, in one query.

    Returns {root category id: [articles]}; articles in ``exclude`` (already shown) are skipped.
    """
    root_of = {pk: tree.root_of(pk) for pk in tree.by_id}
    if not root_of:
        return {}
    section = Case(*[When(category_id=pk, then=Value(root)) for pk, root in root_of.items()],
                   output_field=IntegerField())
    rows = (cards(published().filter(category_id__in=list(root_of)).exclude(pk__in=exclude))
            .annotate(section=section)
            .annotate(rank=Window(RowNumber(), partition_by=[F("section")], order_by=list(NEWEST)))
            .filter(rank__lte=per_section))
    sections: dict[int, list[Article]] = {}
    for article in rows:
        sections.setdefault(article.section, []).append(article)
    for articles in sections.values():
        articles.sort(key=lambda a: (a.published_at is not None, a.published_at or a.fetched_at, a.pk),
                      reverse=True)
    return sections
