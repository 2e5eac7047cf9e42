"""Scale benchmark: many loopback outlets ingested by 1, 2 and 4 workers on PostgreSQL and a broker.

    python bench/scale.py [--outlets 200] [--per-outlet 100] [--workers 1,2,4]
                          [--broker redis://127.0.0.1:6379/0] [--pg postgresql://postgres@127.0.0.1:5432/test]
                          [--output bench/results/scale.md]

The demo outlets are copied into ``--outlets`` outlets (each with its own name and port on
127.0.0.1) of about ``--per-outlet`` articles each. For each worker count, on a new PostgreSQL
database: the outlets are imported as sources (OPML), ``newsdesk scheduler`` and N ``newsdesk
worker --concurrency 1`` processes are started, and the run ends when every article is stored
with its stages done. Measured: articles per second (first poll to last stage), the p50 and
p95 time from the feed being read to the article being stored, the peak resident memory of each
worker (its pool included) and the broker's memory growth, and the most requests in flight at any
outlet as the outlet servers counted them (politeness allows 2). Pictures and entities are off
(``NEWSDESK_IMAGES``/``NEWSDESK_ENTITIES``), and so is copy detection unless ``--copies``: the
copied outlets' texts are near-identical, so every article would be one of ``--outlets``/4 copies.
This measures polling, pages, storing, story grouping and Check Also.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from html import escape
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def outlets(count: int, per_outlet: int):
    """``count`` outlets copied from the demo's, each with at least ``per_outlet`` articles (the
    demo's scaled up to that)."""
    from newsdesk.demo import load_outlets

    base = load_outlets()
    scale = max(1, -(-per_outlet // min(len(o.articles) for o in base)))
    scaled = load_outlets(scale)
    made = []
    for n in range(count):
        outlet = scaled[n % len(scaled)]
        # All of its articles: they link to each other, so none can be left out.
        made.append(dataclasses.replace(outlet, slug=f"{outlet.slug}-{n}", name=f"{outlet.name} {n}"))
    return made


def opml(feed_urls: list[str]) -> bytes:
    lines = "".join(f'<outline type="rss" text="Outlet {n}" xmlUrl="{escape(url)}"/>' for n, url in enumerate(feed_urls))
    return f'<?xml version="1.0"?><opml version="2.0"><body>{lines}</body></opml>'.encode()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children, in kB (from /proc)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().split()
            if int(entry.name) != pid and int(stat[4]) != pid:  # the pgid: the worker's session
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total


def broker_bytes(url: str) -> int | None:
    if not url.startswith("redis"):
        return None
    import redis

    return int(redis.Redis.from_url(url).info("memory")["used_memory"])


def run(workers: int, served, args, expected: int) -> dict:
    import psycopg

    name = f"newsdesk_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = with_database(args.pg, name)
    data = tempfile.mkdtemp(prefix="newsdesk-scale-")
    env = {**os.environ, "NEWSDESK_DATA_DIR": data, "NEWSDESK_DATABASE_URL": database,
           "NEWSDESK_BROKER_URL": args.broker, "NEWSDESK_QUEUE": f"scale{uuid.uuid4().hex[:6]}",
           "NEWSDESK_IMAGES": "false", "NEWSDESK_ENTITIES": "false", "PYTHONPATH": str(ROOT / "src"),
           # The copied outlets carry near-identical texts: left on, every article would be one of
           # 50 copies of each other, which no real set of outlets is.
           "NEWSDESK_COPY_WINDOW_DAYS": "0" if not args.copies else "7"}

    def newsdesk(*argv):
        return subprocess.run([sys.executable, "-m", "newsdesk", *argv], env=env, check=True,
                              capture_output=True, text=True)

    newsdesk("migrate", "--verbosity=0")
    listing = Path(data) / "outlets.opml"
    listing.write_bytes(opml([feed for _, _, feed in served.outlets]))
    newsdesk("sources", "import", str(listing), "--allow-private")
    logs = [open(Path(data) / f"worker-{n}.log", "w") for n in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-m", "newsdesk", "worker", "--concurrency=1", "--loglevel=WARNING"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True) for log in logs]
    time.sleep(8)  # workers up before the clock starts
    broker_before = broker_bytes(args.broker)
    started = time.time()
    scheduler = subprocess.Popen([sys.executable, "-m", "newsdesk", "scheduler", "--tick=2"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    peak = [0] * workers
    broker_peak = 0
    done = 0
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            while time.time() - started < args.timeout:
                done = conn.execute("SELECT count(*) FROM articles_article WHERE NOT stages_pending "
                                    "AND story_id IS NOT NULL").fetchone()[0]
                for i, proc in enumerate(procs):
                    peak[i] = max(peak[i], rss_kb(proc.pid))
                used = broker_bytes(args.broker)
                if used is not None and broker_before is not None:
                    broker_peak = max(broker_peak, used - broker_before)
                if done >= expected:
                    break
                time.sleep(1)
            finished = conn.execute("SELECT max(updated_at) FROM articles_article").fetchone()[0]
            lags = [row[0] for row in conn.execute(
                "SELECT extract(epoch FROM a.fetched_at - f.last_fetch_at) FROM articles_article a "
                "JOIN sources_feed f ON f.source_id = a.source_id")]
            stories = conn.execute("SELECT count(*) FROM articles_story").fetchone()[0]
            failures = conn.execute("SELECT count(*) FROM workers_taskfailure").fetchone()[0]
    finally:
        for proc in [scheduler, *procs]:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in [scheduler, *procs]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seconds = (finished.timestamp() if finished else time.time()) - started
    lags = sorted(float(x) for x in lags if x is not None)
    return {"workers": workers, "articles": done, "seconds": seconds, "rate": done / seconds if seconds else 0,
            "p50": statistics.median(lags) if lags else 0,
            "p95": lags[int(0.95 * (len(lags) - 1))] if lags else 0,
            "peak_mb": max(peak) / 1024, "broker_mb": broker_peak / 1e6 if broker_before is not None else None,
            "in_flight": max(served.peak_in_flight().values()), "stories": stories, "failures": failures}


def table(rows: list[dict], args, expected: int) -> str:
    lines = [f"Outlets: {args.outlets} on 127.0.0.1, one port each; {expected} articles; broker "
             f"`{urlsplit(args.broker).scheme}`; PostgreSQL; each worker `newsdesk worker --concurrency 1`; "
             f"pictures, entities and copy detection off; each run ended after at most {args.timeout:g} s. `python bench/scale.py --outlets {args.outlets} "
             f"--per-outlet {args.per_outlet} --workers {args.workers} --timeout {args.timeout:g}`.", "",
             "| workers | articles | seconds | articles/s | feed to stored p50 s | p95 s | peak MB per worker "
             "| broker MB | most in flight at an outlet | stories | task failures |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        broker = f"{r['broker_mb']:.1f}" if r["broker_mb"] is not None else "–"
        lines.append(f"| {r['workers']} | {r['articles']} | {r['seconds']:.0f} | {r['rate']:.1f} | {r['p50']:.1f} "
                     f"| {r['p95']:.1f} | {r['peak_mb']:.0f} | {broker} | {r['in_flight']} | {r['stories']} "
                     f"| {r['failures']} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outlets", type=int, default=200)
    parser.add_argument("--per-outlet", type=int, default=100)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--timeout", type=float, default=3600, help="end each run after this many seconds")
    parser.add_argument("--copies", action="store_true", help="keep copy detection on (see NEWSDESK_COPY_WINDOW_DAYS)")
    parser.add_argument("--output", type=Path, help="write the table here (Markdown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.site.settings")
    from newsdesk.demo import DemoServer

    made = outlets(args.outlets, args.per_outlet)
    expected = sum(len(o.articles) for o in made)
    rows = []
    for count in [int(n) for n in args.workers.split(",")]:
        with DemoServer(host="127.0.0.1", port=0, outlets=made) as served:
            rows.append(run(count, served, args, expected))
        print(rows[-1], flush=True)
    text = table(rows, args, expected)
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
