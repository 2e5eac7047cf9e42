"""Render benchmark: server time of a page that is not in the page cache, over 10,000 articles.

Usage::

    python bench/render.py                  # SQLite in a temporary data directory
    NEWSDESK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python bench/render.py
    python bench/render.py --articles 2000 --repeat 50   # a quicker run

The articles are those of the serving benchmark (``bench/serve.py``), with Check Also chosen for
the measured ones as the stage after storing does. Each request goes through the real
middleware, view and template with Django's test client, in this process, after the page cache
was emptied of pages (the category tree and banner stay, as on a running site): the server's own
time for a page it has to render. Article pages are 200 different ones, each asked once. Each run
writes its engine's table to ``bench/results/render.md`` and keeps the other engine's. This is a
benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from serving import inprocess

DEFAULT_OUT = inprocess.REPO / "bench" / "results" / "render.md"


def timed(client, paths: list[str]) -> dict:
    """Median and p95 wall-clock and CPU ms of each path rendered afresh, and its SQL statements."""
    from django.db import connection

    from newsdesk.site import pagecache

    walls, cpus, statements = [], [], []
    for path in paths:
        pagecache.store().clear(pages_only=True)
        seen = []
        with connection.execute_wrapper(lambda execute, sql, *args: seen.append(sql) or execute(sql, *args)):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        statements.append(len(seen))
    walls.sort()
    return {"median": statistics.median(walls), "p95": walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))],
            "cpu": statistics.median(cpus), "sql": max(statements)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200, help="renders per page kind (default 200)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    with inprocess.generated_site(args.articles, "newsdesk-render-bench-") as paths:
        from django.test import Client

        from newsdesk.site.articles import related

        articles = paths[100:100 + args.repeat]
        for path in articles:
            related.choose(int(path.rstrip("/").rsplit("-", 1)[1]))
        client = Client(HTTP_HOST="127.0.0.1")
        deep = 10 if args.articles >= 2000 else 2  # a page deep in a long list
        for path in ["/", "/category/news/", "/source/outlet-3/", *articles[:5]]:
            client.get(path)  # templates compiled, the category tree and banner read
        rows = []
        for name, pages in [("article (a different one each time)", articles),
                            ("home", ["/"] * args.repeat),
                            ("category (with its subcategories)", ["/category/news/"] * args.repeat),
                            ("outlet", ["/source/outlet-3/"] * args.repeat),
                            (f"category, page {deep}", [f"/category/news/?page={deep}"] * args.repeat)]:
            result = timed(client, pages)
            rows.append((name, result))
            print(f"{name:40} {result['median']:7.2f} ms  p95 {result['p95']:7.2f} ms  CPU {result['cpu']:6.2f} ms  "
                  f"{result['sql']} SQL", flush=True)
        name, version = inprocess.engine()
    write_report(args, rows, name, version)
    print(f"written to {args.out}")
    return 0


def write_report(args, rows, name: str, version: str) -> None:
    section = [
        f"## {name}",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d}: {version}, {args.articles:,} articles, {args.repeat} renders per "
        f"row; {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}.",
        "",
        "| page, not in the cache | median ms | p95 ms | CPU ms | SQL queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for page, result in rows:
        section.append(f"| {page} | {result['median']:.2f} | {result['p95']:.2f} | {result['cpu']:.2f} | "
                       f"{result['sql']} |")
    inprocess.write_sections(args.out, [
        "# Render benchmark",
        "",
        "`python bench/render.py` (SQLite) and the same with `NEWSDESK_DATABASE_URL` set (PostgreSQL):",
        "server time of a page newsdesk has to render (not in its page cache), from the test client's",
        "request to the compressed page kept in the cache (middleware, view, queries, template, gzip),",
        "one request at a time in one process. CPU is this process's processor time per request: all",
        "of the work on SQLite, all but the database server's on PostgreSQL.",
        "",
    ], name, section)


if __name__ == "__main__":
    sys.exit(main())
