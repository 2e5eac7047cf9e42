"""`newsdesk backup PATH`: the database and the data directory's own files in one archive."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsdesk.site.backup import BackupError, backup
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Write one archive holding the database (SQLite's online backup, or pg_dump's custom format "
            "on PostgreSQL) and the data directory's own files: the secret key, the theme folder and "
            "the rest, leaving out the page cache and collected static files. Safe while the site runs "
            "and polls. Restore it with `newsdesk restore PATH` into an empty data directory.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write, e.g. backups/site-2026-12-01.newsdesk")

    def handle(self, *args, path, **options):
        ensure_schema()
        start = time.monotonic()
        try:
            summary = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.expanduser().stat().st_size
        self.stdout.write(f"Backed up {summary} to {path} ({size / 1e6:.1f} MB, {time.monotonic() - start:.1f} s).")
