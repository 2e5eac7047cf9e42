"""`newsdesk images [--since DATE] [--retry-failed]`: store the pictures of articles stored before
newsdesk copied them, or fetch again those that failed."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db.models import Q

from newsdesk.ingest import images
from newsdesk.site.articles.models import Article
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.management.commands.export import parse_since


class Command(BaseCommand):
    help = ("Fetch and store the pictures of stored articles (all of them, or those published or fetched since "
            "--since) that have none stored yet, so that the site serves them itself. Pictures stored already "
            "are not fetched again; with --retry-failed, those that failed are.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only articles published or fetched on or after this date "
                                            "(YYYY-MM-DD or ISO time)")
        parser.add_argument("--retry-failed", action="store_true",
                            help="fetch again the pictures that could not be stored before")

    def handle(self, *args, since=None, retry_failed=False, **options):
        ensure_schema()
        query = Article.objects.order_by("pk")
        if since:
            moment = parse_since(since)
            query = query.filter(Q(published_at__gte=moment) | Q(published_at__isnull=True, fetched_at__gte=moment))
        start = time.monotonic()
        ids = list(query.values_list("pk", flat=True))
        stored = failed = 0
        with images.make_image_fetcher() as fetcher:
            for pk in ids:
                result = images.store_images(pk, fetcher, retry_failed=retry_failed)
                stored, failed = stored + result.stored, failed + result.failed
        seconds = time.monotonic() - start
        self.stdout.write(f"{len(ids)} articles: {stored} pictures stored, {failed} failed "
                          f"(the outlet's address is shown for those; see the admin) ({seconds:.1f} s).")
