"""`newsdesk run`: serve the site with a production WSGI server and poll sources in the background."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest.fetching import make_fetcher
from newsdesk.ingest.scheduler import Scheduler
from newsdesk.site.management.base import ensure_schema

log = logging.getLogger("newsdesk.run")


class Command(BaseCommand):
    help = ("Serve the site (waitress, a production WSGI server) and poll due sources in background "
            "threads of the same process. Ctrl-C stops it cleanly.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--threads", type=int, default=8, help="Request threads per worker (default 8).")
        parser.add_argument("--workers", type=int, default=1,
                            help="Server processes sharing the socket (default 1); the first one also polls.")
        parser.add_argument("--no-poll", action="store_true", help="Serve only; do not poll sources.")

    def handle(self, *args, host, port, threads, workers, no_poll, **options):
        ensure_schema()
        call_command("collectstatic", interactive=False, verbosity=0)
        try:
            listener = socket.create_server((host, port), reuse_port=False, backlog=1024)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.stdout.write(f"newsdesk serving http://{host}:{port}/ with {workers} worker(s); Ctrl-C stops it.")
        serve(listener, threads=threads, workers=max(1, workers), poll=not no_poll)


def serve(listener: socket.socket, *, threads: int, workers: int, poll: bool) -> None:
    """Run waitress on an already bound socket, in ``workers`` processes; polling runs in the first."""
    from django.db import connections

    from newsdesk.site.articles import cacheversion

    # Pages cached by an earlier run may come from other templates or code (an upgrade, a new
    # theme): a new version makes every page render afresh.
    cacheversion.bump()
    # A connection opened before fork (migrate, collectstatic) must not be shared by the workers.
    connections.close_all()
    children = []
    for _ in range(workers - 1):
        pid = os.fork()
        if pid == 0:
            _serve_one(listener, threads, poll=False)
            os._exit(0)
        children.append(pid)
    try:
        _serve_one(listener, threads, poll=poll)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def proxy_options() -> dict:
    """waitress's options for the reverse proxy named by NEWSDESK_TRUSTED_PROXY (none when unset):
    requests through it carry the reader's address, scheme and host in X-Forwarded-* headers."""
    proxy = settings.NEWSDESK["TRUSTED_PROXY"]
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_count": max(1, int(settings.NEWSDESK["TRUSTED_PROXY_COUNT"])),
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _serve_one(listener: socket.socket, threads: int, *, poll: bool) -> None:
    from waitress.server import create_server

    from newsdesk.site.wsgi import application

    # SIGTERM (from a service manager or the parent worker) stops like Ctrl-C; SIGINT is set too,
    # since a process started in the background by a shell inherits it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    server = create_server(application, sockets=[listener], threads=threads, clear_untrusted_proxy_headers=True,
                           ident="newsdesk", **proxy_options())
    scheduler = None
    fetcher = None
    if poll:
        fetcher = make_fetcher()
        scheduler = Scheduler(fetcher, workers=max(1, int(settings.NEWSDESK["FETCH_CONCURRENCY"]) // 2)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.stop()
        if fetcher is not None:
            fetcher.close()
        server.close()
        sys.stderr.write("newsdesk stopped.\n")
