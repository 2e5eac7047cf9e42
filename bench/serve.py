"""Serving benchmark: requests per second and latency of the public pages, beside a static file.

Usage::

    python bench/serve.py                               # 10,000 articles on SQLite, results to bench/results/serve.md
    python bench/serve.py --articles 2000 --duration 5  # a quicker run
    python bench/serve.py --database-url postgresql://postgres@127.0.0.1:5432/bench

It fills a fresh data directory with generated articles, starts ``newsdesk run`` (waitress) with two
worker processes on 127.0.0.1, and drives it with wrk from the same machine: the home page, an
article, a category, a search, 2,000 different articles (each first request renders the page, the
page cache cannot help), and the article's HTML saved as a static file and served by the same
server (the ceiling: no Django view, no database). Every request goes to 127.0.0.1 only, and each
run of wrk stops after ``--duration`` seconds. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "results" / "serve.md"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
STATIC_PAGE = "bench/article.html"
CATEGORY_TREE = {"News": ["World", "Politics", "Local"], "Business": ["Markets"], "Sport": [], "Science": [],
                 "Culture": []}
# A made-up vocabulary, so that the search index and Check Also have realistic work to do.
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vor", "sa", "dun", "bel", "qui", "mar", "tos", "len", "fi", "gra",
             "ho", "pel", "sun", "dra", "ve"]
COMMON = ("council budget harbour ferry storm market shares election minister school hospital river bridge "
          "police court museum festival league match coach season energy grid prices workers union strike "
          "report plan vote funding residents officials company investors city region government").split()


def make_words(rng: random.Random, count: int) -> list[str]:
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def paragraph(rng: random.Random, vocabulary: list[str], topic: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(3, 5)):
        words = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(vocabulary) for _ in range(rng.randint(10, 22))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def populate(count: int, seed: int = 7) -> list[str]:
    """Store ``count`` generated articles; returns their page paths, newest first."""
    from django.utils import timezone as dj_timezone
    from django.utils.text import slugify

    from newsdesk.site.articles.models import Article, Category
    from newsdesk.site.sources.models import Source

    rng = random.Random(seed)
    vocabulary = make_words(rng, 3000)
    categories = []
    for order, (name, children) in enumerate(CATEGORY_TREE.items()):
        parent = Category.objects.create(name=name, slug=name.lower(), order=order)
        categories.append(parent)
        categories += [Category.objects.create(name=c, slug=c.lower(), parent=parent, order=n)
                       for n, c in enumerate(children)]
    sources = [Source.objects.create(name=f"Outlet {n}", slug=f"outlet-{n}", homepage=f"https://outlet{n}.example/")
               for n in range(20)]
    now = dj_timezone.now()
    batch = []
    for n in range(count):
        topic = rng.sample(COMMON, 4) + rng.sample(vocabulary, 6)
        paragraphs = [paragraph(rng, vocabulary, topic) for _ in range(rng.randint(6, 10))]
        title = " ".join([topic[0].capitalize(), *rng.sample(topic[1:], 3), rng.choice(vocabulary)])
        source = sources[n % len(sources)]
        batch.append(Article(
            source=source, category=categories[n % len(categories)], title=f"{title} {n}", slug=slugify(f"{title} {n}"),
            url=f"{source.homepage}news/{n}", canonical_url=f"{source.homepage}news/{n}",
            authors=[f"Reporter {n % 50}"], published_at=now - timedelta(minutes=7 * n), language="en",
            description="", text="\n\n".join(paragraphs), html="".join(f"<p>{p}</p>" for p in paragraphs),
            lead_image_url=f"{source.homepage}images/{n}.jpg", lead_image_caption=f"Picture {n}",
            content_hash=f"{n:064d}"))
        if len(batch) == 500:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    return [a.get_absolute_url() for a in Article.objects.order_by("-published_at").only(
        "id", "slug", "published_at", "fetched_at")]


def save_static_copy(path: str, data_dir: Path) -> Path:
    """The article page as the site renders it, saved where the server serves static files."""
    from django.test import Client

    response = Client(HTTP_HOST="127.0.0.1").get(path)
    assert response.status_code == 200, response.status_code
    target = data_dir / "static" / STATIC_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/robots.txt", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {base} did not answer within {timeout} s")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, duration: int, connections: int, threads: int, script: Path | None = None) -> dict:
    """One bounded wrk run against 127.0.0.1; returns requests/s, p50 and p99 in ms, and errors."""
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                            timeout=duration + 30).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": to_ms(latency["50"]), "p99": to_ms(latency["99"]),
            "errors": int(errors.group(1)) if errors else 0,
            "requests": int(re.search(r"(\d+) requests in", output).group(1))}


ROTATE_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
init = function(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16)); i = math.random(#paths) end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--server-threads", type=int, default=8, help="request threads per worker (default 8)")
    parser.add_argument("--database-url", default="", help="default: SQLite in the temporary data directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep", action="store_true", help="keep the data directory (its path is printed)")
    args = parser.parse_args(argv)
    if not Path(WRK).exists():
        sys.exit("wrk is not installed (apt-get install wrk)")

    data_dir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_DATABASE_URL": args.database_url,
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.monotonic()
    paths = populate(args.articles)
    populate_seconds = time.monotonic() - started
    article_path = paths[len(paths) // 3]
    save_static_copy(article_path, data_dir)
    rotate_list = data_dir / "paths.txt"
    rotate_list.write_text("\n".join(paths[:2000]) + "\n")
    rotate_script = data_dir / "rotate.lua"
    rotate_script.write_text(ROTATE_SCRIPT % rotate_list)
    from django.db import connection

    vendor = connection.vendor
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's output goes to a file: an unread pipe fills up and then blocks the server.
    server_log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "newsdesk", "run", "--no-poll", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers),
                               "--threads", str(args.server_threads)],
                              env=env, stdout=server_log, stderr=subprocess.STDOUT)
    rows = []
    try:
        wait_until_up(base)
        targets = [("home", "/", None), ("article", article_path, None), ("category", "/category/news/", None),
                   ("search", "/search/?q=council+budget", None),
                   ("2,000 different articles (uncached)", "/", rotate_script),
                   ("article as a static file (ceiling)", f"/static/{STATIC_PAGE}", None)]
        for name, path, script in targets:
            with urllib.request.urlopen(base + path, timeout=30) as reply:  # warm the page cache
                assert reply.status == 200, (path, reply.status)
            result = run_wrk(base + path, args.duration, args.connections, args.threads, script)
            rows.append((name, path if script is None else "(rotating)", result))
            print(f"{name:40} {result['rps']:9.1f} req/s  p50 {result['p50']:7.2f} ms  p99 {result['p99']:7.2f} ms"
                  f"  non-2xx {result['errors']}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
        if args.keep:
            print(f"data directory kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    write_report(args, rows, vendor, populate_seconds)
    print(f"written to {args.out}")
    return 0


def write_report(args, rows, vendor: str, populate_seconds: float) -> None:
    database = "SQLite " + sqlite3.sqlite_version if vendor == "sqlite" else "PostgreSQL"
    lines = [
        "# Serving benchmark",
        "",
        f"`python bench/serve.py` on {datetime.now(timezone.utc):%Y-%m-%d}: {args.articles:,} generated articles "
        f"(stored in {populate_seconds:.0f} s), {database}, `newsdesk run` (waitress) with {args.workers} worker "
        f"processes × {args.server_threads} threads, driven by wrk ({args.threads} threads, {args.connections} "
        f"connections, {args.duration} s per page) on the same machine ({os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}). Responses uncompressed (no Accept-Encoding).",
        "",
        "| page | requests/s | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, path, result in rows:
        lines.append(f"| {name} `{path}` | {result['rps']:,.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
                     f"{result['errors']} |")
    lines += [
        "",
        "Home, article and category pages come from the page cache (files in the data directory, shared",
        "by the worker processes) after the first request; the content version is read from the same",
        "cache on every request. Search is not cached: each request runs the full-text query. The",
        "rotating run asks for 2,000 different articles, so most requests render the page (article,",
        "Check Also, comments) from the database. The static file is the same article page served by",
        "WhiteNoise in the same server: the ceiling for any page. wrk and the server share the two",
        "CPUs, so runs differ by up to a third; cached pages and the static file are within that.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
