"""One number that changes whenever published content changes; cached pages are keyed by it.

The number lives in the shared cache, so every server process sees a change made by any other
process (the poller, the admin, a command). Pages cached under an older number are simply never
read again and expire on their own.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

KEY = "newsdesk:content-version"


def current() -> int:
    """The current content version."""
    version = cache.get(KEY)
    if version is None:
        # A fresh start (or an evicted key) begins at the clock, so it never repeats a number
        # that pages may still be cached under.
        cache.add(KEY, time.time_ns(), timeout=None)
        version = cache.get(KEY, 0)
    return version


def bump() -> None:
    """Move to a new version now, so the next request renders every page again."""
    try:
        cache.incr(KEY)
    except ValueError:
        cache.set(KEY, time.time_ns(), timeout=None)


def bump_after_commit() -> None:
    """Bump now, and again once the current transaction commits (just once outside one).

    The bump after the commit happens once per transaction, however many changes it made, and is
    the one that matters: a request that renders between the
    write and the commit still sees the old rows and caches them under the first new version.
    The bump now covers readers on the same connection, who see the change at once.
    """
    bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(callback is bump for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(bump)
