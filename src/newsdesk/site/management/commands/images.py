"""`newsdesk images [--since DATE] [--retry-failed]`: store the pictures of articles stored before
newsdesk copied them, or fetch again those that failed."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from newsdesk.ingest import images
from newsdesk.site.articles.models import Article
from newsdesk.site.management.base import add_since_argument, ensure_schema, since_filter


class Command(BaseCommand):
    help = ("Fetch and store the pictures of stored articles (all of them, or those published or fetched since "
            "--since) that have none stored yet, so that the site serves them itself. Pictures stored already "
            "are not fetched again; with --retry-failed, those that failed are.")

    def add_arguments(self, parser):
        add_since_argument(parser)
        parser.add_argument("--retry-failed", action="store_true",
                            help="fetch again the pictures that could not be stored before")

    def handle(self, *args, since=None, retry_failed=False, **options):
        ensure_schema()
        query = since_filter(Article.objects.order_by("pk"), since)
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
