"""The Markdown report of ``bench/serve.py``: the figures, each beside its target."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from serving.wrk import Result

LABELS = {
    "static-start": "article as a static file (the ceiling)",
    "static-plain-start": "the same, uncompressed",
    "static-end": "article as a static file, again at the end",
    "static-plain-end": "the same, uncompressed, at the end",
    "start": "start",
    "uncached": "2,000 different articles, uncached (one pass)",
    "warm": "warm-up (not reported)",
    "rotation": "the 2,000 articles, cached",
    "home": "home",
    "article": "article",
    "article-plain": "article, uncompressed",
    "category": "category",
    "search": "search",
    "rotation-1s": "the 2,000 while 1 article/s is stored",
    "rotation-bulk": "the 2,000 during a bulk import",
}
CACHED = {"home", "article", "article-plain", "category"}
# The targets of the serving work, on 2 cores with wrk on the same cores.
TARGETS = {"article": 0.20, "front-article": 0.80, "uncached": 400, "search": 300, "rotation-1s": 0.70,
           "rotation-bulk": 0.35, "p99": 20.0}
WORDPRESS = ("WordPress 6.1 with PHP 8.2 behind nginx's fastcgi_cache reached 18,800 requests/s, about 80 % of "
             "nginx's static ceiling, with a p99 of 7.7 ms, on the same kind of machine (14–31 requests/s "
             "without a page cache).")


@dataclass
class Row:
    group: str  # "nginx", a server's name, or "nginx + NAME" for the front
    kind: str  # a key of LABELS
    path: str
    result: Result | None
    error: str = ""
    note: str = ""  # e.g. how many articles the writer stored meanwhile


@dataclass
class Server:
    name: str
    error: str = ""
    banner: list = field(default_factory=list)  # the first line the server printed
    headers: dict = field(default_factory=dict)  # of the article page, asked with gzip
    headers_plain: dict = field(default_factory=dict)
    peak_mb: float = 0.0


def _mean(rows: list[Row], kinds: tuple[str, ...]) -> float:
    found = [row.result.rps for row in rows if row.kind in kinds and row.group == "nginx" and row.result]
    return sum(found) / len(found) if found else 0.0


def _verdict(value: float, goal: float, higher: bool = True) -> str:
    return "met" if (value >= goal if higher else value < goal) else "not met"


def target(row: Row, rows: list[Row]) -> str:
    """The row's figure against its target, e.g. "23 % of static (≥ 20 %): met"."""
    result = row.result
    if result is None:
        return ""
    front = row.group.startswith("nginx +")
    ceiling = _mean(rows, ("static-start", "static-end"))
    ceiling_plain = _mean(rows, ("static-plain-start", "static-plain-end"))
    parts = []
    if row.kind == "article" and ceiling:
        goal = TARGETS["front-article" if front else "article"]
        share = result.rps / ceiling
        parts.append(f"{share:.0%} of static (≥ {goal:.0%}): {_verdict(share, goal)}")
    elif row.kind == "article-plain" and ceiling_plain:
        parts.append(f"{result.rps / ceiling_plain:.0%} of static uncompressed")
    elif row.kind in ("home", "category") and ceiling:
        parts.append(f"{result.rps / ceiling:.0%} of static")
    elif row.kind in ("uncached", "search"):
        goal = TARGETS[row.kind]
        parts.append(f"{result.rps / goal:.0%} of {goal}/s: {_verdict(result.rps, goal)}")
    elif row.kind in ("rotation-1s", "rotation-bulk"):
        quiet = next((r.result for r in rows if r.group == row.group and r.kind == "rotation" and r.result), None)
        if quiet:
            kept, goal = result.rps / quiet.rps, TARGETS[row.kind]
            parts.append(f"keeps {kept:.0%} (≥ {goal:.0%}): {_verdict(kept, goal)}")
    if row.kind in CACHED:
        parts.append(f"p99 < {TARGETS['p99']:.0f} ms: {_verdict(result.p99, TARGETS['p99'], higher=False)}")
    return "; ".join(parts).replace("%", " %")


def _figures(row: Row) -> list[str]:
    result = row.result
    if result is None:
        return ["–", "–", "–", "–"]
    errors = f"{result.non_2xx:,}" + (f" (+{result.socket_errors:,} socket errors)" if result.socket_errors else "")
    return [f"{result.rps:,.0f}", f"{result.p50:.2f}", f"{result.p99:.2f}", errors]


def paths_line(rows: list[Row]) -> str:
    """Which path each kind of row asked for, said once."""
    seen = {}
    for row in rows:
        if row.path.startswith("/") and row.kind in ("home", "article", "category", "search", "static-start"):
            seen.setdefault(LABELS[row.kind].split(" (")[0], row.path)
    return "Paths: " + "; ".join(f"{name} `{path}`" for name, path in seen.items()) + "."


def results_table(rows: list[Row]) -> list[str]:
    lines = ["| server | page | requests/s | p50 ms | p99 ms | non-2xx | against the target |",
             "|---|---|---:|---:|---:|---:|---|"]
    for row in rows:
        page = LABELS[row.kind]
        if row.note:
            page += f" ({row.note})"
        if row.error:
            page += f": {row.error}".replace("|", "\\|")[:600]
        lines.append("| " + " | ".join([row.group, page, *_figures(row), target(row, rows)]) + " |")
    return lines


