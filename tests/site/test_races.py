"""Races: the same comment posted twice at once, and two fetch runs on one SQLite database.

Both run against real servers: the site on pytest-django's live server, in threads; the fetch
runs as two ``newsdesk fetch`` processes polling an outlet on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from html import unescape

import httpx
import pytest
from django.db import connection

from newsdesk.site.comments.models import Comment
from tests.site.outlet import Outlet, story

ALREADY_POSTED = "You have already posted this comment."


# -- the same comment twice at once -------------------------------------------------------------

def comment_form(session: httpx.Client, url: str) -> dict[str, str]:
    """The article's comment form as a reader's browser would send it: hidden fields and values."""
    html = session.get(url).text
    form = html[html.index('class="comment-form"'):html.index("</form>", html.index('class="comment-form"'))]
    hidden = {name: unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)}
    return {**hidden, "comment": "Posted twice by a double click.", "name": "Quick Reader",
            "email": "quick.reader@mail.example", "url": "", "homepage": ""}


def post_twice_at_once(url: str, data: dict[str, str], cookies: dict[str, str], *, before_release=None):
    """Two POSTs of ``data`` sent together, each on its own connection; returns both responses.

    ``before_release``, when given, runs once both requests are on their way, before the threads
    are joined.
    """
    start = threading.Barrier(2)
    responses: list[httpx.Response] = []

    def send() -> None:
        start.wait()
        with httpx.Client(cookies=cookies, timeout=30) as client:
            responses.append(client.post(url, data=data))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    if before_release:
        before_release()
    for thread in threads:
        thread.join(timeout=60)
    assert len(responses) == 2
    return responses


def assert_stored_once_without_an_error_page(responses, article) -> None:
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409], statuses
    stored, refused = sorted(responses, key=lambda response: response.status_code)
    assert stored.headers["location"].endswith("#comments")
    assert ALREADY_POSTED in refused.text and "Posted twice by a double click." in refused.text
    assert Comment.objects.filter(article=article).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_comment_sent_twice_at_once_is_stored_once(live_server, newsroom):
    article = newsroom.articles[0]
    url = live_server.url + article.get_absolute_url()
    with httpx.Client(timeout=10) as session:
        data = comment_form(session, url)
        cookies = dict(session.cookies)
    responses = post_twice_at_once(url, data, cookies)
    assert_stored_once_without_an_error_page(responses, article)


def hold_comment_writes():
    """Another connection that blocks writing comments (not reading them) until it rolls back:
    SQLite's write lock, or on PostgreSQL a lock on the comments table that lets reads through."""
    if connection.vendor == "postgresql":
        import psycopg

        db = connection.settings_dict
        other = psycopg.connect(dbname=db["NAME"], user=db.get("USER") or None, host=db.get("HOST") or None,
                                port=db.get("PORT") or None, password=db.get("PASSWORD") or None, autocommit=True)
        other.execute("BEGIN")
        other.execute(f'LOCK TABLE "{Comment._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
        return other
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.django_db(transaction=True)
def test_both_pass_the_duplicate_check_and_the_unique_fingerprint_refuses_the_second(live_server, newsroom):
    """Another writer holds the database while both requests arrive, so each finds no copy of the
    comment, then waits to store it: the second insert breaks the unique fingerprint."""
    article = newsroom.articles[0]
    url = live_server.url + article.get_absolute_url()
    with httpx.Client(timeout=10) as session:
        data = comment_form(session, url)
        cookies = dict(session.cookies)
    other_writer = hold_comment_writes()

    def release_once_both_wait() -> None:
        # Both requests have checked for a duplicate and wait for the write lock well within this.
        time.sleep(1.5)
        assert Comment.objects.count() == 0
        other_writer.execute("ROLLBACK")

    try:
        responses = post_twice_at_once(url, data, cookies, before_release=release_once_both_wait)
    finally:
        other_writer.close()
    assert_stored_once_without_an_error_page(responses, article)


# -- two fetch runs at once ---------------------------------------------------------------------

# The fetcher waits a second between two requests to one host, so each run takes about this many
# seconds, and the two runs store the same articles at about the same time.
STORIES = 5


def newsdesk(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newsdesk", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def summary_counts(out: str) -> dict[str, int]:
    """The article counts of a fetch run's summary line: new, updated, unchanged, failed."""
    found = re.search(r"articles: (\d+) new, (\d+) updated, (\d+) unchanged, (\d+) failed", out)
    assert found, out
    return dict(zip(("new", "updated", "unchanged", "failed"), map(int, found.groups())))


def test_two_fetch_runs_at_once_store_every_article_once(server, tmp_path):
    outlet = Outlet(server)
    for n in range(1, STORIES + 1):
        outlet.add(story(n))
    # Its own SQLite data directory, as an operator's; migrated once by adding the source.
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
    added = newsdesk(env, "sources", "add", outlet.feed_url, "--allow-private")
    out, err = added.communicate(timeout=120)
    assert added.returncode == 0, err

    polled = server.hits("/feed.xml")
    runs = [newsdesk(env, "fetch", "--all") for _ in range(2)]
    results = [run.communicate(timeout=180) for run in runs]
    for run, (out, err) in zip(runs, results):
        assert run.returncode == 0, err
        assert "Traceback" not in err and "sources: 1 ok, 0 failed" in out, (out, err)
    assert server.hits("/feed.xml") == polled + 2  # both runs polled the outlet
    counts = [summary_counts(out) for out, _ in results]
    assert sum(c["new"] for c in counts) == STORIES and all(c["failed"] == 0 for c in counts), counts

    with sqlite3.connect(tmp_path / "newsdesk.sqlite3") as database:
        rows = database.execute("SELECT canonical_url, COUNT(*) FROM articles_article "
                                "GROUP BY canonical_url").fetchall()
    assert dict(rows) == {f"{server.base_url}/news/story-{n}": 1 for n in range(1, STORIES + 1)}
