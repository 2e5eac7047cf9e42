"""Build the pipeline's HTTP client from newsdesk's settings."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from newsdesk.pipeline.fetch import Fetcher, FetchOptions


def fetch_options(**overrides) -> FetchOptions:
    """FetchOptions from the settings table; keyword overrides win."""
    conf = settings.NEWSDESK
    options = FetchOptions(max_bytes=int(conf["MAX_BODY_BYTES"]))
    if conf["USER_AGENT"]:
        options = replace(options, user_agent=str(conf["USER_AGENT"]))
    return replace(options, **overrides) if overrides else options


def make_fetcher(**overrides) -> Fetcher:
    """A new Fetcher configured from settings. The caller closes it (it is a context manager)."""
    return Fetcher(fetch_options(**overrides))
