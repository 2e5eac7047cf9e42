"""`newsdesk restore PATH`: a backup made by `newsdesk backup`, into an empty data directory."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from newsdesk.site.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore an archive written by `newsdesk backup` into the configured data directory and "
            "database, which must both be empty (a new NEWSDESK_DATA_DIR; on PostgreSQL a new database "
            "in NEWSDESK_DATABASE_URL). A backup of an older newsdesk is migrated forward.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `newsdesk backup`")

    def handle(self, *args, path, **options):
        start = time.monotonic()
        try:
            summary = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Restored {summary} into {settings.DATA_DIR} ({time.monotonic() - start:.1f} s).")
