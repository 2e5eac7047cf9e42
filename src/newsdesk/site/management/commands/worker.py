"""`newsdesk worker`: a Celery worker that polls sources, fetches pages and runs their stages."""

from __future__ import annotations

import os
import socket

from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest.fetching import distributed
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.server import cores


class Command(BaseCommand):
    help = ("Run an ingest worker on the broker (NEWSDESK_BROKER_URL): it polls the sources the "
            "scheduler queues, fetches, extracts and stores their pages and runs each article's stages. "
            "Run as many as the outlets need, on any machine that reaches the broker and the database. "
            "SIGTERM or Ctrl-C stops it after the tasks under way.")

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=0,
                            help="Tasks at once, each in its own process (default: one per CPU core, here %d)."
                                 % cores())
        parser.add_argument("--queues", default="fetch,derive",
                            help="Queues to take tasks from, comma-separated: fetch (polls and pages), "
                                 "derive (the stages after store). Default: both.")
        parser.add_argument("--loglevel", default="INFO", help="Log level (default INFO).")

    def handle(self, *args, concurrency, queues, loglevel, **options):
        if not distributed():
            raise CommandError("NEWSDESK_BROKER_URL is not set: a worker needs a broker "
                               "(redis://... or amqp://...); without one `newsdesk run` polls by itself")
        from newsdesk.ingest import worker

        names = [name.strip() for name in queues.split(",") if name.strip()]
        unknown = sorted(set(names) - set(worker.QUEUES))
        if unknown or not names:
            raise CommandError(f"--queues: unknown queue {', '.join(unknown) or '(none)'}; "
                               f"choose from {', '.join(worker.QUEUES)}")
        ensure_schema()
        from django.db import connections

        connections.close_all()  # not shared with the worker's processes
        app = worker.configure()
        app.worker_main([
            "worker", f"--concurrency={concurrency or cores()}", f"--loglevel={loglevel}",
            f"--queues={','.join(worker.queue_name(n) for n in names)}",
            f"--hostname=newsdesk-{os.getpid()}@{socket.gethostname()}",
            "--without-gossip", "--without-mingle", "--prefetch-multiplier=1",
        ])
