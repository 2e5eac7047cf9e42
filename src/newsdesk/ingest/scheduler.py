"""What runs on a clock: due sources polled, unfinished stages finished, retention and leases pruned.

``Scheduler``: inside ``newsdesk run`` (no broker): polls due sources through a ``Poller``.
``QueueScheduler``: ``newsdesk scheduler`` (with a broker): queues a poll task for each due source.
Several of them may run at once: a due source is claimed by moving its next poll time in one
conditional update, so only one of them queues it.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from newsdesk.pipeline.fetch import Fetcher

from . import coordination, retention, stages
from .poller import Poller
from .polling import due_sources

log = logging.getLogger("newsdesk.scheduler")

# Stages that have not ended this long after their article was stored are run again.
STAGES_GRACE = 600.0


class _Clock:
    """A loop in a thread calling ``tick()`` every ``tick_seconds`` and retention hourly."""

    def __init__(self, *, tick: float, prune_every: float):
        self.tick = tick
        self.prune_every = prune_every
        self._next_prune = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> int:
        raise NotImplementedError

    def prune_if_due(self) -> bool:
        """Run retention when its hour has come; returns whether it ran."""
        now = time.monotonic()
        if now < self._next_prune:
            return False
        self._next_prune = now + self.prune_every
        retention.prune()
        coordination.prune()
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


class Scheduler(_Clock):
    """Polls due sources every ``tick`` seconds with up to ``workers`` sources at once, finishes the
    stages of articles a killed process left unfinished, and runs retention (``retention.prune``)
    when it starts and every ``prune_every`` seconds.

    ``stop()`` lets running polls finish their current page and joins the threads.
    """

    def __init__(self, fetcher: Fetcher, *, workers: int = 4, tick: float = 15.0, prune_every: float = 3600.0):
        super().__init__(tick=tick, prune_every=prune_every)
        self.poller = Poller(fetcher, workers=workers)
        self._stages: set[int] = set()

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)
        self.poller.close(cancel=True)

    def run_once(self) -> int:
        """Submit every due source that is not already being polled; returns how many."""
        submitted = sum(1 for source_id in due_sources() if self.poller.submit(source_id) is not None)
        for article_id in stages.unfinished(STAGES_GRACE):
            if article_id not in self._stages:
                self._stages.add(article_id)
                self.poller.submit_job(lambda pk=article_id: self._finish(pk))
        return submitted

    def _finish(self, article_id: int) -> None:
        try:
            stages.after_store(article_id)
        finally:
            self._stages.discard(article_id)


class QueueScheduler(_Clock):
    """Queues a poll task for each due source every ``tick`` seconds, and the stages of articles
    whose stages did not end, after sending the tasks the broker did not take or lost
    (``worker.send_queued``); safe to run on several machines at once."""

    def __init__(self, *, tick: float = 10.0, prune_every: float = 3600.0, claim_seconds: float = 900.0):
        super().__init__(tick=tick, prune_every=prune_every)
        self.claim_seconds = claim_seconds

    def run_once(self) -> int:
        from newsdesk.site.sources.models import Source

        from . import worker

        worker.configure()
        worker.send_queued()  # first what the broker did not take, or lost
        queued = 0
        now = timezone.now()
        for source_id in due_sources(now):
            # Claimed by moving its next poll on: another scheduler's update then matches nothing.
            # The poll sets the real next time when it ends; a lost poll is queued again after this.
            claimed = (Source.objects.filter(pk=source_id, active=True)
                       .exclude(next_fetch_at__gt=now)
                       .update(next_fetch_at=now + timedelta(seconds=self.claim_seconds)))
            if claimed:
                worker.publish(worker.poll, (source_id,))
                queued += 1
        for article_id in stages.unfinished(STAGES_GRACE):
            # A lease nobody releases: the stages are queued again at most once per grace period.
            if coordination.claim(f"stages:{article_id}", coordination.holder_id(), STAGES_GRACE):
                worker.publish(worker.stages_task, (article_id,))
        if queued:
            log.info("queued %d source(s)", queued)
        return queued

    def run_forever(self) -> None:
        """Tick in this thread until interrupted (``newsdesk scheduler``)."""
        while True:
            try:
                self.run_once()
                self.prune_if_due()
            except DatabaseError as exc:
                log.warning("database unavailable (%s); trying again next tick", exc)
            except Exception:
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            time.sleep(self.tick)
