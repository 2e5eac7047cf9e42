"""`newsdesk prune`: delete old articles and stored pages as the retention settings say."""

from __future__ import annotations

import time
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from newsdesk.ingest.retention import RetentionOptions, prune
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Delete articles older than NEWSDESK_KEEP_ARTICLES_DAYS (keeping discussed and edited ones as "
            "NEWSDESK_KEEP_DISCUSSED / NEWSDESK_KEEP_EDITED say) and stored pages older than "
            "NEWSDESK_KEEP_RAW_PAGES_DAYS. `newsdesk run` does the same every hour.")

    def add_arguments(self, parser):
        parser.add_argument("--articles-days", type=int, help="override NEWSDESK_KEEP_ARTICLES_DAYS (0: keep all)")
        parser.add_argument("--raw-pages-days", type=int, help="override NEWSDESK_KEEP_RAW_PAGES_DAYS (0: keep all)")
        parser.add_argument("--vacuum", action="store_true",
                            help="then give the freed space back to the disk (VACUUM; the database is "
                                 "busy meanwhile)")

    def handle(self, *args, articles_days=None, raw_pages_days=None, vacuum=False, **options):
        ensure_schema()
        overrides = {}
        for name, value in (("article_days", articles_days), ("raw_page_days", raw_pages_days)):
            if value is not None:
                if value < 0:
                    raise CommandError(f"--{name.replace('_', '-')} must be 0 or more")
                overrides[name] = value
        chosen = replace(RetentionOptions.from_settings(), **overrides)
        start = time.monotonic()
        result = prune(chosen)
        if vacuum:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
        self.stdout.write(f"{result} ({time.monotonic() - start:.1f} s).")
