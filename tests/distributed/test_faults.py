"""Faults in the middle of a distributed run: the broker restarting, the database away for a
while. The workers reconnect or retry, and every article is stored once, with its stages."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from newsdesk.demo import DemoServer
from newsdesk.ingest import worker
from tests.distributed.conftest import with_port
from tests.support.tcpproxy import TcpProxy

pytestmark = pytest.mark.distributed


@pytest.fixture
def outlets():
    with DemoServer(host="127.0.0.1", port=0, delay=0.05) as running:
        yield running


def expected_count(outlets) -> int:
    return sum(len(outlet.articles) for outlet, _, _ in outlets.outlets)


def finished(site) -> int:
    return site.scalar("SELECT count(*) FROM articles_article WHERE NOT stages_pending AND story_id IS NOT NULL")


def settled(site, total: int) -> bool:
    """Every article stored with its stages, and none changed for a while: a source's template is
    learned again TEMPLATE_EVERY seconds after its last new page, and the articles it re-extracts
    are marked pending again until their stages have run once more."""
    quiet = worker.TEMPLATE_EVERY + 5
    return finished(site) == total and site.scalar(
        "SELECT count(*) FROM articles_article WHERE updated_at > now() - make_interval(secs => %s)", (quiet,)) == 0


def assert_stored_once(site, total: int) -> None:
    assert site.scalar("SELECT count(*) FROM articles_article") == total
    assert site.scalar("SELECT count(DISTINCT canonical_url) FROM articles_article") == total
    assert site.scalar("SELECT count(*) FROM articles_article WHERE stages_pending OR story_id IS NULL") == 0
    assert site.scalar("SELECT count(*) FROM workers_taskfailure") == 0, site.logs()


def test_broker_restarting_mid_run(deployment_factory, database, broker, outlets):
    target = urlsplit(broker)
    with TcpProxy(target.hostname, target.port) as proxy:
        site = deployment_factory(database, with_port(broker, proxy.port))
        for _, _, feed_url in outlets.outlets:
            site.newsdesk("sources", "add", feed_url, "--allow-private")
        site.worker(concurrency=2)
        site.worker(concurrency=2)
        site.scheduler(tick=1)
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article") >= 8, 120, "the first articles")
        proxy.cut(5.0)  # every worker's and the scheduler's connection drops; new ones fail for 5 s
        stored_when_cut = site.scalar("SELECT count(*) FROM articles_article")
        total = expected_count(outlets)
        site.wait_for(lambda: settled(site, total), 240, f"{total} articles after the broker came back")
        assert proxy.refused > 0, "nothing tried to reconnect while the broker was away"
        assert stored_when_cut < total, "the run had ended before the broker went away"
        time.sleep(2)
        assert_stored_once(site, total)


def test_tasks_queued_while_the_broker_is_away_are_kept_and_sent_when_it_is_back(deployment_factory, database,
                                                                                 broker, outlets):
    target = urlsplit(broker)
    with TcpProxy(target.hostname, target.port) as proxy:
        site = deployment_factory(database, with_port(broker, proxy.port))
        for _, _, feed_url in outlets.outlets:
            site.newsdesk("sources", "add", feed_url, "--allow-private")
        sources = site.scalar("SELECT count(*) FROM sources_source")
        proxy.cut(600.0)
        done = site.newsdesk("fetch", "--all", "--enqueue", timeout=120)
        assert proxy.refused > 0, "the broker was never tried"
        held = site.sql("SELECT task, args FROM workers_queuedtask WHERE sent_at IS NULL ORDER BY id")
        assert [task for task, _ in held] == ["newsdesk.poll"] * sources, (held, done.stdout, done.stderr)
        assert "kept to be queued when it is back" in done.stderr
        proxy.cut(0.0)  # the broker is back
        site.worker(concurrency=2)
        site.scheduler(tick=1)
        total = expected_count(outlets)
        site.wait_for(lambda: settled(site, total), 240, f"{total} articles from the held polls")
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM workers_queuedtask") == 0, 60,
                      "every task's record to go once its work is done")
        assert_stored_once(site, total)
        assert "task(s) held while the broker was away" in site.logs()


def test_a_task_the_broker_lost_is_sent_again_and_one_never_done_is_recorded(deployment_factory, database,
                                                                             redis_broker):
    # The broker lost both messages: only their records in the database are left (as a pop's reply
    # lost on a dropped connection leaves them). Neither source is due, so nothing else polls them.
    from tests.site.outlet import Outlet, Story, prose
    from tests.support.httpserver import LocalServer

    with LocalServer() as first, LocalServer() as second:
        site = deployment_factory(database, redis_broker)
        for n, server in enumerate((first, second)):
            outlet = Outlet(server)
            for k in range(2):
                outlet.add(Story(slug=f"story-{n}-{k}", title=f"Council story {n} {k}", paragraphs=prose(f"s{n}{k}")))
            site.newsdesk("sources", "add", outlet.feed_url, "--allow-private", "--name", f"Outlet {n}")
        (lost, given_up) = [pk for (pk,) in site.sql("SELECT id FROM sources_source ORDER BY id")]
        checked = first.hits("/feed.xml"), second.hits("/feed.xml")  # `sources add` reads the feed once
        site.sql("UPDATE sources_source SET next_fetch_at = now() + interval '1 day'")
        long_ago = "now() - interval '1 hour'"
        for source_id, resent in ((lost, 0), (given_up, worker.RESEND_LIMIT)):
            site.sql("INSERT INTO workers_queuedtask (task, task_id, args, kwargs, retries, due_at, sent_at, resent,"
                     f" created_at, error) VALUES ('newsdesk.poll', '', %s, '{{}}', 0, {long_ago}, {long_ago}, %s,"
                     f" {long_ago}, '')",
                     (f"[{source_id}]", resent))
        site.worker(concurrency=2)
        site.scheduler(tick=1)
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article WHERE NOT stages_pending") == 2, 120,
                      "the lost poll's two articles")
        assert site.scalar("SELECT count(*) FROM articles_article WHERE source_id = %s", (given_up,)) == 0
        (failure,) = site.sql("SELECT task, key, error FROM workers_taskfailure")
        assert failure[:2] == ("newsdesk.poll", f"source:{given_up}") and "never done" in failure[2]
        assert first.hits("/feed.xml") > checked[0] and second.hits("/feed.xml") == checked[1]
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM workers_queuedtask") == 0, 60,
                      "every task's record to go once its work is done")
        assert "queued again 1 task(s)" in site.logs(tail=None)


def test_database_away_for_a_while(deployment_factory, database, redis_broker, outlets):
    target = urlsplit(database)
    with TcpProxy(target.hostname, target.port or 5432) as proxy:
        through = with_port(database, proxy.port)
        site = deployment_factory(through, redis_broker)
        for _, _, feed_url in outlets.outlets:
            site.newsdesk("sources", "add", feed_url, "--allow-private")
        site.database_url = database  # the test itself reads past the proxy
        site.worker(concurrency=2)
        site.worker(concurrency=2)
        site.scheduler(tick=1)
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article") >= 8, 120, "the first articles")
        proxy.cut(8.0)
        total = expected_count(outlets)
        assert site.scalar("SELECT count(*) FROM articles_article") < total, "the run had ended too soon"
        site.wait_for(lambda: settled(site, total), 240, f"{total} articles after the database came back")
        assert proxy.refused > 0, "nothing tried the database while it was away"
        time.sleep(2)
        assert_stored_once(site, total)
        logs = site.logs(tail=None)
        assert "database error" in logs or "database unavailable" in logs, "no process noticed the database away"


def test_a_page_that_keeps_failing_is_recorded_for_the_editors(deployment_factory, database, redis_broker):
    from tests.site.outlet import Outlet, Story, prose
    from tests.support.httpserver import LocalServer, Reply

    with LocalServer() as server:
        outlet = Outlet(server)
        for n in range(3):
            outlet.add(Story(slug=f"story-{n}", title=f"Council story number {n}", paragraphs=prose(f"s{n}")))
        server.route("/news/story-1", Reply(status=503, body=b"overloaded"))  # every time
        server.route("/news/story-2", Reply(status=404, body=b"gone"))  # no use trying again
        site = deployment_factory(database, redis_broker, NEWSDESK_TASK_ATTEMPTS="3")
        site.newsdesk("sources", "add", outlet.feed_url, "--allow-private")
        site.worker(concurrency=2)
        site.newsdesk("fetch", "--all", "--enqueue")
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM workers_taskfailure") == 2, 120, "two failures")
        failures = {key.rsplit("/", 1)[1]: (task, attempts, error, resolved) for key, task, attempts, error, resolved
                    in site.sql("SELECT key, task, attempts, error, resolved FROM workers_taskfailure")}
        assert failures["story-1"][:2] == ("newsdesk.page", 3) and "503" in failures["story-1"][2]
        assert failures["story-2"][:2] == ("newsdesk.page", 1) and "404" in failures["story-2"][2]
        assert server.hits("/news/story-1") == 3 and server.hits("/news/story-2") == 1
        assert site.scalar("SELECT count(*) FROM articles_article") == 1
        assert site.scalar("SELECT count(*) FROM workers_taskfailure WHERE source_id IS NOT NULL") == 2


def test_a_worker_that_dies_unasked_is_started_again_and_stops_when_asked(deployment_factory, database,
                                                                          redis_broker):
    # Celery's consumer has ended a whole worker on a broker reconnect; `newsdesk worker` runs it
    # in a child process and starts it again. Here the child is killed as such a crash would end it.
    import os
    import signal

    from newsdesk.site.management.commands import worker as command

    site = deployment_factory(database, redis_broker)
    process = site.worker(concurrency=1)
    site.wait_for(lambda: site.logs().count("ready.") == 1, 90, "the worker to be ready")
    (first,) = children(process.pid)
    time.sleep(command.MIN_UPTIME + 1)  # up long enough to be started again
    os.kill(first, signal.SIGKILL)
    site.wait_for(lambda: site.logs().count("ready.") == 2, 90, "the worker to be started again")
    assert "stopped unexpectedly" in site.logs()
    (second,) = children(process.pid)
    assert second != first
    os.kill(process.pid, signal.SIGTERM)  # asked to stop: it and its worker end, and stay ended
    assert process.wait(60) == 0, site.logs()
    assert not children(process.pid)
    time.sleep(command.RESTART_PAUSE + 1)
    assert not os.path.exists(f"/proc/{second}") or "zombie" in open(f"/proc/{second}/status").read().lower()


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux)."""
    try:
        return [int(n) for n in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except FileNotFoundError:
        return []
