"""`newsdesk demo`: the fictional outlets on 127.0.0.1, followed, fetched and published."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from newsdesk.demo import DemoServer
from newsdesk.ingest.demo import follow_outlets
from newsdesk.ingest.fetching import make_fetcher
from newsdesk.site.management.base import ensure_schema
from newsdesk.ingest.poller import summary_line
from newsdesk.site.management.progress import poll_with_progress
from newsdesk.site.server import check_free, cores, serve


class Command(BaseCommand):
    help = ("Start the demo outlets (fictional news sites on 127.0.0.1), follow them as sources, fetch "
            "them over HTTP, and serve the aggregated site at http://127.0.0.1:PORT. Needs no internet.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port of the newsdesk site (default 8000).")
        parser.add_argument("--outlets-port", type=int, default=8101,
                            help="First port of the demo outlets, one port each (default 8101).")
        parser.add_argument("--no-serve", action="store_true", help="Fetch the outlets once and exit.")

    def handle(self, *args, port, outlets_port, no_serve, **options):
        ensure_schema()
        if not no_serve:
            try:
                check_free("127.0.0.1", port)
            except CommandError as exc:
                raise CommandError(f"{exc}; choose another with --port") from None
        try:
            outlets = DemoServer(host="127.0.0.1", port=outlets_port).start()
        except OSError as exc:
            raise CommandError(f"cannot start the demo outlets from port {outlets_port}: {exc.strerror}; "
                               "choose another with --outlets-port") from None
        try:
            # The outlets are our own, on loopback: no politeness delay is needed between requests.
            with make_fetcher(min_host_delay=0.0) as fetcher:
                sources = follow_outlets(outlets, fetcher)
                for outlet, base_url, _ in outlets.outlets:
                    self.stdout.write(f"outlet {outlet.name}: {base_url}")
                started = time.monotonic()
                results = poll_with_progress([source.pk for source in sources], fetcher=fetcher,
                                             verbosity=options["verbosity"])
                self.stdout.write(summary_line(results, time.monotonic() - started))
            if no_serve:
                return
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"newsdesk demo: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
            serve("127.0.0.1", port, workers=cores(), poll=True)
        finally:
            outlets.stop()
