"""Ingest benchmark: the demo outlets scaled to about 5,000 articles, ingested over loopback.

    python bench/ingest.py [--articles 5000] [--output bench/results/ingest.md]
    python bench/ingest.py --only stages      # one phase, printed; the results file is left alone

Each phase runs in its own process on a fresh SQLite database in a temporary data directory,
so its peak memory (max RSS) is its own:

- end to end: ``newsdesk fetch`` as shipped (sources polled concurrently, two pages at a time per
  outlet): articles per second from the first feed request to the last stored article.
- stages: the same pages one at a time through fetch, extract and store, each stage timed alone.
- peer: httpx + trafilatura ``extract`` on the same URLs, one at a time (no storage), for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(data_dir: str) -> None:
    os.environ["NEWSDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def start_outlets(articles: int):
    from newsdesk.demo import DemoServer, load_outlets

    base = sum(len(outlet.articles) for outlet in load_outlets())
    scale = max(1, -(-articles // base))
    return DemoServer(host="127.0.0.1", port=0, scale=scale).start()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_end_to_end(articles: int) -> dict:
    from newsdesk.ingest.demo import follow_outlets
    from newsdesk.ingest.fetching import make_fetcher
    from newsdesk.site.articles.models import Article
    from newsdesk.ingest.poller import poll_many

    server = start_outlets(articles)
    try:
        with make_fetcher(min_host_delay=0.0) as fetcher:
            sources = follow_outlets(server, fetcher)
            started = time.perf_counter()
            results = poll_many([s.pk for s in sources], fetcher=fetcher)
            seconds = time.perf_counter() - started
    finally:
        server.stop()
    stored = Article.objects.count()
    return {"phase": "end to end (newsdesk fetch)", "articles": stored, "seconds": seconds,
            "per_second": stored / seconds, "failed": sum(r.failed for r in results), "peak_mb": peak_mb()}


def entries(server, fetcher):
    """(feed URL, entry) for every entry of every outlet's feed."""
    from newsdesk.pipeline import feeds

    for _outlet, _base, feed_url in server.outlets:
        response = fetcher.get(feed_url)
        for entry in feeds.parse(response.content, response.url, response.content_type).entries:
            yield feed_url, entry


def phase_stages(articles: int) -> dict:
    from newsdesk.ingest import services, stages
    from newsdesk.ingest.demo import follow_outlets
    from newsdesk.ingest.fetching import make_fetcher
    from newsdesk.pipeline.extraction import ExtractOptions

    # Each stage after store timed on its own, inside the run that ``after_store`` makes.
    per_stage: dict[str, list[float]] = {stage.name: [] for stage in stages.AFTER_STORE}

    def timed(stage):
        def run(article_id):
            started = time.perf_counter()
            try:
                return stage.run(article_id)
            finally:
                per_stage[stage.name].append(time.perf_counter() - started)
        return stages.Stage(stage.name, run)

    stages.AFTER_STORE = tuple(timed(stage) for stage in stages.AFTER_STORE)
    server = start_outlets(articles)
    fetch_s, extract_s, store_s, after_s, pages = [], [], [], [], 0
    try:
        with make_fetcher(min_host_delay=0.0, allow_private=True) as fetcher:
            sources = {s.name: s for s in follow_outlets(server, fetcher)}
            source_ids = {feed_url: sources[o.name].pk for o, _b, feed_url in server.outlets}
            for feed_url, entry in list(entries(server, fetcher)):
                t0 = time.perf_counter()
                page_response = fetcher.get(entry.url)
                t1 = time.perf_counter()
                page = services.page_from_response(source_ids[feed_url], entry, page_response, ExtractOptions())
                t2 = time.perf_counter()
                outcome = None
                if page is not None:
                    outcome, article_id = services.store_article(page, run_stages=False)
                t3 = time.perf_counter()
                if outcome not in (None, services.UNCHANGED):
                    stages.after_store(article_id)
                t4 = time.perf_counter()
                fetch_s.append(t1 - t0)
                extract_s.append(t2 - t1)
                store_s.append(t3 - t2)
                after_s.append(t4 - t3)
                pages += 1
    finally:
        server.stop()

    def stage(samples):
        total = sum(samples)
        return {"per_second": len(samples) / total, "median_ms": statistics.median(samples) * 1000,
                "p95_ms": sorted(samples)[int(len(samples) * 0.95)] * 1000}

    return {"phase": "stages, one page at a time", "articles": pages, "fetch": stage(fetch_s),
            "extract": stage(extract_s), "store": stage(store_s), "after store": stage(after_s),
            **{f"after store: {name}": stage(samples) for name, samples in per_stage.items() if samples},
            "peak_mb": peak_mb(), "seconds": sum(fetch_s) + sum(extract_s) + sum(store_s) + sum(after_s)}


