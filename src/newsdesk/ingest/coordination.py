"""What processes share when several of them ingest at once (``newsdesk worker`` on a broker).

Everything lives in the database the workers already share, so it holds whichever broker carries
the tasks (Redis or RabbitMQ), and a killed worker leaves nothing stuck: every lease has an
expiry after which anyone may take it.

* ``claim`` / ``release`` / ``held``: named leases (one source polled at a time, one page fetched
  at a time). A task's lease is held under the task's id, which stays the same when the broker
  delivers it again, so the redelivered task takes over its own lease at once.
* ``SharedGates``: at most ``concurrency`` requests in flight per host and ``delay`` seconds
  between their starts, across all workers (the ``Fetcher``'s ``gates``).
* ``SharedRobots``: robots.txt fetched once for all workers and kept for a TTL (its ``robots``).
* ``lock_names``: serialises the story grouping of articles that share a name (PostgreSQL
  advisory locks; SQLite serialises every writing transaction already).
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from newsdesk.pipeline.fetch import HostBusy
from newsdesk.site.workers.models import HostTurn, Lease, RobotsRule

# A request's slot toward a host is held at most this long (the fetcher's longest request is 60 s),
# so a worker killed mid-request frees it by then.
SLOT_SECONDS = 90.0
_POLL = 0.05  # seconds between tries for a busy lease, doubled up to _POLL_MAX
_POLL_MAX = 0.5


def holder_id() -> str:
    """A name for this process and thread, unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def claim(name: str, holder: str, seconds: float) -> bool:
    """Take the lease ``name`` for ``seconds`` if it is free, expired, or already ``holder``'s."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    with transaction.atomic():
        # On PostgreSQL the row lock makes a second taker re-read the row once the first commits,
        # and then the lease is no longer expired: one of them wins.
        taken = (Lease.objects.filter(name=name).filter(Q(expires_at__lte=now) | Q(holder=holder))
                 .update(holder=holder, expires_at=until))
        if taken:
            return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, expires_at=until)
        except IntegrityError:
            return False
        return True


def release(name: str, holder: str) -> None:
    """Let go of a lease (only the holder can)."""
    Lease.objects.filter(name=name, holder=holder).delete()


def held(name: str, holder: str, seconds: float) -> AbstractContextManager[bool]:
    """``with held(...) as mine:`` the lease for the block when ``mine``; released after it."""
    return waited(name, holder, seconds, wait=0.0)


@contextmanager
def waited(name: str, holder: str, seconds: float, wait: float) -> Iterator[bool]:
    """Like ``held``, but waits up to ``wait`` seconds for a lease another holds; yields whether
    it got it (after ``wait``, the caller goes on without it)."""
    deadline = time.monotonic() + wait
    pause = _POLL
    mine = claim(name, holder, seconds)
    while not mine and time.monotonic() < deadline:
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, _POLL_MAX)
        mine = claim(name, holder, seconds)
    try:
        yield mine
    finally:
        if mine:
            release(name, holder)


def prune(older_than: float = 86400.0) -> int:
    """Delete leases and host turns that ran out long ago; returns how many went."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    gone = Lease.objects.filter(expires_at__lt=cutoff).delete()[0]
    gone += HostTurn.objects.filter(next_start__lt=cutoff).delete()[0]
    gone += RobotsRule.objects.filter(expires_at__lt=cutoff).delete()[0]
    return gone


def page_lease(url: str) -> str:
    return "page:" + hashlib.sha1(url.encode("utf-8")).hexdigest()


