"""Fixtures shared across test tiers: a local HTTP server, a test outlet on it, and a fetcher."""

from __future__ import annotations

import pytest

from newsdesk.pipeline.fetch import Fetcher, FetchOptions
from tests.support.httpserver import LocalServer


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def fetcher():
    """A fetcher with no politeness delay and short timeouts, as tests run against 127.0.0.1."""
    options = FetchOptions(min_host_delay=0.0, connect_timeout=2.0, read_timeout=2.0, robots_ttl=0.0)
    with Fetcher(options) as client:
        yield client