def servers_table(servers: list[Server]) -> list[str]:
    lines = ["| server | peak RSS, MB | what it printed at start |", "|---|---:|---|"]
    for server in servers:
        # The address is the bench's own free port: not part of the result.
        said = re.sub(r" http://\S+", "", " ".join(server.banner)) or server.error[:300]
        peak = f"{server.peak_mb:,.0f}" if server.peak_mb else "–"
        lines.append(f"| {server.name} | {peak} | {said.replace('|', '/')} |")
    return lines


def headers_table(servers: list[Server]) -> list[str]:
    names = ["status", "bytes", "Content-Encoding", "Cache-Control", "ETag", "X-Accel-Expires", "Vary", "Set-Cookie",
             "If-None-Match", "X-Cache-Status"]
    lines = ["| server | asked | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    if not any(server.headers for server in servers):
        return ["No server answered the article page."]
    for server in servers:
        for asked, headers in (("gzip", server.headers), ("plain", server.headers_plain)):
            if headers:
                cells = [(headers.get(name) or "–").replace("|", "/") for name in names]
                lines.append(f"| {server.name} | {asked} | " + " | ".join(cells) + " |")
    return lines


def method(args, versions: dict[str, str]) -> list[str]:
    seconds = args.duration
    return [
        "## Method",
        "",
        f"One run of `python bench/serve.py` ({args.total_seconds / 60:.1f} minutes): {args.articles:,} generated "
        f"articles stored in bulk ({args.populate_seconds:.0f} s) into a fresh data directory on "
        f"{versions['database']}. wrk runs {args.threads} threads and {args.connections} connections for "
        f"{seconds:g} s per row and sends `Accept-Encoding: gzip` as browsers do, except on the rows marked "
        "uncompressed. wrk, the server under test, nginx and the writer all share the "
        f"{os.cpu_count()} CPUs of one machine, so a row's figure depends on what else runs there; the "
        "ceiling is measured at the start and at the end to show how much that moved during the run.",
        "",
        "- **Ceiling**: nginx serves the article page's HTML (as newsdesk renders it for an anonymous reader) as "
        "a file, with a gzipped copy for `gzip_static`, `sendfile` on and no access log. The article rows are "
        "compared with the mean of its two runs.",
        f"- **Servers**: each is a fresh `newsdesk run --server NAME --workers {args.workers} --no-poll` process, "
        "so its page cache starts empty (the bench also clears the shared cache before it starts). The 2,000 "
        "different articles are the 2,000 newest, split between wrk's threads; in the uncached row each is asked "
        "exactly once and the row ends when the pass does (requests/s is requests over the pass's wall time). "
        f"The same rotation then runs four more passes unreported, so that every worker process holds nearly every page, and once measured. Home, "
        "article, category and search are each asked a few times before their row.",
        "- **Writes**: a separate process stores generated articles through `newsdesk.ingest.services."
        "store_article`, the poller's own path with copies, entities and stories after each store, once a "
        "second or back to back; each store changes what the home page and the category show. What it "
        "stored is deleted after each server, so each server is measured on the same articles. "
        "\"keeps\" is the busy rotation's requests/s over the quiet one's of the same server.",
        "- **Front**: `deploy/nginx/newsdesk.conf` as documented, with the bench's ports and directories "
        "substituted, before a fresh process of the server that was fastest at the cached article "
        "(`NEWSDESK_TRUSTED_PROXY=127.0.0.1`). Its cache directory is on the data directory's disk.",
        "- **Memory**: the resident memory of the server's processes (and nginx's, for the front) summed, sampled "
        "four times a second while its rows ran; pages shared between forked workers count once per process.",
        "",
        "Versions: " + ", ".join(f"{name} {value}" for name, value in versions.items() if name != "database")
        + f", {versions['database']}, Linux {os.uname().release.split('-')[0]}.",
        "",
        "## Compared with WordPress",
        "",
        WORDPRESS + " The front's article row above is the figure to set beside it; both are percentages of "
        "nginx's own static ceiling on the same machine, which is what makes them comparable.",
        "",
    ]


def write(out: Path, args, rows: list[Row], servers: list[Server], versions: dict[str, str]) -> None:
    lines = [
        "# Serving benchmark",
        "",
        f"`python bench/serve.py` on {datetime.now(timezone.utc):%Y-%m-%d}: {args.articles:,} articles, "
        f"{versions['database']}, {os.cpu_count()} CPUs shared by wrk ({args.threads} threads, "
        f"{args.connections} connections, {args.duration:g} s per row) and the servers. Targets: cached article "
        "≥ 20 % of nginx's static file, ≥ 80 % behind the nginx front; 2,000 articles uncached ≥ 400 requests/s; "
        "search ≥ 300 requests/s; the rotation keeps ≥ 70 % while one article a second arrives, ≥ 35 % during a "
        "bulk import; p99 < 20 ms for cached pages.",
        "",
        paths_line(rows),
        "",
        *results_table(rows),
        "",
        "## Memory",
        "",
        *servers_table(servers),
        "",
        "## The article page's headers",
        "",
        "As each server sent them to an anonymous reader (\"If-None-Match\": the status of the same request "
        "with the ETag it got).",
        "",
        *headers_table(servers),
        "",
        *method(args, versions),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
