"""`newsdesk run`: serve the site with a production WSGI server and poll sources in the background."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from newsdesk.ingest.fetching import distributed
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.server import SERVERS, THREADS, check_free, cores, serve


class Command(BaseCommand):
    help = ("Serve the site with a production WSGI server (granian by default, one process per CPU core) "
            "and poll due sources in a background thread of the main process. With NEWSDESK_BROKER_URL set "
            "it only serves: `newsdesk worker` and `newsdesk scheduler` ingest. Ctrl-C stops it cleanly.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=0,
                            help="Server processes (default: one per CPU core, here %d)." % cores())
        parser.add_argument("--threads", type=int, default=0,
                            help="Request threads per server process (default: granian 2, gunicorn 4, waitress 8).")
        parser.add_argument("--server", choices=SERVERS, default=SERVERS[0],
                            help="WSGI server: granian (default), gunicorn (gthread workers) or waitress.")
        parser.add_argument("--no-poll", action="store_true",
                            help="Serve only; do not poll sources (always so with a broker).")

    def handle(self, *args, host, port, workers, threads, server, no_poll, **options):
        ensure_schema()
        call_command("collectstatic", interactive=False, verbosity=0)
        check_free(host, port)
        workers = workers if workers > 0 else cores()
        poll = not no_poll and not distributed()
        ingest = "polling sources" if poll else ("ingest by `newsdesk worker`" if distributed() else "not polling")
        self.stdout.write(f"newsdesk serving http://{host}:{port}/ with {server}, {workers} process(es), "
                          f"{ingest}; Ctrl-C stops it.")
        self.stdout.flush()
        serve(host, port, server=server, workers=workers, threads=threads or THREADS[server], poll=poll)
