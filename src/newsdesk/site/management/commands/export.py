"""`newsdesk export`: every stored article as JSON Lines."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone as dt_timezone

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from newsdesk.site.articles.models import Article
from newsdesk.site.entities.models import Entity, Mention
from newsdesk.site.management.base import ensure_schema

FIELDS = ("title", "authors", "date", "language", "canonical_url", "text", "html", "images", "source", "url",
          "category", "fetched_at", "copy_of", "entities", "places")


class Command(BaseCommand):
    help = "Write every stored article as JSON Lines to standard output (" + ", ".join(FIELDS) + ")."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only articles published or fetched on or after this date (YYYY-MM-DD or ISO time).")

    def handle(self, *args, since=None, **options):
        ensure_schema()
        query = (Article.objects.select_related("source", "category").defer("raw_page").order_by("pk")
                 .prefetch_related(Prefetch("mentions", queryset=Mention.objects.select_related("entity")
                                            .order_by("start"))))
        if since:
            moment = parse_since(since)
            query = query.filter(Q(published_at__gte=moment) | Q(published_at__isnull=True, fetched_at__gte=moment))
        shown = dict(Article.objects.filter(copy_group__isnull=False, is_copy=False)
                     .values_list("copy_group", "canonical_url"))
        for article in query.iterator(chunk_size=500):
            self.stdout.write(json.dumps(export_dict(article, shown), ensure_ascii=False))


def parse_since(value: str) -> datetime:
    """A date or date-time given on the command line, made timezone-aware (UTC when naive)."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD) or ISO date-time")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt_timezone.utc)


def export_dict(article: Article, shown: dict[int, str] | None = None) -> dict:
    """One article as exported; ``shown``: {copy group: canonical URL of the article shown for it}."""
    return {
        "title": article.title,
        "authors": article.authors,
        "date": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "canonical_url": article.canonical_url,
        "text": article.text,
        "html": article.html,
        "images": article.images,
        "source": article.source.name,
        "url": article.url,
        "category": article.category.name if article.category else None,
        "fetched_at": article.fetched_at.isoformat(),
        # The canonical URL of the article shown for this one's text, when this one is a copy of it.
        "copy_of": (shown or {}).get(article.copy_group) if article.is_copy else None,
        **named(article),
    }


def named(article: Article) -> dict[str, list[dict]]:
    """The article's people and organisations (``entities``) and places, each once, in text order."""
    entities, places, seen = [], [], set()
    for mention in article.mentions.all():
        entity = mention.entity
        if entity.pk in seen:
            continue
        seen.add(entity.pk)
        if entity.kind == Entity.PLACE:
            places.append({"name": entity.name, "lat": entity.lat, "lon": entity.lon, "country": entity.country})
        else:
            entities.append({"name": entity.name, "kind": entity.kind})
    return {"entities": entities, "places": places}
