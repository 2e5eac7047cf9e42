"""What the newsdesk commands share."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime, time, timezone as dt_timezone

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


#: The PostgreSQL advisory lock key that serialises schema migrations between processes.
MIGRATION_LOCK = 0x6E657773  # "news"


def ensure_schema() -> None:
    """Apply pending migrations, so every command works on a fresh data directory.

    Processes started together on one new database (a worker and a scheduler, say) take turns:
    the first migrates, the others wait for it and then find nothing left to do."""
    with _migration_turn():
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def _migration_turn():
    """Hold a lock across processes while migrating: an advisory lock on PostgreSQL, a lock file
    named after the database on SQLite (which would otherwise fail one of two migrations with 'table
    already exists')."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name.startswith(":memory:") or "mode=memory" in name:
        yield
        return
    import fcntl  # POSIX only; PostgreSQL above needs no file

    # In the temporary folder, not beside the database: the data directory holds only what a
    # backup keeps.
    digest = hashlib.sha1(os.path.abspath(name).encode("utf-8")).hexdigest()[:16]
    with open(os.path.join(tempfile.gettempdir(), f"newsdesk-migrate-{digest}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def add_since_argument(parser) -> None:
    """``--since DATE``, for the commands that work over stored articles (see ``since_filter``)."""
    parser.add_argument("--since", help="only articles published or fetched on or after this date "
                                        "(YYYY-MM-DD or ISO time)")


def since_filter(query: QuerySet, value: str | None) -> QuerySet:
    """``query``'s articles published on or after ``value`` (or fetched then, when undated); all when None."""
    if not value:
        return query
    moment = parse_since(value)
    return query.filter(Q(published_at__gte=moment) | Q(published_at__isnull=True, fetched_at__gte=moment))


def parse_since(value: str) -> datetime:
    """A date or date-time given on the command line, made timezone-aware (UTC when naive)."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD) or ISO date-time")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt_timezone.utc)
