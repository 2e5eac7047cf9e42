"""What the site shows of entities: an article's people, organisations and places, an entity's
articles, and the places of recent news for the map."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from newsdesk.site.articles import queries
from newsdesk.site.articles.models import Article
from newsdesk.site.prepared import prepared

from .models import Entity, Mention

PER_KIND = 12  # names listed per kind on an article page
MAP_PLACES = 500  # markers on the map at most: the most-named places of the period
PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30),
           "year": timedelta(days=365), "all": None}


def of_article(article: Article) -> dict[str, list[Entity]]:
    """The entities an article names, by kind, the most named first."""
    found = _named_by(article.pk)
    by_kind: dict[str, list[Entity]] = {Entity.PERSON: [], Entity.ORGANISATION: [], Entity.PLACE: []}
    for entity in found:
        if len(by_kind[entity.kind]) < PER_KIND:
            by_kind[entity.kind].append(entity)
    return by_kind


@prepared
def _named_by(article_id: int):
    return (Entity.objects.filter(mentions__article_id=article_id).annotate(times=Count("mentions"))
            .order_by("-times", "name"))


def naming(entity: Entity) -> QuerySet[Article]:
    """The articles lists show that name ``entity``, as cards, newest first."""
    return queries.cards(queries.shown().filter(Exists(Mention.objects.filter(article=OuterRef("pk"),
                                                                              entity=entity))))


def map_places(category_ids: list[int] | None = None, period: str = "week", now=None) -> list[dict]:
    """The places named by shown articles of the period (and categories), with their article counts."""
    articles = queries.shown()
    since = PERIODS.get(period)
    if since is not None:
        newest = articles.filter(published_at__isnull=False).order_by(*queries.NEWEST).values_list(
            "published_at", flat=True).first() or (now or timezone.now())
        # The period ends at the site's newest article, so a quiet site still shows its news.
        articles = articles.filter(Q(published_at__gte=newest - since) |
                                   Q(published_at__isnull=True, fetched_at__gte=newest - since))
    if category_ids:
        articles = articles.filter(category_id__in=category_ids)
    rows = (Mention.objects.filter(entity__kind=Entity.PLACE, entity__lat__isnull=False,
                                   article__in=articles.values("pk"))
            .values("entity_id").annotate(n=Count("article_id", distinct=True)).order_by("-n")[:MAP_PLACES])
    counts = {row["entity_id"]: row["n"] for row in rows}
    places = Entity.objects.filter(pk__in=counts).only("name", "slug", "kind", "lat", "lon", "country")
    return sorted(({"name": p.name, "url": p.get_absolute_url(), "lat": p.lat, "lon": p.lon,
                    "country": p.country, "articles": counts[p.pk]} for p in places),
                  key=lambda p: (-p["articles"], p["name"]))
