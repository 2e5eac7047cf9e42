"""`newsdesk ingest`: store saved HTML pages and WARC archives without fetching anything."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest import archives, services
from newsdesk.pipeline.urls import is_http_url
from newsdesk.site.management.base import ensure_schema


class Command(BaseCommand):
    help = ("Store saved HTML pages and WARC archives as articles. Each page's URL comes from --url, "
            "else from the page's own canonical link; WARC records carry theirs.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="HTML files or WARC archives (.warc, .warc.gz).")
        parser.add_argument("--url", help="The original URL of the page (only with a single HTML file).")
        parser.add_argument("--source", metavar="NAME",
                            help="Store under this existing source (default: a source per site, created as needed).")

    def handle(self, *args, paths, url=None, source=None, **options):
        ensure_schema()
        if url and (len(paths) > 1 or paths[0].endswith(archives.WARC_SUFFIXES)):
            raise CommandError("--url applies to a single HTML file")
        if url and not is_http_url(url):
            raise CommandError(f"--url must be an http(s) URL, not {url!r}")
        try:
            fixed_source = services.find_source(source) if source else None
        except services.SourceError as exc:
            raise CommandError(str(exc)) from None
        counts = archives.store_files(paths, url, fixed_source, report=self.stderr.write)
        self.stdout.write(f"articles: {counts['new']} new, {counts['updated']} updated, "
                          f"{counts['unchanged']} unchanged, {counts['failed']} failed")
