"""`newsdesk fetch`: poll due sources once, with a progress bar and a summary line."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newsdesk.ingest import services, tasks
from newsdesk.ingest.fetching import make_fetcher
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.sources.models import Source


class Command(BaseCommand):
    help = "Poll the sources that are due once (or every source with --all) and store new articles."

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", metavar="NAME",
                            help="Poll this source now, due or not (name, slug, id or feed URL; repeatable).")
        parser.add_argument("--all", action="store_true", help="Poll every active source now, due or not.")

    def handle(self, *args, source=None, all=False, **options):
        ensure_schema()
        if source:
            try:
                ids = [services.find_source(key).pk for key in source]
            except services.SourceError as exc:
                raise CommandError(str(exc)) from None
        elif all:
            ids = list(Source.objects.filter(active=True).values_list("pk", flat=True))
        else:
            ids = services.due_sources()
        if not ids:
            self.stdout.write("Nothing to fetch: no source is due (use --all to poll every source).")
            return
        started = time.monotonic()
        results = poll_many(ids, verbosity=options["verbosity"])
        self.stdout.write(summary_line(results, time.monotonic() - started))


def poll_many(ids: list[int], *, fetcher=None, verbosity: int = 1) -> list[services.PollResult]:
    """Poll sources concurrently with one shared fetcher; returns their results in completion order."""
    workers = max(1, min(len(ids), int(settings.NEWSDESK["FETCH_CONCURRENCY"]) // 2 or 1))
    results: list[services.PollResult] = []
    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=verbosity == 0, transient=True)
    own_fetcher = fetcher is None
    fetcher = fetcher or make_fetcher()
    try:
        with progress, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll") as pool:
            task = progress.add_task("Fetching sources", total=len(ids))
            futures = [pool.submit(_poll, source_id, fetcher) for source_id in ids]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                progress.advance(task)
                if not result.ok and verbosity:
                    console.print(f"[red]{result.source_name}[/red]: {result.error}")
    finally:
        if own_fetcher:
            fetcher.close()
    return results


def _poll(source_id: int, fetcher) -> services.PollResult:
    try:
        return tasks.poll_source(source_id, fetcher)
    finally:
        close_old_connections()


def summary_line(results: list[services.PollResult], seconds: float) -> str:
    ok = sum(1 for r in results if r.ok)
    return (f"sources: {ok} ok, {len(results) - ok} failed; articles: {sum(r.new for r in results)} new, "
            f"{sum(r.updated for r in results)} updated, {sum(r.unchanged for r in results)} unchanged, "
            f"{sum(r.failed for r in results)} failed; {seconds:.1f} s")
