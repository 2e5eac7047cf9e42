"""`newsdesk regroup`: group every stored article into stories again."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from newsdesk.ingest.stories import regroup_stories
from newsdesk.site.articles.models import Article
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Group every stored article into stories again, oldest first (after a bulk import or a "
            "new version of newsdesk's grouping). Articles an editor put in a story stay there.")

    def handle(self, *args, **options):
        ensure_schema()
        start = time.monotonic()
        stories = regroup_stories()
        articles = Article.objects.count()
        self.stdout.write(f"{articles} articles in {stories} stories "
                          f"({time.monotonic() - start:.1f} s).")
