"""Serving benchmark: requests per second and latency of the public pages, beside nginx's ceiling.

Usage::

    python bench/serve.py                      # 10,000 articles on SQLite, results to bench/results/serve.md
    python bench/serve.py --quick              # 3 s per row, a few minutes in all
    python bench/serve.py --servers granian    # one server only
    python bench/serve.py --database-url postgresql://postgres@127.0.0.1:5432/bench

It fills a fresh data directory with generated articles and measures, with wrk on the same
machine (Accept-Encoding: gzip, as browsers send it, and one uncompressed row per article):

- the ceiling: nginx serving the article page's HTML as a static file (start and end of the run);
- for each server of ``--servers``, a fresh ``newsdesk run --server NAME --no-poll`` process:
  2,000 different articles uncached (one pass, each asked once), the same 2,000 once cached, the
  home page, the article, a category and a search, then the 2,000 again while a separate process
  stores one article a second, and while it stores as fast as it can;
- the nginx front of ``deploy/nginx/newsdesk.conf`` before the best of those servers.

Every request goes to 127.0.0.1 only, and each run of wrk stops after ``--duration`` seconds.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/serving, also when imported by another bench

from serving import nginx, report, wrk  # noqa: E402
from serving.corpus import CATEGORY_TREE, COMMON, SYLLABLES, make_words, paragraph, populate  # noqa: E402,F401
from serving.process import PeakMemory, free_port, settle, stop, wait_for_http  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "results" / "serve.md"
SERVERS = ("granian", "gunicorn", "waitress")
SEARCH = "/search/?q=council+budget"
ROTATION = 2000
WARM_PASSES = 4
# Response headers the report shows for each server's article page.
SHOWN_HEADERS = ("Content-Encoding", "Cache-Control", "ETag", "X-Accel-Expires", "Vary", "Set-Cookie",
                 "X-Cache-Status")


@dataclass
class Run:
    """What one run of the bench knows: where things are, and what it has measured so far."""

    args: argparse.Namespace
    data_dir: Path
    env: dict
    load: wrk.Load
    article: str
    rotation: Path
    rows: list = field(default_factory=list)  # report.Row
    servers: list = field(default_factory=list)  # report.Server
    writer: subprocess.Popen | None = None
    busy: list = field(default_factory=list)  # pids of the server being measured, to wait for between rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per row (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per row")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help="comma-separated `newsdesk run --server` names (default %(default)s); "
                             "`default` runs it without --server")
    parser.add_argument("--front-server", default="", help="server behind the nginx front (default: the fastest "
                        "at the cached article)")
    parser.add_argument("--no-front", action="store_true", help="skip the nginx front")
    parser.add_argument("--database-url", default="", help="default: SQLite in the temporary data directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep", action="store_true", help="keep the data directory (its path is printed)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 3
    for tool in (wrk.WRK, nginx.NGINX):
        if not Path(tool).exists():
            sys.exit(f"{tool} is not installed (apt-get install wrk nginx-light)")

    data_dir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_DATABASE_URL": args.database_url,
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "bench"), os.environ.get("PYTHONPATH")]))}
    os.environ.update(env)
    started = time.monotonic()
    run = None
    try:
        run = prepare(args, data_dir, env)
        run.writer = start_writer(run)
        measure_ceiling(run, "start")
        for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
            measure_server(run, name)
        if not args.no_front:
            measure_front(run)
        measure_ceiling(run, "end")
    finally:
        if run is not None and run.writer is not None:
            run.writer.stdin.close()
            stop(run.writer)
        if args.keep:
            print(f"data directory kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    args.total_seconds = time.monotonic() - started
    report.write(args.out, args, run.rows, run.servers, versions(args))
    print(f"written to {args.out} ({args.total_seconds / 60:.1f} minutes)")
    return 0


def prepare(args, data_dir: Path, env: dict) -> Run:
    """The data directory with ``args.articles`` articles, the static copy of one, the rotation list."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.monotonic()
    paths = populate(args.articles)
    args.populate_seconds = time.monotonic() - started
    # Stored articles have their Check Also chosen by the stage after storing; bulk-created ones
    # not: choose it for the pages the bench asks for, as that stage would have.
    from newsdesk.site.articles import related

    for path in {*paths[:ROTATION], paths[len(paths) // 3]}:
        related.choose(int(path.rstrip("/").rsplit("-", 1)[1]))
    args.database = (f"SQLite {__import__('sqlite3').sqlite_version}" if connection.vendor == "sqlite"
                     else f"PostgreSQL {connection.pg_version // 10000}")
    rotation = data_dir / "rotation.txt"
    rotation.write_text("\n".join(paths[:ROTATION]) + "\n")
    connection.close()
    load = wrk.Load(threads=args.threads, connections=args.connections, seconds=args.duration)
    return Run(args=args, data_dir=data_dir, env=env, load=load, article=paths[len(paths) // 3], rotation=rotation)


def rendered(path: str) -> bytes:
    """The page at ``path`` as newsdesk renders it for an anonymous reader, uncompressed."""
    from django.db import connection
    from django.test import Client

    response = Client(HTTP_HOST="127.0.0.1").get(path)
    assert response.status_code == 200, response.status_code
    body = b"".join(response) if response.streaming else response.content
    connection.close()
    return body


def start_writer(run: Run) -> subprocess.Popen:
    """The process that stores articles during the busy rotations, once it is ready."""
    log = (run.data_dir / "writer.log").open("wb")
    writer = subprocess.Popen([sys.executable, "-m", "serving.writer"], env=run.env, cwd=REPO / "bench",
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)
    if writer.stdout.readline().strip() != "ready":
        stop(writer)
        raise RuntimeError(f"the writer did not start: {(run.data_dir / 'writer.log').read_text()[-2000:]}")
    return writer


def measure(run: Run, group: str, kind: str, url: str, headers: dict, paths: Path | None = None,
            once: bool = False, record: bool = True, seconds: float = 0):
    """One wrk run, kept as a row of the report (or only printed with ``record=False``)."""
    label = report.LABELS[kind]
    load = replace(run.load, seconds=seconds) if seconds else run.load
    try:
        result, error = wrk.run(url, load, headers, paths, once), ""
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AttributeError) as exc:
        result, error = None, f"wrk failed: {exc}"
    settle(run.busy)
    shown = url.split("/", 3)[-1] if paths is None else "(2,000 paths)"
    if result:
        print(f"{group:10} {label:44} {result.rps:9.1f} req/s  p50 {result.p50:7.2f} ms  "
              f"p99 {result.p99:7.2f} ms  non-2xx {result.non_2xx}", flush=True)
    else:
        print(f"{group:10} {label:44} {error}", flush=True)
    if record:
        run.rows.append(report.Row(group=group, kind=kind, path="/" + shown if paths is None else shown,
                                   result=result, error=error))
    return result


def warm_seconds(run: Run) -> float:
    """How long the unreported rotation runs that fill every worker's cache."""
    return min(5.0, run.load.seconds)


def measure_ceiling(run: Run, when: str) -> None:
    tmp = run.data_dir / f"nginx-static-{when}"
    port = free_port()
    page = rendered(run.article)
    log = (run.data_dir / f"nginx-static-{when}.log").open("wb")
    try:
        server = nginx.start(tmp, nginx.static_site(tmp, port, page, "article.html"), port, log)
    except RuntimeError as exc:
        run.rows.append(report.Row(group="nginx", kind=f"static-{when}", path="", result=None, error=str(exc)))
        return
    try:
        url = f"http://127.0.0.1:{port}/article.html"
        measure(run, "nginx", f"static-{when}", url, wrk.GZIP)
        measure(run, "nginx", f"static-plain-{when}", url, {})
    finally:
        nginx.stop(server)


def start_newsdesk(run: Run, name: str, port: int, extra_env: dict | None = None):
    """A fresh ``newsdesk run`` process (so its page cache is empty); returns (process, log path)."""
    from django.core.cache import cache

    cache.clear()  # pages a shared cache kept from the server before
    log_path = run.data_dir / f"newsdesk-{name}-{port}.log"
    command = [sys.executable, "-m", "newsdesk", "run", "--workers", str(run.args.workers), "--no-poll",
               "--host", "127.0.0.1", "--port", str(port)]
    if name != "default":
        command[4:4] = ["--server", name]
    # The server's output goes to a file: an unread pipe fills up and then blocks the server.
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env={**run.env, **(extra_env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/robots.txt", process, timeout=90)
    except RuntimeError as exc:
        stop(process)
        lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
        raise RuntimeError(f"did not start ({exc}): {' '.join(lines[-2:])[-400:]}") from None
    return process, log_path


def probe(url: str, gzip: bool = True) -> dict:
    """One request; returns the status and the response headers the report shows."""
    request = urllib.request.Request(url, headers=wrk.GZIP if gzip else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
            status, headers = reply.status, reply.headers
    except urllib.error.HTTPError as exc:
        body, status, headers = exc.read(), exc.code, exc.headers
    found = {name: ", ".join(headers.get_all(name) or []) for name in SHOWN_HEADERS}
    if found["Set-Cookie"]:
        found["Set-Cookie"] = ", ".join(c.split("=", 1)[0] + "=…" for c in headers.get_all("Set-Cookie"))
    found.update(status=str(status), bytes=str(len(body)))
    if headers.get("ETag"):
        conditional = urllib.request.Request(url, headers={**request.headers, "If-None-Match": headers["ETag"]})
        try:
            with urllib.request.urlopen(conditional, timeout=30) as reply:
                found["If-None-Match"] = str(reply.status)
        except urllib.error.HTTPError as exc:
            found["If-None-Match"] = str(exc.code)
    return found


def warm(base: str, paths: list[str], times: int = 4) -> None:
    """Ask for each page a few times in both encodings, so every worker process has cached it."""
    for path in paths:
        for _ in range(times):
            for gzip in (True, False):
                probe(base + path, gzip)


def busy_rotation(run: Run, group: str, kind: str, base: str, rate: float) -> None:
    """The rotation while the writer stores ``rate`` articles a second (0: as fast as it can)."""
    if run.writer is None or run.writer.poll() is not None:
        run.rows.append(report.Row(group=group, kind=kind, path="(2,000 paths)", result=None,
                                   error="the writer is not running"))
        return
    run.writer.stdin.write(f"go {rate}\n")
    try:
        measure(run, group, kind, base + "/", wrk.GZIP, run.rotation)
    finally:
        run.writer.stdin.write("stop\n")
        done = run.writer.stdout.readline().strip()
    stored = dict(part.split("=") for part in done.split()) if "stored=" in done else {}
    run.rows[-1].note = (f"{int(stored['stored'])} stored, {int(stored['stored']) / float(stored['seconds']):.1f}/s"
                         if stored else f"writer: {done or 'no answer'}")


def delete_written() -> None:
    """Take out what the writer stored, so every server is measured on the same articles."""
    from django.db import connection

    from newsdesk.site.articles.models import Article

    Article.objects.filter(source__slug="bench-wire").delete()
    connection.close()


def failed(run: Run, server: report.Server, error: Exception) -> None:
    """A server that did not start is a row with its error."""
    server.error = str(error)
    print(f"{server.name:10} {server.error}", flush=True)
    run.rows.append(report.Row(group=server.name, kind="start", path="", result=None, error=server.error))


def measure_server(run: Run, name: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = report.Server(name=name)
    run.servers.append(server)
    try:
        process, log_path = start_newsdesk(run, name, port)
    except RuntimeError as exc:
        failed(run, server, exc)
        return
    memory = PeakMemory([process.pid])
    run.busy = [process.pid]
    try:
        server.banner = log_path.read_text(errors="replace").strip().splitlines()[:1]
        # First, while nothing is cached: a fresh process has an empty page cache.
        measure(run, name, "uncached", base + "/", wrk.GZIP, run.rotation, once=True)
        # Each server process keeps its own copies, and wrk's connections land on either: a few
        # more passes give every process nearly every page (half are missing after one more, a
        # sixteenth after four).
        for _ in range(WARM_PASSES):
            measure(run, name, "warm", base + "/", wrk.GZIP, run.rotation, once=True, record=False)
        measure(run, name, "rotation", base + "/", wrk.GZIP, run.rotation)
        pages = [("home", "/", wrk.GZIP), ("article", run.article, wrk.GZIP), ("article-plain", run.article, {}),
                 ("category", "/category/news/", wrk.GZIP), ("search", SEARCH, wrk.GZIP)]
        warm(base, sorted({path for _, path, _ in pages}))
        server.headers = probe(base + run.article)
        server.headers_plain = probe(base + run.article, gzip=False)
        for kind, path, headers in pages:
            measure(run, name, kind, base + path, headers)
        busy_rotation(run, name, "rotation-1s", base, 1)
        busy_rotation(run, name, "rotation-bulk", base, 0)
    finally:
        server.peak_mb = memory.stop()
        run.busy = []
        stop(process)
        delete_written()


def best_server(run: Run) -> str | None:
    """The server for the front: ``--front-server``, else the fastest at the cached article."""
    if run.args.front_server:
        return run.args.front_server
    articles = [(row.result.rps, row.group) for row in run.rows if row.kind == "article" and row.result]
    return max(articles)[1] if articles else None


def measure_front(run: Run) -> None:
    name = best_server(run)
    if name is None:
        failed(run, report.Server(name="nginx front"), RuntimeError("not measured: no server answered the article"))
        return
    group = f"nginx + {name}"
    upstream, port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    server = report.Server(name=group)
    run.servers.append(server)
    try:
        process, _ = start_newsdesk(run, name, upstream, {"NEWSDESK_TRUSTED_PROXY": "127.0.0.1"})
    except RuntimeError as exc:
        failed(run, server, exc)
        return
    tmp = run.data_dir / "nginx-front"
    log = (run.data_dir / "nginx-front.log").open("wb")
    try:
        front = nginx.start(tmp, nginx.front_site(tmp, port, upstream, run.data_dir), port, log)
    except RuntimeError as exc:
        stop(process)
        failed(run, server, exc)
        return
    memory = PeakMemory([process.pid, front.pid])
    run.busy = [process.pid, front.pid]
    try:
        measure(run, group, "warm", base + "/", wrk.GZIP, run.rotation, once=True, record=False)
        measure(run, group, "warm", base + "/", wrk.GZIP, run.rotation, record=False, seconds=warm_seconds(run))
        measure(run, group, "rotation", base + "/", wrk.GZIP, run.rotation)
        warm(base, ["/", run.article])
        server.headers = probe(base + run.article)
        server.headers_plain = probe(base + run.article, gzip=False)
        for kind, path, headers in [("home", "/", wrk.GZIP), ("article", run.article, wrk.GZIP),
                                    ("article-plain", run.article, {})]:
            measure(run, group, kind, base + path, headers)
        busy_rotation(run, group, "rotation-1s", base, 1)
    finally:
        server.peak_mb = memory.stop()
        run.busy = []
        nginx.stop(front)
        stop(process)
        delete_written()


def versions(args) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"nginx": nginx.version(), "wrk": wrk.version(), "Python": platform.python_version(),
             "database": args.database}
    for package in ("granian", "gunicorn", "waitress", "Django"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


if __name__ == "__main__":
    sys.exit(main())
