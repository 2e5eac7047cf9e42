"""Leases, host turns and shared robots.txt (``ingest.coordination``) on the real database, from
several threads with connections of their own, as several workers would use them."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from newsdesk.ingest import coordination
from newsdesk.pipeline.fetch import Fetcher, FetchOptions, HostBusy
from newsdesk.site.workers.models import Lease, RobotsRule
from tests.support.httpserver import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lease_has_one_holder_until_released_or_expired():
    assert coordination.claim("source:1", "a", 30)
    assert not coordination.claim("source:1", "b", 30)
    assert coordination.claim("source:1", "a", 30), "its holder takes it again (a task delivered twice)"
    coordination.release("source:1", "b")  # not b's to release
    assert not coordination.claim("source:1", "b", 30)
    coordination.release("source:1", "a")
    assert coordination.claim("source:1", "b", 0.2)
    time.sleep(0.3)
    assert coordination.claim("source:1", "c", 30), "an expired lease (a killed worker's) is free"
    assert Lease.objects.get(name="source:1").holder == "c"


def in_threads(count: int, work) -> list:
    results, errors = [], []

    def run(n: int) -> None:
        try:
            results.append(work(n))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_only_one_of_many_takes_a_lease_at_once():
    winners = in_threads(8, lambda n: coordination.claim("page:x", f"holder-{n}", 30))
    assert winners.count(True) == 1


def test_shared_gates_hold_two_in_flight_and_the_delay_between_starts():
    gates = coordination.SharedGates(concurrency=2, delay=0.5)
    lock = threading.Lock()
    state = {"now": 0, "peak": 0, "starts": []}

    def request(n: int) -> None:
        with gates.turn("outlet.example"):
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
                state["starts"].append(time.time())
            time.sleep(0.9)  # longer than the delay: the next request starts meanwhile
            with lock:
                state["now"] -= 1

    in_threads(6, request)
    starts = sorted(state["starts"])
    assert state["peak"] == 2
    # Each start was given a turn 0.5 s after the one before (2.5 s from first to last); a thread
    # may wake up late, which moves its start later. Two slots alone would start all six in 1.8 s.
    assert starts[-1] - starts[0] >= 2.0


def test_a_far_turn_is_kept_for_the_caller_who_comes_back_for_it():
    gates = coordination.SharedGates(concurrency=2, delay=1.0, max_wait=0.2)
    with gates.turn("slow.example"):
        pass
    with pytest.raises(HostBusy) as busy:
        with gates.turn("slow.example"):
            pass
    assert 0.0 < busy.value.retry_in <= 1.0 and busy.value.reserved is not None
    assert not Lease.objects.filter(name__startswith="host:slow.example").exists(), "its slot was let go"
    time.sleep(max(0.0, busy.value.reserved - time.time()))
    with gates.kept("slow.example", busy.value.reserved), gates.turn("slow.example"):
        pass  # its own turn: no new one is taken
    with pytest.raises(HostBusy) as later:
        with gates.turn("slow.example"):
            pass
    assert abs(later.value.reserved - (busy.value.reserved + 1.0)) < 0.05, "the kept turn was taken twice"
    # A caller back late with its turn still has it (a busy worker comes back late): no new turn
    # is taken for it, and the next newcomer's turn is the gap after its start.
    time.sleep(max(0.0, later.value.reserved + 0.4 - time.time()))
    with gates.kept("slow.example", later.value.reserved), gates.turn("slow.example"):
        started = time.time()
    with pytest.raises(HostBusy) as newcomer:
        with gates.turn("slow.example"):
            pass
    assert abs(newcomer.value.reserved - (started + 1.0)) < 0.1


def test_callers_back_late_with_their_turns_still_start_the_gap_apart():
    gates = coordination.SharedGates(concurrency=2, delay=1.0, max_wait=0.2)
    with gates.turn("late.example"):
        pass
    tickets = []
    for _ in range(2):
        with pytest.raises(HostBusy) as busy:
            with gates.turn("late.example"):
                pass
        tickets.append(busy.value.reserved)
    assert abs(tickets[1] - tickets[0] - 1.0) < 0.05
    time.sleep(max(0.0, tickets[1] + 0.5 - time.time()))  # both turns have passed
    with gates.kept("late.example", tickets[0]), gates.turn("late.example"):
        first = time.time()
    # The second ticket is as late, but the host's last start was just now: it waits the gap,
    # keeping its ticket rather than going to the back of the queue.
    with pytest.raises(HostBusy) as again:
        with gates.kept("late.example", tickets[1]), gates.turn("late.example"):
            pass
    assert again.value.reserved == tickets[1]
    assert 0.7 < again.value.retry_in <= 1.0
    time.sleep(max(0.0, first + 1.0 - time.time()))
    with gates.kept("late.example", tickets[1]), gates.turn("late.example"):
        second = time.time()
    assert second - first >= 1.0 - 0.05


def test_robots_txt_is_fetched_once_for_every_fetcher(server):
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))
    server.route("/open", body=b"ok")
    options = FetchOptions(min_host_delay=0.0, allow_private=True)

    def fetch(n: int) -> int:
        with Fetcher(options, robots=coordination.SharedRobots(ttl=60)) as fetcher:
            return fetcher.get(server.url("/open")).status

    assert in_threads(4, fetch) == [200] * 4
    assert server.hits("/robots.txt") == 1
    assert RobotsRule.objects.get().found
