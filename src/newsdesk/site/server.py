"""Serving the site: a production WSGI server in one process per core, stopped cleanly by Ctrl-C.

``serve`` is what ``newsdesk run`` and ``newsdesk demo`` call; with ``poll``, due sources are
polled meanwhile by a scheduler in this process (not in the server processes, so each source once).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from django.core.management.base import CommandError

from newsdesk.ingest.fetching import make_fetcher
from newsdesk.ingest.poller import default_workers
from newsdesk.ingest.scheduler import Scheduler

log = logging.getLogger("newsdesk.run")

WSGI_TARGET = "newsdesk.site.wsgi:application"
# granian first: measured fastest in bench/serve.py (bench/results/serve.md). The others stay
# for platforms without its compiled wheels.
SERVERS = ("granian", "gunicorn", "waitress")
# Python threads per process: granian runs its network loop outside Python, so few are needed.
THREADS = {"granian": 2, "gunicorn": 4, "waitress": 8}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_free(host: str, port: int) -> None:
    """Fail with a clear message when the address is taken (before any server starts)."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(host: str, port: int, *, server: str = SERVERS[0], workers: int = 1, threads: int = 0,
          poll: bool = True) -> None:
    """Run ``server`` on host:port until Ctrl-C or SIGTERM; due sources are polled meanwhile
    by a scheduler in this process (not in the server processes, so each source once)."""
    from django.db import connections

    # A connection opened before the server's processes start (migrate, collectstatic) must not
    # be shared with them.
    connections.close_all()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" under load
    scheduler = fetcher = None
    if poll:
        fetcher = make_fetcher()
        scheduler = Scheduler(fetcher, workers=default_workers()).start()
    try:
        RUNNERS[server](host, port, workers, threads or THREADS[server])
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.stop()
        if fetcher is not None:
            fetcher.close()
        sys.stderr.write("newsdesk stopped.\n")


def _granian(host: str, port: int, workers: int, threads: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    Granian(WSGI_TARGET, address=host, port=port, interface=Interfaces.WSGI, workers=workers,
            blocking_threads=threads, backlog=1024, log_level=LogLevels.warning, log_access=False,
            respawn_failed_workers=True, workers_kill_timeout=10).serve()


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for name, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                                "worker_class": "gthread", "loglevel": "warning", "accesslog": None,
                                "backlog": 1024, "graceful_timeout": 10, "proc_name": "newsdesk"}.items():
                self.cfg.set(name, value)

        def load(self):
            from newsdesk.site.wsgi import application

            return application

    try:
        Application().run()
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise


def _waitress(host: str, port: int, workers: int, threads: int) -> None:
    """waitress in ``workers`` processes forked on one socket."""
    listener = socket.create_server((host, port), backlog=1024)
    children = []
    for _ in range(workers - 1):
        pid = os.fork()
        if pid == 0:
            _waitress_one(listener, threads)
            os._exit(0)
        children.append(pid)
    try:
        _waitress_one(listener, threads)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _waitress_one(listener: socket.socket, threads: int) -> None:
    from waitress.server import create_server

    from newsdesk.site.wsgi import application

    # SIGTERM (from a service manager or the parent worker) stops like Ctrl-C; SIGINT is set too,
    # since a process started in the background by a shell inherits it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    # X-Forwarded-* are read by newsdesk's own wrapper (newsdesk.site.proxy), as for every server.
    server = create_server(application, sockets=[listener], threads=threads, ident="newsdesk")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


RUNNERS = {"granian": _granian, "gunicorn": _gunicorn, "waitress": _waitress}
