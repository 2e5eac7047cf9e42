"""Build the pipeline's HTTP client from newsdesk's settings."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from newsdesk.pipeline.fetch import Fetcher, FetchOptions


def distributed() -> bool:
    """Whether ingest runs on workers over a broker (``NEWSDESK_BROKER_URL`` set)."""
    return bool(settings.NEWSDESK["BROKER_URL"])


def fetch_options(**overrides) -> FetchOptions:
    """FetchOptions from the settings table; keyword overrides win."""
    conf = settings.NEWSDESK
    options = FetchOptions(max_bytes=int(conf["MAX_BODY_BYTES"]))
    if conf["USER_AGENT"]:
        options = replace(options, user_agent=str(conf["USER_AGENT"]))
    return replace(options, **overrides) if overrides else options


def make_fetcher(*, max_wait: float | None = None, **overrides) -> Fetcher:
    """A new Fetcher configured from settings. The caller closes it (it is a context manager).

    With a broker configured, its politeness toward each host and its robots.txt are shared with
    every other process through the database (``coordination``); ``max_wait`` then bounds how
    long it waits for a host's turn before raising ``HostBusy``.
    """
    options = fetch_options(**overrides)
    if not distributed():
        return Fetcher(options)
    from . import coordination

    gates = coordination.SharedGates(options.per_host_concurrency, options.min_host_delay, max_wait=max_wait)
    return Fetcher(options, gates=gates, robots=coordination.SharedRobots(options.robots_ttl))
