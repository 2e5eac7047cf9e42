"""Background polling inside the `newsdesk run` process: due sources, polled by worker threads."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import close_old_connections, connections

from newsdesk.pipeline.fetch import Fetcher

from . import retention, tasks
from .polling import due_sources

log = logging.getLogger("newsdesk.scheduler")


class Scheduler:
    """Polls due sources every ``tick`` seconds with up to ``workers`` sources at once, and runs
    retention (``retention.prune``) when it starts and every ``prune_every`` seconds.

    A source being polled is not submitted again until its poll ends. ``stop()`` lets running
    polls finish their current page and joins the threads.
    """

    def __init__(self, fetcher: Fetcher, *, workers: int = 4, tick: float = 15.0, prune_every: float = 3600.0):
        self.fetcher = fetcher
        self.tick = tick
        self.prune_every = prune_every
        self._next_prune = 0.0
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll")
        self._running: dict[int, Future] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)

    def start(self) -> "Scheduler":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run_once(self) -> int:
        """Submit every due source that is not already being polled; returns how many."""
        self._running = {sid: fut for sid, fut in self._running.items() if not fut.done()}
        submitted = 0
        for source_id in due_sources():
            if source_id not in self._running:
                self._running[source_id] = self._pool.submit(self._poll, source_id)
                submitted += 1
        return submitted

    def _poll(self, source_id: int) -> None:
        try:
            tasks.poll_source(source_id, self.fetcher)
        except Exception:  # a bug must not kill the scheduler; it is logged with its traceback
            log.exception("polling source %s failed", source_id)
        finally:
            # Polls are minutes apart: no connection is kept open between them, nor after stop().
            connections.close_all()

    def prune_if_due(self) -> bool:
        """Run retention when its hour has come; returns whether it ran."""
        now = time.monotonic()
        if now < self._next_prune:
            return False
        self._next_prune = now + self.prune_every
        retention.prune()
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
                self.prune_if_due()
            except Exception:
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            self._stop.wait(self.tick)
        connections.close_all()
