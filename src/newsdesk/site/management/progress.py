"""Polling with a progress bar, for the commands that poll while a person watches (fetch, demo)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newsdesk.ingest.poller import poll_many
from newsdesk.ingest.polling import PollResult


def poll_with_progress(ids: list[int], *, fetcher=None, verbosity: int = 1) -> list[PollResult]:
    """``poller.poll_many`` with a progress bar on stderr and each failed source named."""
    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=verbosity == 0, transient=True)
    with progress:
        task = progress.add_task("Fetching sources", total=len(ids))

        def arrived(result: PollResult) -> None:
            progress.advance(task)
            if not result.ok and verbosity:
                console.print(f"[red]{result.source_name}[/red]: {result.error}")

        return poll_many(ids, fetcher=fetcher, on_result=arrived)
