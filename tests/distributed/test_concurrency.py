"""Several processes writing to one PostgreSQL database at once: unique constraints hold, one
story is not split, the story index loses no rows, and a source's health counters lose no update."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.site.outlet import Outlet, Story, prose
from tests.support.httpserver import LocalServer, Reply

pytestmark = pytest.mark.distributed

EVENT = ("Harbour authority of Port Vellin approves the Kestrel Basin expansion",
         "The Port Vellin Harbour Authority voted on Tuesday to approve the Kestrel Basin expansion, "
         "a plan by Marta Olsen, the authority's chair, to double container capacity by 2029. "
         "Olsen said the Kestrel Basin project would cost 410 million euros and create 900 jobs in Port Vellin.")


def event_story(n: int) -> Story:
    """One outlet's report of the same event, in its own words around the same names."""
    title, lead = EVENT
    return Story(slug=f"kestrel-basin-{n}", title=f"{title} ({['vote', 'decision', 'plan', 'go-ahead'][n % 4]})",
                 paragraphs=[lead, *prose(f"kestrel{n}", 3)], author=f"Reporter {n}")


def test_reports_of_one_event_stored_at_once_make_one_story(deployment_factory, database, redis_broker):
    servers = [LocalServer().start() for _ in range(6)]
    try:
        site = deployment_factory(database, redis_broker)
        for n, server in enumerate(servers):
            Outlet(server).add(event_story(n))
            site.newsdesk("sources", "add", server.url("/feed.xml"), "--allow-private", "--name", f"Outlet {n}")
        for _ in range(3):
            site.worker(concurrency=2)
        site.newsdesk("fetch", "--all", "--enqueue")
        site.wait_for(lambda: site.scalar("SELECT count(*) FROM articles_article WHERE NOT stages_pending "
                                          "AND story_id IS NOT NULL") == 6, 120, "six grouped articles")
        stories = site.sql("SELECT story_id, count(*) FROM articles_article GROUP BY story_id")
        assert len(stories) == 1, f"one event split into stories {stories}"
        assert site.scalar("SELECT article_count FROM articles_story") == 6
        # Every article's index rows are there: its marker row and its names.
        markers = site.scalar("SELECT count(DISTINCT article_id) FROM articles_storyterm WHERE kind = 3")
        indexed = site.scalar("SELECT count(DISTINCT article_id) FROM articles_storyterm")
        assert indexed == markers == 6, f"index rows lost: {indexed} articles indexed, {markers} marked"
    finally:
        for server in servers:
            server.stop()


def run_at_once(site, *commands: list[str], timeout: float = 180) -> list[subprocess.CompletedProcess]:
    """Start every command together and wait for all."""
    processes = [subprocess.Popen([sys.executable, "-m", "newsdesk", *args], env=site.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for args in commands]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def test_fetch_runs_at_once_store_each_article_once(deployment_factory, database):
    with LocalServer() as server:
        outlet = Outlet(server)
        for n in range(12):
            outlet.add(Story(slug=f"story-{n}", title=f"Council story number {n}", paragraphs=prose(f"s{n}")))
        site = deployment_factory(database, None)
        site.newsdesk("sources", "add", outlet.feed_url, "--allow-private")
        results = run_at_once(site, *[["fetch", "--all"]] * 4)
        assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
        assert site.scalar("SELECT count(*) FROM articles_article") == 12
        assert site.scalar("SELECT count(DISTINCT canonical_url) FROM articles_article") == 12
        assert site.scalar("SELECT count(*) FROM articles_articleurl") == \
            site.scalar("SELECT count(DISTINCT url) FROM articles_articleurl")


def test_failing_polls_at_once_count_every_failure(deployment_factory, database):
    with LocalServer() as server:
        outlet = Outlet(server)
        outlet.add(Story(slug="only", title="Only story", paragraphs=prose("only")))
        site = deployment_factory(database, None)
        site.newsdesk("sources", "add", outlet.feed_url, "--allow-private", "--name", "Flaky")
        outlet.feed_override = Reply(status=500, body=b"down")
        results = run_at_once(site, *[["fetch", "--source", "Flaky"]] * 5)
        assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
        assert site.scalar("SELECT consecutive_failures FROM sources_source WHERE name = 'Flaky'") == 5
