"""`newsdesk enrich [--since DATE]`: find the people, organisations and places of stored articles again."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from newsdesk.ingest import enrich
from newsdesk.site.articles.models import Article
from newsdesk.site.management.base import add_since_argument, ensure_schema, since_filter


class Command(BaseCommand):
    help = ("Find the people, organisations and places that stored articles name (all of them, or those "
            "published or fetched since --since) and store their mentions again, after an upgrade of "
            "newsdesk's models or gazetteer. Editors' merges, renames and corrected places stay.")

    def add_arguments(self, parser):
        add_since_argument(parser)

    def handle(self, *args, since=None, **options):
        ensure_schema()
        query = since_filter(Article.objects.order_by("pk"), since)
        start = time.monotonic()
        loaded = enrich.models()
        ids = list(query.values_list("pk", flat=True))
        mentions = sum(enrich.enrich_article(pk, loaded) for pk in ids)
        seconds = time.monotonic() - start
        self.stdout.write(f"{len(ids)} articles, {mentions} mentions ({seconds:.1f} s, "
                          f"{len(ids) / seconds if seconds else 0:.0f} articles/s).")
