"""`newsdesk worker`: a Celery worker that polls sources, fetches pages and runs their stages."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

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
        parser.add_argument("--no-restart", action="store_true",
                            help="Run the Celery worker in this process and end when it ends. By default it "
                                 "runs in a child process that is started again if it dies unasked.")

    def handle(self, *args, concurrency, queues, loglevel, no_restart, **options):
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
        if not no_restart:
            return supervise([sys.executable, "-m", "newsdesk", "worker", f"--concurrency={concurrency}",
                              f"--queues={queues}", f"--loglevel={loglevel}", "--no-restart"], self.stderr)
        app = worker.configure()
        app.worker_main([
            "worker", f"--concurrency={concurrency or cores()}", f"--loglevel={loglevel}",
            f"--queues={','.join(worker.queue_name(n) for n in names)}",
            f"--hostname=newsdesk-{os.getpid()}@{socket.gethostname()}",
            "--without-gossip", "--without-mingle", "--prefetch-multiplier=1",
        ])


RESTART_PAUSE = 2.0  # seconds before a worker that died is started again
MIN_UPTIME = 10.0  # a worker that dies sooner than this after its start is not started again


def supervise(command: list[str], stderr) -> None:
    """Run the worker ``command`` in a child process and start it again whenever it dies without
    being asked to stop (Celery's consumer has ended the whole worker on some broker reconnects).
    SIGTERM and SIGINT stop it after its tasks under way, and then this ends with it.

    One that dies within MIN_UPTIME of its start (a broken setting, a broker refusing it) is not
    started again: its exit status is this command's."""
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)  # a warm shutdown, however this one was asked

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            return
        # Celery ends with status 0 even after an "Unrecoverable error": only being asked counts.
        if time.monotonic() - started < MIN_UPTIME:
            if code == 0:
                return
            raise CommandError(f"the worker stopped with status {code} within {MIN_UPTIME:g} s of its start")
        stderr.write(f"the worker stopped unexpectedly (status {code}); starting it again in {RESTART_PAUSE:g} s")
        time.sleep(RESTART_PAUSE)
        if stopping:
            return
