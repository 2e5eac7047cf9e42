"""Search benchmark: server time of ``/search/`` per query over 10,000 generated articles.

Usage::

    python bench/search.py                  # SQLite in a temporary data directory
    NEWSDESK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python bench/search.py
    python bench/search.py --articles 2000 --repeat 10   # a quicker run

The articles are those of the serving benchmark (``bench/serve.py``). Each query goes through the
real view, middleware and template with Django's test client, in this process: no network, no
server threads, so the times are the server's own. The PostgreSQL database named in the URL is
emptied first. Each run writes its engine's table to ``bench/results/search.md`` and keeps the
other engine's table there. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

from serving import inprocess

DEFAULT_OUT = inprocess.REPO / "bench" / "results" / "search.md"
# (what it stands for, the query typed). The generated texts mix 40 common news words with a
# made-up vocabulary of 3,000 words, each in about a tenth of the articles; titles end in the
# article's number, which makes a number a rare word.
QUERIES = [
    ("one word", "council", 1),
    ("two words", "council budget", 1),
    ("two words, page 5", "council budget", 5),
    ("a rare word", "7777", 1),
    ("a very common word", "{common}", 1),
    ("a phrase (quoted)", '"harbour ferry"', 1),
    ("a sentence (no article has every word)", "council approves the new budget for the harbour bridge", 1),
    ("no match", "xylophone", 1),
]


def most_common_word(sample: int = 1000) -> str:
    """The word in the most articles of the first ``sample`` (one of the made-up words)."""
    from collections import Counter

    from newsdesk.pipeline.keywords import words
    from newsdesk.site.articles.models import Article

    counts: Counter = Counter()
    for title, text in Article.objects.order_by("id").values_list("title", "text")[:sample]:
        counts.update(set(words(f"{title} {text}")) - {w for w in words(title) if w.isdigit()})
    return counts.most_common(1)[0][0]


def summary(html: str) -> str:
    """The page's one-line result summary, as text."""
    found = re.search(r'<p class="search-summary" role="status">(.*?)</p>', html, re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", found.group(1)))).strip() if found else ""


def time_query(client, query: str, page: int, repeat: int) -> dict:
    """Median and p95 server time of one query, in ms, with the page's summary and result count."""
    from django.db import connection

    params = {"q": query, **({"page": str(page)} if page > 1 else {})}
    for _ in range(3):  # warm the template cache and the database's pages
        response = client.get("/search/", params)
        assert response.status_code == 200, (query, response.status_code)
    statements = []
    # The test client resets connection.queries on each request; a wrapper sees every statement.
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        client.get("/search/", params)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/search/", params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    html = response.content.decode()
    times.sort()
    return {"median": statistics.median(times), "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "cpu": statistics.median(cpu),
            "summary": summary(html), "shown": html.count('<li class="search-result">'), "sql": len(statements)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per query (default 50)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    started = time.monotonic()
    with inprocess.generated_site(args.articles, "newsdesk-search-bench-"):
        from django.test import Client

        populate_seconds = time.monotonic() - started
        common = most_common_word()
        client = Client(HTTP_HOST="127.0.0.1")
        rows = []
        for name, query, page in QUERIES:
            query = query.format(common=common)
            result = time_query(client, query, page, args.repeat)
            rows.append((name, query, page, result))
            print(f"{name:42} {result['median']:7.2f} ms  p95 {result['p95']:7.2f} ms  CPU {result['cpu']:6.2f} ms  "
                  f"{result['sql']} SQL  "
                  f"{result['shown']} shown  {result['summary']}", flush=True)
        engine, version = inprocess.engine()
    write_report(args, rows, engine, version, populate_seconds)
    print(f"written to {args.out}")
    return 0


def write_report(args, rows, engine: str, version: str, populate_seconds: float) -> None:
    section = [
        f"## {engine}",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d}: {version}, {args.articles:,} articles (stored in "
        f"{populate_seconds:.0f} s), {args.repeat} timed requests per query after 3 untimed ones; "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}.",
        "",
        "| query | typed | median ms | p95 ms | CPU ms | SQL queries | the page says |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, query, page, result in rows:
        typed = f"`{query}`" + (f" page {page}" if page > 1 else "")
        section.append(f"| {name} | {typed} | {result['median']:.2f} | {result['p95']:.2f} | {result['cpu']:.2f} | "
                       f"{result['sql']} | "
                       f"{result['summary']} |")
    inprocess.write_sections(args.out, [
        "# Search benchmark",
        "",
        "`python bench/search.py` (SQLite) and the same with `NEWSDESK_DATABASE_URL` set (PostgreSQL):",
        "server time of one `/search/` request, from the test client's request to the rendered page",
        "(middleware, view, full-text queries, article rows, template), on the serving benchmark's",
        "generated articles, one request at a time in one process. CPU is the median processor time",
        "of this process per request: all of the work on SQLite, all but the database server's on",
        "PostgreSQL; it moves less than the wall-clock times when the machine is busy.",
        "",
    ], engine, section)


if __name__ == "__main__":
    sys.exit(main())
