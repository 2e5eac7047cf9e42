"""`newsdesk export`: every stored article as JSON Lines."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db.models import Prefetch

from newsdesk.site.articles.models import Article
from newsdesk.site.entities.models import Entity, Mention
from newsdesk.site.management.base import add_since_argument, ensure_schema, since_filter

FIELDS = ("title", "authors", "date", "language", "canonical_url", "text", "html", "images", "source", "url",
          "category", "fetched_at", "copy_of", "entities", "places")


class Command(BaseCommand):
    help = "Write every stored article as JSON Lines to standard output (" + ", ".join(FIELDS) + ")."

    def add_arguments(self, parser):
        add_since_argument(parser)

    def handle(self, *args, since=None, **options):
        ensure_schema()
        query = (Article.objects.select_related("source", "category").defer("raw_page").order_by("pk")
                 .prefetch_related(Prefetch("mentions", queryset=Mention.objects.select_related("entity")
                                            .order_by("start"))))
        query = since_filter(query, since)
        shown = dict(Article.objects.filter(copy_group__isnull=False, is_copy=False)
                     .values_list("copy_group", "canonical_url"))
        for article in query.iterator(chunk_size=500):
            self.stdout.write(json.dumps(export_dict(article, shown), ensure_ascii=False))


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
