"""The article lists the site shows, each one query whatever the number of articles.

Lists show one article per copy group (``newsdesk.ingest.copies``): the copies of a text have their
pages, but only the article shown for them is listed, searched, syndicated and in the sitemaps.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from .models import Article
from .tree import CategoryTree

# Newest first; articles without a publication date go after dated ones on every database.
NEWEST = (F("published_at").desc(nulls_last=True), F("id").desc())
# Columns a card never shows; the page bytes and the body are by far the largest.
LIST_DEFER = ("raw_page", "html", "text", "images", "extraction_notes", "story_features", "source__template")
LEAD_CHARS = 400
TOP_WINDOW = timedelta(hours=48)  # top stories are of the site's last two days of news
TOP_POOL = 8  # rows read per top story wanted: reports of one story come together


def published() -> QuerySet[Article]:
    """Every article readers may see, copies included."""
    return Article.objects.filter(is_published=True)


def shown() -> QuerySet[Article]:
    """The published articles that lists show: each copy group by one article."""
    return published().filter(is_copy=False)


def cards(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """``queryset`` ready for cards: outlet and category joined, big columns left out, the lead
    picture's renditions read along (no query per card or page), newest first."""
    from newsdesk.site.images.render import lead_renditions

    return (queryset.select_related("source", "category").defer(*LIST_DEFER)
            .annotate(lead_text=Substr("text", 1, LEAD_CHARS), lead_picture=lead_renditions()).order_by(*NEWEST))


def latest() -> QuerySet[Article]:
    """All articles lists show, as cards, newest first."""
    return cards(shown())


def top_stories(limit: int = 5, window: timedelta = TOP_WINDOW) -> list[Article]:
    """The stories that lead the home page: one article per story, the stories of the site's
    last ``window`` of news (up to its newest article) that the most outlets reported first,
    then the newest.

    Each story is shown by its newest report. One query; a second fills in with the newest
    articles when the window holds fewer than ``limit`` stories.
    """
    newest = published().filter(published_at__isnull=False).order_by(*NEWEST).values("published_at")[:1]
    since = ExpressionWrapper(Subquery(newest) - Value(window, output_field=DurationField()),
                              output_field=DateTimeField())
    reach = Coalesce(F("story__article_count"), Value(1))
    recent = (latest().filter(published_at__gte=since).annotate(reach=reach)
              .order_by(F("reach").desc(), *NEWEST)[:limit * TOP_POOL])
    chosen: list[Article] = []
    seen: set = set()

    def take(articles) -> bool:
        """Add the first article of each story not seen yet; True once ``limit`` are chosen."""
        for article in articles:
            story = article.story_id or ("article", article.pk)
            if story not in seen:
                seen.add(story)
                chosen.append(article)
                if len(chosen) == limit:
                    return True
        return False

    if not take(recent):
        take(latest().exclude(story_id__in=[s for s in seen if isinstance(s, int)])[:limit * TOP_POOL])
    return chosen


def shown_in_categories(ids: list[int]) -> QuerySet[Article]:
    """Shown articles of these categories, to be read newest first.

    Read along the index of all shown articles in date order, filtering by category as it
    goes, so a page stops after its rows (``category_id + 0`` keeps the database from reading
    every article of the categories and sorting them first, which costs more the bigger they are).
    """
    return shown().alias(section=F("category_id") + 0).filter(section__in=ids)


def in_categories(ids: list[int]) -> QuerySet[Article]:
    """Shown articles of these categories, as cards, newest first (see ``shown_in_categories``)."""
    return cards(shown_in_categories(ids))


def in_category(tree: CategoryTree, category) -> QuerySet[Article]:
    """Shown articles of ``category`` and of every category below it."""
    return in_categories(tree.subtree_ids(category))


def from_source(source) -> QuerySet[Article]:
    """Published articles of one outlet: all it published, each text once (a copy of another of
    its own articles is left out, a copy of another outlet's article is listed)."""
    listed_here = Article.objects.filter(source=source, is_copy=False, copy_group__isnull=False).values("copy_group")
    return cards(published().filter(source=source).filter(Q(is_copy=False) | ~Q(copy_group__in=listed_here)))


def latest_by_root(tree: CategoryTree, per_section: int, exclude: list[int]) -> dict[int, list[Article]]:
    """The newest ``per_section`` articles under each top-level category: one short query per
    section, each read in date order along an index.

    Returns {root category id: [articles]}; articles in ``exclude`` (already shown) are skipped.
    """
    sections: dict[int, list[Article]] = {}
    for root in tree.roots():
        found = list(in_categories(tree.subtree_ids(root)).exclude(pk__in=exclude)[:per_section])
        if found:
            sections[root.pk] = found
    return sections
