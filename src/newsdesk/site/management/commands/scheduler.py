"""`newsdesk scheduler`: queue the sources that are due for the workers, every few seconds."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest.fetching import distributed
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Queue a poll of every source that is due, every --tick seconds, for `newsdesk worker` "
            "(needs NEWSDESK_BROKER_URL); also queues the stages of articles whose stages did not end, "
            "and runs retention hourly. Safe to run more than one: a source is queued by one of them.")

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=10.0, help="Seconds between looks for due sources.")
        parser.add_argument("--once", action="store_true", help="Queue what is due now and exit.")

    def handle(self, *args, tick, once, **options):
        if not distributed():
            raise CommandError("NEWSDESK_BROKER_URL is not set: the scheduler queues tasks on a broker; "
                               "without one `newsdesk run` polls by itself")
        if tick <= 0:
            raise CommandError("--tick must be more than 0")
        ensure_schema()
        from newsdesk.ingest.scheduler import QueueScheduler

        scheduler = QueueScheduler(tick=tick)
        if once:
            self.stdout.write(f"queued {scheduler.run_once()} source(s)")
            return
        self.stdout.write(f"newsdesk scheduler: queueing due sources every {tick:g} s; Ctrl-C stops it.")
        self.stdout.flush()
        try:
            scheduler.run_forever()
        except KeyboardInterrupt:
            self.stderr.write("newsdesk scheduler stopped.")
