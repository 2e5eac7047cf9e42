"""`newsdesk fetch`: poll due sources once, with a progress bar and a summary line."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from newsdesk.ingest import services
from newsdesk.ingest.fetching import distributed
from newsdesk.ingest.poller import summary_line
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.management.progress import poll_with_progress
from newsdesk.site.sources.models import Source


class Command(BaseCommand):
    help = ("Poll the sources that are due once (or every source with --all) and store new articles; "
            "with --enqueue, queue the polls for `newsdesk worker` instead (needs NEWSDESK_BROKER_URL).")

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", metavar="NAME",
                            help="Poll this source now, due or not (name, slug, id or feed URL; repeatable).")
        parser.add_argument("--all", action="store_true", help="Poll every active source now, due or not.")
        parser.add_argument("--enqueue", action="store_true",
                            help="Queue a poll task per source for the workers and return at once.")

    def handle(self, *args, source=None, all=False, enqueue=False, **options):
        ensure_schema()
        if enqueue and not distributed():
            raise CommandError("--enqueue needs a broker: set NEWSDESK_BROKER_URL (see \"Running at scale\")")
        if source:
            try:
                ids = [services.find_source(key).pk for key in source]
            except services.SourceError as exc:
                raise CommandError(str(exc)) from None
        elif all:
            ids = list(Source.objects.filter(active=True).values_list("pk", flat=True))
        else:
            ids = services.due_sources()
        if not ids:
            self.stdout.write("Nothing to fetch: no source is due (use --all to poll every source).")
            return
        if enqueue:
            from newsdesk.ingest import worker

            self.stdout.write(f"queued {worker.enqueue_polls(ids)} source(s) for the workers")
            return
        started = time.monotonic()
        results = poll_with_progress(ids, verbosity=options["verbosity"])
        self.stdout.write(summary_line(results, time.monotonic() - started))