def phase_peer(articles: int) -> dict:
    import httpx
    import trafilatura

    from newsdesk.ingest.fetching import make_fetcher

    server = start_outlets(articles)
    urls = []
    try:
        with make_fetcher(min_host_delay=0.0, allow_private=True) as fetcher:
            urls = [entry.url for _feed, entry in entries(server, fetcher)]
        started = time.perf_counter()
        extracted = 0
        # trafilatura's own fetch_url refuses loopback addresses, so its pages come through httpx.
        with httpx.Client() as client:
            for url in urls:
                html = client.get(url).text
                if html and trafilatura.extract(html, url=url, with_metadata=True):
                    extracted += 1
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    return {"phase": f"peer: httpx + trafilatura {trafilatura.__version__} extract, one at a time, no storage",
            "articles": extracted, "seconds": seconds, "per_second": extracted / seconds, "peak_mb": peak_mb()}


PHASES = {"end-to-end": phase_end_to_end, "stages": phase_stages, "peer": phase_peer}


def run_phase(name: str, articles: int) -> dict:
    """Run one phase in a fresh process with its own data directory; returns its figures."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as data_dir:
        out = subprocess.run([sys.executable, __file__, "--phase", name, "--articles", str(articles),
                              "--data-dir", data_dir], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"phase {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: dict[str, dict], articles: int) -> str:
    e2e, stages, peer = results["end-to-end"], results["stages"], results["peer"]
    lines = [
        "# Ingest benchmark",
        "",
        f"Demo outlets scaled to {articles} articles, served on 127.0.0.1; fresh SQLite database per phase; "
        f"{os.cpu_count()} CPU cores. `python bench/ingest.py --articles {articles}`.",
        "",
        "| Run | Articles | Seconds | Articles/s | Peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
        f"| {e2e['phase']} | {e2e['articles']} | {e2e['seconds']:.1f} | {e2e['per_second']:.1f} | {e2e['peak_mb']:.0f} |",
        f"| {stages['phase']} | {stages['articles']} | {stages['seconds']:.1f} | "
        f"{stages['articles'] / stages['seconds']:.1f} | {stages['peak_mb']:.0f} |",
        f"| {peer['phase']} | {peer['articles']} | {peer['seconds']:.1f} | {peer['per_second']:.1f} | {peer['peak_mb']:.0f} |",
        "",
        "Per stage (one page at a time; store is the article's own transaction, the stages after it",
        "are `ingest/stages.AFTER_STORE`, each timed on its own below it):",
        "",
        "| Stage | Pages/s | Median ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for name in ["fetch", "extract", "store", "after store", *(k for k in stages if k.startswith("after store: "))]:
        s = stages[name]
        lines.append(f"| {name} | {s['per_second']:.1f} | {s['median_ms']:.2f} | {s['p95_ms']:.2f} |")
    lines += ["", f"End-to-end failures: {e2e['failed']}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "ingest.md"))
    parser.add_argument("--only", choices=sorted(PHASES),
                        help="run this phase alone and print its figures, without writing --output")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        setup_django(args.data_dir)
        print(json.dumps(PHASES[args.phase](args.articles)))
        return
    if args.only:
        print(json.dumps(run_phase(args.only, args.articles), indent=2))
        return
    results = {name: run_phase(name, args.articles) for name in PHASES}
    text = report(results, args.articles)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
