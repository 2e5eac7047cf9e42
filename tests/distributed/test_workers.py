"""A deployment of workers and a scheduler on PostgreSQL and a broker stores exactly what
``newsdesk fetch`` stores on SQLite from the same outlets, even with a worker killed mid-run, and
no outlet ever sees more than two requests at once."""

from __future__ import annotations

import difflib
import signal
import time

import pytest

from newsdesk.demo import DemoServer

pytestmark = pytest.mark.distributed


@pytest.fixture
def outlets():
    # A little latency per answer, so that tasks are under way when a worker is killed.
    with DemoServer(host="127.0.0.1", port=0, delay=0.05) as running:
        yield running


def follow(deployment, outlets) -> None:
    for _, _, feed_url in outlets.outlets:
        deployment.newsdesk("sources", "add", feed_url, "--allow-private")


def reference(deployment_factory, outlets):
    """One `newsdesk fetch` on SQLite (the embedded default) from the outlets, and what it stored."""
    single = deployment_factory(None, None, name="reference")
    follow(single, outlets)
    single.newsdesk("fetch", timeout=300)
    return single, single.stored()


def same(deployment, expected: dict) -> bool:
    try:
        assert_same(deployment.stored(), expected)
    except AssertionError:
        return False
    return True


def assert_same(found: dict, expected: dict) -> None:
    assert set(found["articles"]) == set(expected["articles"]), "other articles were stored"
    for url, stored in expected["articles"].items():
        if found["articles"][url] != stored:
            diff = "\n".join(difflib.unified_diff(str(stored).split("\n"), str(found["articles"][url]).split("\n"),
                                                 "fetch", "workers", lineterm="", n=0))
            raise AssertionError(f"{url} was stored differently:\n{diff}")
    assert found["urls"] == expected["urls"], "known URLs differ (an article stored twice or half)"
    assert found["terms"] == expected["terms"], "story index rows differ"
    assert found["unstoried"] == 0 and found["pending"] == 0
    assert found["copies"] == expected["copies"], "copies were grouped differently"


def assert_same_stories(site, single) -> None:
    """The same stories, once both are grouped again oldest first: each article is grouped by the
    articles stored before it, so the order in which workers happen to store them may group a
    borderline article otherwise; what they hold to group by must be the same."""
    site.newsdesk("regroup")
    single.newsdesk("regroup")
    assert site.stored()["stories"] == single.stored()["stories"], "stories were grouped differently"


def test_workers_store_what_fetch_stores_with_one_killed(deployment_factory, database, broker, outlets):
    single, expected = reference(deployment_factory, outlets)
    assert len(expected["articles"]) >= 40
    site = deployment_factory(database, broker, name="cluster")
    follow(site, outlets)
    requests_before = sum(outlets.requests().values())
    doomed = site.worker(concurrency=2)
    site.worker(concurrency=2)
    site.worker(concurrency=2)
    site.scheduler(tick=1)
    # Kill one worker, with its pool, while pages are being stored.
    site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article") >= 6, 120, "the first articles")
    site.kill(doomed, signal.SIGKILL)
    total = len(expected["articles"])
    site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article WHERE NOT stages_pending "
                                      "AND story_id IS NOT NULL") == total, 180, f"{total} articles with their stages")
    # The outlets' templates are learned again once their pages are in, and the pages re-extracted.
    try:
        site.wait_for(lambda: same(site, expected), 60, "the stored articles to match")
    except AssertionError:
        assert_same(site.stored(), expected)  # says what differs
        raise
    time.sleep(2)  # anything still running would show now
    assert_same(site.stored(), expected)
    assert_same_stories(site, single)
    assert site.scalar("SELECT count(*) FROM workers_taskfailure") == 0, site.logs()
    assert max(outlets.peak_in_flight().values()) <= 2, outlets.peak_in_flight()
    assert sum(outlets.requests().values()) > requests_before


def test_a_source_added_while_workers_run_is_polled_within_a_tick(deployment_factory, database, redis_broker,
                                                                    outlets):
    site = deployment_factory(database, redis_broker)
    site.worker(concurrency=2)
    site.scheduler(tick=1)
    time.sleep(3)  # the workers and the scheduler are up, with nothing to do
    first = outlets.outlets[0]
    site.newsdesk("sources", "add", first.feed_url, "--allow-private")
    started = time.monotonic()
    site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article") > 0, 60, "the new source's articles")
    assert time.monotonic() - started < 30
    assert site.scalar("SELECT count(*) FROM sources_source WHERE last_success_at IS NOT NULL") == 1


def test_two_schedulers_queue_each_due_source_once(deployment_factory, database, redis_broker, outlets):
    site = deployment_factory(database, redis_broker)
    follow(site, outlets)
    added = outlets.feed_requests()  # `sources add` reads each feed once to check it
    site.scheduler(tick=0.5)
    site.scheduler(tick=0.5)
    site.worker(concurrency=2)
    count = len(outlets.outlets)
    site.wait_for(lambda: site.scalar("SELECT count(*) FROM sources_source WHERE last_success_at IS NOT NULL")
                  == count, 120, "every source polled")
    time.sleep(4)  # several ticks of both schedulers
    polled = {slug: hits - added[slug] for slug, hits in outlets.feed_requests().items()}
    assert set(polled.values()) == {1}, polled
