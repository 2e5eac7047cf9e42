"""The one way newsdesk polls several sources at once in a process: ``Poller``.

``newsdesk fetch``, the demo, the benchmark and ``newsdesk run``'s background scheduler all poll
through it: sources in a pool of threads sharing one fetcher (and with it the politeness toward
each host), a source already being polled not submitted again until its poll ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from django.conf import settings
from django.db import close_old_connections, connections

from newsdesk.pipeline.fetch import Fetcher

from .fetching import make_fetcher
from .polling import PollResult, poll_source

log = logging.getLogger("newsdesk.ingest")


def default_workers() -> int:
    """Sources polled at once: each polls two pages at a time, within ``NEWSDESK_FETCH_CONCURRENCY``."""
    return max(1, int(settings.NEWSDESK["FETCH_CONCURRENCY"]) // 2)


class Poller:
    """Polls sources in ``workers`` threads with one fetcher (its own unless one is given)."""

    def __init__(self, fetcher: Fetcher | None = None, *, workers: int | None = None):
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or make_fetcher()
        self._pool = ThreadPoolExecutor(max_workers=workers or default_workers(), thread_name_prefix="poll")
        self._lock = threading.Lock()
        self._running: dict[int, Future] = {}

    def __enter__(self) -> "Poller":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def submit(self, source_id: int) -> Future | None:
        """Poll a source in the pool; None when it is being polled already."""
        with self._lock:
            self._running = {sid: fut for sid, fut in self._running.items() if not fut.done()}
            if source_id in self._running:
                return None
            future = self._running[source_id] = self._pool.submit(self._poll, source_id)
            return future

    def submit_job(self, job: Callable[[], object]) -> Future:
        """Run other ingest work (an article's unfinished stages) in the same pool."""
        return self._pool.submit(self._job, job)

    def busy(self) -> set[int]:
        with self._lock:
            return {sid for sid, fut in self._running.items() if not fut.done()}

    def close(self, cancel: bool = False) -> None:
        """Wait for the polls under way (and, unless ``cancel``, those submitted), then close."""
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        if self._own_fetcher:
            self.fetcher.close()

    def _poll(self, source_id: int) -> PollResult:
        try:
            return poll_source(source_id, self.fetcher)
        except Exception as exc:  # a bug must not kill the pool; it is logged with its traceback
            log.exception("polling source %s failed", source_id)
            return PollResult(source_id=source_id, ok=False, error=f"internal error: {exc}")
        finally:
            # Polls are minutes apart: no connection is kept open between them, nor after close().
            connections.close_all()

    @staticmethod
    def _job(job: Callable[[], object]) -> object:
        try:
            return job()
        except Exception:
            log.exception("ingest job failed")
            return None
        finally:
            close_old_connections()


def poll_many(ids: list[int], *, fetcher: Fetcher | None = None, workers: int | None = None,
              on_result: Callable[[PollResult], None] | None = None) -> list[PollResult]:
    """Poll these sources concurrently; returns their results in completion order, each also given
    to ``on_result`` as it arrives (a progress bar)."""
    results: list[PollResult] = []
    with Poller(fetcher, workers=max(1, min(len(ids) or 1, workers or default_workers()))) as poller:
        futures = [f for f in (poller.submit(source_id) for source_id in dict.fromkeys(ids)) if f is not None]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def summary_line(results: list[PollResult], seconds: float) -> str:
    """One line for the end of ``newsdesk fetch`` and the demo's first fetch."""
    ok = sum(1 for r in results if r.ok)
    line = (f"sources: {ok} ok, {len(results) - ok} failed; articles: {sum(r.new for r in results)} new, "
            f"{sum(r.updated for r in results)} updated, {sum(r.unchanged for r in results)} unchanged, "
            f"{sum(r.failed for r in results)} failed")
    queued = sum(r.queued for r in results)
    return line + (f", {queued} queued" if queued else "") + f"; {seconds:.1f} s"