class SharedGates:
    """Politeness toward each host that holds across every process using the same database.

    A request takes one of ``concurrency`` slot leases of its host, then the host's next turn
    (``HostTurn.next_start``, moved on by ``delay``). With ``max_wait``, a turn further away than
    that is kept for the caller and ``HostBusy`` says when it is (``reserved``), so a worker runs
    other work meanwhile and comes back then with ``kept(host, reserved)``: a queue of tickets,
    not a crowd retrying. Whatever the tickets say, no request starts sooner than ``delay`` after
    the host's last start (``HostTurn.last_start``): a caller back late with its ticket still has
    its turn (busy workers come back late, and a lost ticket would send it to the back of the
    queue), and two late-comers never start together.
    """

    def __init__(self, concurrency: int = 2, delay: float = 1.0, *, max_wait: float | None = None,
                 slot_seconds: float = SLOT_SECONDS):
        self.concurrency = max(1, concurrency)
        self.delay = delay
        self.max_wait = max_wait
        self.slot_seconds = slot_seconds
        self._kept = threading.local()

    @contextmanager
    def kept(self, host: str | None, at: float | None) -> Iterator[None]:
        """Within the block, the next request to ``host`` in this thread uses the turn kept at ``at``."""
        self._kept.turn = (host, at) if host and at else None
        try:
            yield
        finally:
            self._kept.turn = None

    def _kept_turn(self, host: str) -> float | None:
        turn = getattr(self._kept, "turn", None)
        if not turn or turn[0] != host:
            return None
        self._kept.turn = None  # one request
        return turn[1]

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        holder = holder_id()
        slot = self._slot(host, holder)
        try:
            start = self._start(host)
            wait = start - time.time()
            if wait > 0:
                time.sleep(wait)
            yield
        finally:
            release(slot, holder)

    def _slot(self, host: str, holder: str) -> str:
        names = [f"host:{host}:{n}" for n in range(self.concurrency)]
        pause = _POLL
        give_up = None if self.max_wait is None else time.monotonic() + self.max_wait
        while True:
            for name in random.sample(names, len(names)):
                if claim(name, holder, self.slot_seconds):
                    return name
            if give_up is not None and time.monotonic() >= give_up:
                raise HostBusy(host, max(self.delay, 1.0))
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, _POLL_MAX)

    def _start(self, host: str) -> float:
        """Take the host's next turn, or the one kept for this caller; returns when to start, as a
        Unix time. Raises HostBusy when that is more than ``max_wait`` away: a new turn is then
        kept for the caller (``reserved``), and a kept turn stays kept."""
        kept = self._kept_turn(host)
        gap = timedelta(seconds=self.delay)
        with transaction.atomic():
            now = timezone.now()
            turn = HostTurn.objects.select_for_update().filter(host=host).first()
            if turn is None:
                try:
                    with transaction.atomic():
                        HostTurn.objects.create(host=host, next_start=now + gap, last_start=now)
                    return now.timestamp()
                except IntegrityError:
                    turn = HostTurn.objects.select_for_update().get(host=host)
            spaced = turn.last_start + gap if turn.last_start else now
            if kept is not None:
                start = max(now, spaced, datetime.fromtimestamp(kept, UTC))
            else:
                start = max(now, spaced, turn.next_start)
            wait = (start - now).total_seconds()
            busy = self.max_wait is not None and wait > self.max_wait
            if not busy:
                turn.last_start = start
                turn.next_start = max(turn.next_start, start + gap)
            elif kept is None:
                turn.next_start = start + gap  # the turn at ``start`` is the caller's
            if not busy or kept is None:
                HostTurn.objects.filter(pk=turn.pk).update(next_start=turn.next_start, last_start=turn.last_start)
        if busy:
            raise HostBusy(host, wait, reserved=kept if kept is not None else start.timestamp())
        return start.timestamp()


class SharedRobots:
    """robots.txt kept in the database for ``ttl`` seconds: one worker fetches it, all read it."""

    def __init__(self, ttl: float = 3600.0, wait: float = 30.0):
        self.ttl = ttl
        self.wait = wait

    def load(self, origin: str, fetch: Callable[[], str | None]) -> str | None:
        deadline = time.monotonic() + self.wait
        holder = holder_id()
        while True:
            rule = self._kept(origin)
            if rule is not None:
                return rule.body if rule.found else None
            if claim(f"robots:{origin}", holder, self.wait):
                try:
                    rule = self._kept(origin)  # another may have fetched it between our look and our claim
                    if rule is not None:
                        return rule.body if rule.found else None
                    text = fetch()
                    now = timezone.now()
                    RobotsRule.objects.update_or_create(origin=origin, defaults={
                        "body": text or "", "found": text is not None, "fetched_at": now,
                        "expires_at": now + timedelta(seconds=self.ttl)})
                    return text
                finally:
                    release(f"robots:{origin}", holder)
            if time.monotonic() > deadline:  # the one fetching it is stuck: fetch it ourselves
                return fetch()
            time.sleep(0.1)

    @staticmethod
    def _kept(origin: str) -> RobotsRule | None:
        return RobotsRule.objects.filter(origin=origin, expires_at__gt=timezone.now()).first()


GROUPING_KEY = 0x6E657773646B  # "newsdk": the lock held while an article's copies and story are settled
GROUPING_WAIT = 15.0  # seconds a worker waits for the grouping lock before its task is tried again later


@contextmanager
def grouping_lock(wait: float = GROUPING_WAIT) -> Iterator[None]:
    """Settle an article's copy group and story in one transaction that holds PostgreSQL's
    grouping lock, so that no other article is grouped in between. Nothing on SQLite, which
    serialises writing transactions and has no other writer between.

    A transaction-level lock, not a session one: it ends with the transaction, whatever happens to
    the client (a dropped connection, a task's time limit interrupting it), so it never outlives the
    work it guards. The wait for it is bounded by the server (``lock_timeout``): after ``wait``
    seconds the caller gets a database error (its task is tried again later) instead of waiting
    without end behind a backend whose client has gone."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            (before,) = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait * 1000)}ms"])
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GROUPING_KEY])
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
        yield


def lock_names(names: Iterable[str]) -> None:
    """Inside a transaction: wait for every other transaction that locked one of ``names``.

    Story grouping calls it with the new article's names: two articles that could join each other
    share names, so they are grouped one after the other and neither misses the other. On SQLite
    every writing transaction is serialised already (IMMEDIATE), so nothing is needed.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)
                   for name in names})
    if not keys:
        return
    with connection.cursor() as cursor:
        # In ascending order, so two transactions never wait for each other's second lock.
        cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY k) s",
                       [keys])
