"""`newsdesk regroup`: find every stored article's copies and group every article into stories again."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from newsdesk.ingest.copies import regroup_copies
from newsdesk.ingest.stories import regroup_stories
from newsdesk.site.articles.models import Article
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Find the copies of every stored article and group every article into stories again, oldest "
            "first (after a bulk import, an upgrade, or a new version of newsdesk's detection). What an "
            "editor chose (a story, a copy group, the article shown for one) stays.")

    def handle(self, *args, **options):
        ensure_schema()
        start = time.monotonic()
        shown = regroup_copies()
        stories = regroup_stories()
        articles = Article.objects.count()
        self.stdout.write(f"{articles} articles: {shown} shown (the rest are copies), in {stories} stories "
                          f"({time.monotonic() - start:.1f} s).")
