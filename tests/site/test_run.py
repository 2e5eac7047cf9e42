"""`newsdesk run` as an operator starts it: a real server process, polling, a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from newsdesk.ingest.scheduler import Scheduler
from newsdesk.site.articles.models import Article
from newsdesk.site.sources.models import Source
from tests.site.outlet import Outlet, story


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.parametrize("server,stop", [("granian", signal.SIGINT), ("granian", signal.SIGTERM),
                                         ("gunicorn", signal.SIGINT), ("waitress", signal.SIGINT)])
def test_run_serves_the_site_and_stops_cleanly(tmp_path, server, stop):
    port = free_port()
    # Its own SQLite data directory: this test is about the process, not the database engine.
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
    process = subprocess.Popen([sys.executable, "-m", "newsdesk", "run", "--port", str(port), "--server", server,
                                "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/")
        assert b"<html" in page.lower()
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in err
    assert f"with {server}, 2 process(es)" in out
    with pytest.raises(OSError):  # nothing is left listening
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_taken_port_is_a_clear_error(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_DATABASE_URL": "",
               "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
        done = subprocess.run([sys.executable, "-m", "newsdesk", "run", "--port", str(port), "--no-poll"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def fetch_from_run(tmp_path, path: str, extra_env: dict[str, str], headers: dict[str, str] | None = None,
                   port: int | None = None) -> str:
    """``path`` as served by a `newsdesk run` started with ``extra_env``, then stopped."""
    port = port or free_port()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings",
           "NEWSDESK_ALLOWED_HOSTS": "news.example.org,127.0.0.1", **extra_env}
    process = subprocess.Popen([sys.executable, "-m", "newsdesk", "run", "--no-poll", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/robots.txt")
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def feed_link(tmp_path, extra_env: dict[str, str]) -> str:
    """The site link in the feed, fetched as a reverse proxy would forward a reader's https
    request for news.example.org."""
    feed = fetch_from_run(tmp_path, "/feed/", extra_env, {
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "news.example.org"})
    return feed[feed.index("<link>") + 6:feed.index("</link>")]


def test_forwarded_headers_count_only_from_the_trusted_proxy(tmp_path):
    assert feed_link(tmp_path, {"NEWSDESK_TRUSTED_PROXY": "127.0.0.1"}) == "https://news.example.org/"
    # Without a trusted proxy, anyone could claim any address: the headers are dropped.
    assert feed_link(tmp_path, {}).startswith("http://127.0.0.1:")


def test_a_restart_renders_cached_pages_afresh(tmp_path):
    # New settings, templates or code must show after a restart.
    port = free_port()  # the same address both times: pages are cached per host and port
    assert "Old Harbour Times" in fetch_from_run(tmp_path, "/", {"NEWSDESK_SITE_NAME": "Old Harbour Times"}, port=port)
    assert "New Harbour Times" in fetch_from_run(tmp_path, "/", {"NEWSDESK_SITE_NAME": "New Harbour Times"}, port=port)


@pytest.mark.django_db(transaction=True)
def test_scheduler_polls_due_sources_in_the_background(server, fetcher):
    outlet = Outlet(server)
    outlet.add(story(1))
    outlet.add(story(2))
    due = Source.objects.create(name="due", allow_private=True)
    due.feeds.create(url=outlet.feed_url)
    later = Source.objects.create(name="later", allow_private=True,
                                  next_fetch_at=timezone.now() + timedelta(hours=1))
    later.feeds.create(url=server.url("/other-feed.xml"))
    scheduler = Scheduler(fetcher, workers=2, tick=0.2).start()
    try:
        deadline = time.monotonic() + 20
        while Article.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        scheduler.stop()
    assert Article.objects.count() == 2
    due.refresh_from_db()
    assert due.last_success_at is not None and due.next_fetch_at > timezone.now()
    assert server.hits("/other-feed.xml") == 0
