"""A distributed deployment for tests: real PostgreSQL, a real broker (Redis or RabbitMQ), and
``newsdesk worker`` / ``newsdesk scheduler`` as real processes the tests start, kill and restart.

Each test gets a database of its own on the PostgreSQL server (``NEWSDESK_PG_URL``, default
127.0.0.1:5432) and queue names of its own on the broker, so tests share neither. A service that
is not running skips the tests that need it, unless ``NEWSDESK_REQUIRE_SERVICES`` is set (CI sets
it): then its absence fails them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

PG_URL = os.environ.get("NEWSDESK_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BROKERS = {
    "redis": os.environ.get("NEWSDESK_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "amqp": os.environ.get("NEWSDESK_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
REPO = Path(__file__).resolve().parents[2]


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


def need(url: str, what: str) -> None:
    if reachable(url):
        return
    message = f"{what} is not running at {urlsplit(url).netloc}"
    if os.environ.get("NEWSDESK_REQUIRE_SERVICES"):
        pytest.fail(message + " (NEWSDESK_REQUIRE_SERVICES is set)")
    pytest.skip(message)


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit((parts.scheme, f"{auth}127.0.0.1:{port}", parts.path, parts.query, parts.fragment))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture
def database() -> str:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    need(PG_URL, "PostgreSQL")
    name = f"newsdesk_t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield with_database(PG_URL, name)
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=sorted(BROKERS))
def broker(request) -> str:
    """Each broker in turn: Redis, then RabbitMQ."""
    url = BROKERS[request.param]
    need(url, {"redis": "Redis", "amqp": "RabbitMQ"}[request.param])
    return url


@pytest.fixture
def redis_broker() -> str:
    need(BROKERS["redis"], "Redis")
    return BROKERS["redis"]


class Deployment:
    """newsdesk's processes on one database and broker, started as a person would start them."""

    def __init__(self, root: Path, database_url: str | None, broker_url: str | None, **settings: str):
        """``database_url`` None: the embedded default, SQLite in the data directory."""
        self.root = root
        self.queue = f"t{uuid.uuid4().hex[:10]}"
        self.database_url = database_url or f"sqlite:///{root / 'data' / 'newsdesk.sqlite3'}"
        self.broker_url = broker_url
        self.env = {**os.environ, "NEWSDESK_DATA_DIR": str(root / "data"), "NEWSDESK_DATABASE_URL": database_url or "",
                    "NEWSDESK_QUEUE": self.queue, "NEWSDESK_REDELIVER_SECONDS": "15", "NEWSDESK_ENTITIES": "false",
                    "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}
        self.env.pop("NEWSDESK_BROKER_URL", None)
        if broker_url:
            self.env["NEWSDESK_BROKER_URL"] = broker_url
        self.env.update(settings)
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    # -- commands ---------------------------------------------------------------------------
    def newsdesk(self, *args: str, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "newsdesk", *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"newsdesk {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def start(self, *args: str, name: str) -> subprocess.Popen:
        """A long-running newsdesk command in its own process group, its output in a log file."""
        log = self.root / f"{name}-{len(self.processes)}.log"
        handle = log.open("w")
        process = subprocess.Popen([sys.executable, "-m", "newsdesk", *args], env=self.env, stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((process, log))
        return process

    def worker(self, concurrency: int = 2, queues: str = "fetch,derive") -> subprocess.Popen:
        return self.start("worker", f"--concurrency={concurrency}", f"--queues={queues}", "--loglevel=INFO",
                          name="worker")

    def scheduler(self, tick: float = 1.0) -> subprocess.Popen:
        return self.start("scheduler", f"--tick={tick}", name="scheduler")

    @staticmethod
    def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Signal the process and every process it started (a worker and its pool)."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            process.wait(10)

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process, _ in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(process)

    def logs(self, tail: int | None = 6000) -> str:
        """The processes' output, the last ``tail`` characters of each (None: all of it)."""
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-tail if tail else 0:]}"
                         for _, log in self.processes)

    # -- the database ------------------------------------------------------------------------
    def sql(self, query: str, params=()) -> list[tuple]:
        if self.database_url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(self.database_url[len("sqlite:///"):], timeout=30) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def stored(self) -> dict:
        """What the database holds, in terms two deployments can be compared by."""
        articles = {url: (title, text, source) for url, title, text, source in self.sql(
            "SELECT a.canonical_url, a.title, a.text, s.name FROM articles_article a "
            "JOIN sources_source s ON s.id = a.source_id")}
        stories: dict[int, set[str]] = {}
        for story_id, url in self.sql("SELECT story_id, canonical_url FROM articles_article"):
            stories.setdefault(story_id, set()).add(url)
        groups: dict[int, set[str]] = {}
        for group, url in self.sql("SELECT copy_group, canonical_url FROM articles_article WHERE copy_group IS NOT NULL"):
            groups.setdefault(group, set()).add(url)
        terms = dict(self.sql("SELECT a.canonical_url, count(t.id) FROM articles_article a "
                              "LEFT JOIN articles_storyterm t ON t.article_id = a.id GROUP BY a.canonical_url"))
        return {
            "articles": articles,
            "stories": {frozenset(urls) for urls in stories.values()},
            "unstoried": len(stories.get(None, ())),
            "copies": {frozenset(urls) for urls in groups.values()},
            "terms": terms,
            "urls": self.scalar("SELECT count(*) FROM articles_articleurl"),
            "pending": self.scalar("SELECT count(*) FROM articles_article WHERE stages_pending"),
        }

    def scalar(self, query: str, params=()):
        return self.sql(query, params)[0][0]

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except psycopg.Error:
                pass
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}\n{self.state()}\n{self.logs()}")

    def state(self) -> str:
        """What the database holds, per source, for a failure's message."""
        try:
            rows = self.sql("SELECT s.id, s.next_fetch_at, s.consecutive_failures, "
                            "(SELECT count(*) FROM articles_article a WHERE a.source_id = s.id), "
                            "(SELECT count(*) FROM articles_article a WHERE a.source_id = s.id AND a.stages_pending) "
                            "FROM sources_source s ORDER BY s.id")
            held = self.sql("SELECT task, args::text, sent_at, resent FROM workers_queuedtask ORDER BY id")
            failures = self.sql("SELECT task, key, error FROM workers_taskfailure")
            leases = self.sql("SELECT name, holder, expires_at FROM workers_lease ORDER BY name")
        except Exception as exc:  # noqa: BLE001 - a failure's message must not fail itself
            return f"(database state unavailable: {exc})"
        lines = [f"source {pk}: next poll {due}, {fails} failures, {stored} articles, {pending} pending"
                 for pk, due, fails, stored, pending in rows]
        lines += [f"queued {task} {args[:120]} sent {sent} resent {resent}" for task, args, sent, resent in held]
        lines += [f"failure {task} {key}: {error[:200]}" for task, key, error in failures]
        lines += [f"lease {name} {holder} until {until}" for name, holder, until in leases]
        if self.broker_url and self.broker_url.startswith("redis"):
            try:
                import redis

                client = redis.Redis.from_url(self.broker_url, socket_timeout=5)
                for key in sorted(client.scan_iter(f"{self.queue}:*")):
                    kind = client.type(key).decode()
                    size = {"list": client.llen, "hash": client.hlen, "zset": client.zcard}.get(kind)
                    lines.append(f"redis {key.decode()} {kind} {size(key) if size else ''} ttl {client.ttl(key)}")
            except Exception as exc:  # noqa: BLE001 - a failure's message must not fail itself
                lines.append(f"(redis state unavailable: {exc})")
        return "\n".join(lines)

    def cleanup_broker(self) -> None:
        """Delete this test's queues (RabbitMQ keeps durable queues) and keys (Redis)."""
        if not self.broker_url:
            return
        try:
            if self.broker_url.startswith("redis"):
                import redis

                client = redis.Redis.from_url(self.broker_url)
                keys = list(client.scan_iter(f"{self.queue}:*"))
                if keys:
                    client.delete(*keys)
            else:
                from kombu import Connection

                with Connection(self.broker_url, connect_timeout=5) as conn:
                    channel = conn.channel()
                    for kind in ("fetch", "derive"):
                        try:
                            channel.queue_delete(f"{self.queue}.{kind}")
                        except Exception:  # noqa: BLE001 - a queue never declared
                            channel = conn.channel()
        except Exception:  # noqa: BLE001 - cleanup must not hide the test's own result
            pass


@pytest.fixture
def deployment_factory(tmp_path):
    made: list[Deployment] = []

    def make(database_url: str | None, broker_url: str | None, name: str = "site", **settings: str) -> Deployment:
        root = tmp_path / name
        root.mkdir()
        deployment = Deployment(root, database_url, broker_url, **settings)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.stop_all()
        deployment.cleanup_broker()
