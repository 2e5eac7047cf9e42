"""`newsdesk sources`: add, list, remove, import and export the outlets newsdesk follows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from newsdesk.ingest import services
from newsdesk.ingest.fetching import make_fetcher
from newsdesk.pipeline.errors import PipelineError
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = "Manage sources: add a feed or homepage, list them with their health, remove, import or export OPML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list,remove,import,export}")
        add = sub.add_parser("add", help="Follow a feed URL, or a homepage whose feed is discovered from its <link rel=alternate>.")
        add.add_argument("url")
        add.add_argument("--name", help="Source name (default: the feed's title).")
        add.add_argument("--category", help="Default category for its articles (created if missing).")
        add.add_argument("--allow-private", action="store_true",
                         help="Allow loopback and private addresses (an intranet or a local test outlet).")
        listing = sub.add_parser("list", help="Show every source with its health and article count.")
        listing.add_argument("--json", action="store_true", help="Print JSON for scripts.")
        remove = sub.add_parser("remove", help="Delete a source, its feeds and its articles.")
        remove.add_argument("name", help="Name, slug, id or feed URL.")
        imp = sub.add_parser("import", help="Add every feed listed in an OPML file.")
        imp.add_argument("file")
        imp.add_argument("--allow-private", action="store_true", help="As for add.")
        sub.add_parser("export", help="Print every source as OPML.")

    def handle(self, *args, action, **options):
        ensure_schema()
        getattr(self, f"do_{action}")(**options)

    def do_add(self, url, name=None, category=None, allow_private=False, **_):
        with make_fetcher() as fetcher:
            try:
                source = services.add_source(url, fetcher, name=name, category=category, allow_private=allow_private)
            except services.SourceError as exc:
                raise CommandError(str(exc)) from None
        feed = source.feeds.first()
        self.stdout.write(f"Added {source.name!r}: {feed.url} ({feed.kind or 'feed'}). "
                          "`newsdesk fetch` polls it now; `newsdesk run` polls it on schedule.")

    def do_list(self, json=False, **_):
        rows = services.source_rows()
        if json:
            keys = ("name", "url", "active", "articles", "last_error", "consecutive_failures")
            self.stdout.write(_json_dumps([{key: row[key] for key in keys} for row in rows]))
            return
        if not rows:
            self.stdout.write("No sources yet. Add one with `newsdesk sources add URL`.")
            return
        table = Table(show_lines=False)
        for column in ("Name", "Feed", "Active", "Articles", "Last fetch", "Failures", "Last error"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(row["name"], row["url"], "yes" if row["active"] else "no", str(row["articles"]),
                          (row["last_fetch"] or "never")[:19].replace("T", " "), str(row["consecutive_failures"]),
                          row["last_error"] or "")
        Console(file=self.stdout, width=160).print(table)

    def do_remove(self, name, **_):
        try:
            removed, count = services.remove_source(name)
        except services.SourceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Removed {removed!r} and its {count} articles.")

    def do_import(self, file, allow_private=False, **_):
        try:
            content = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        try:
            added, skipped = services.import_opml(content, allow_private=allow_private)
        except PipelineError as exc:
            raise CommandError(f"{file}: {exc}") from None
        for message in skipped:
            self.stderr.write(f"skipped {message}")
        self.stdout.write(f"Imported {added} sources ({len(skipped)} skipped).")

    def do_export(self, **_):
        self.stdout.write(services.export_opml(), ending="")


def _json_dumps(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
