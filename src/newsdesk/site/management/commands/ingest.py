"""`newsdesk ingest`: store saved HTML pages and WARC archives without fetching anything."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest import services
from newsdesk.pipeline.archive import ArchiveError, iter_warc_pages
from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.extraction import extract
from newsdesk.pipeline.model import FeedEntry, Response
from newsdesk.pipeline.urls import canonicalize, is_http_url
from newsdesk.site.management.base import ensure_schema
from newsdesk.site.sources.models import Source

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


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
        if url and (len(paths) > 1 or paths[0].endswith(WARC_SUFFIXES)):
            raise CommandError("--url applies to a single HTML file")
        if url and not is_http_url(url):
            raise CommandError(f"--url must be an http(s) URL, not {url!r}")
        try:
            fixed_source = services.find_source(source) if source else None
        except services.SourceError as exc:
            raise CommandError(str(exc)) from None
        counts = {services.NEW: 0, services.UPDATED: 0, services.UNCHANGED: 0, "failed": 0}
        touched: set[int] = set()
        for path in paths:
            for response_or_problem in self._responses(path, url):
                if isinstance(response_or_problem, str):
                    counts["failed"] += 1
                    self.stderr.write(response_or_problem)
                    continue
                outcome, source_id = self._store(response_or_problem, fixed_source)
                counts[outcome] += 1
                if source_id:
                    touched.add(source_id)
                if outcome == "failed":
                    self.stderr.write(f"{path}: no article text found in {response_or_problem.url}")
        for source_id in touched:
            services.refresh_template(source_id, reextract=True)
        self.stdout.write(f"articles: {counts['new']} new, {counts['updated']} updated, "
                          f"{counts['unchanged']} unchanged, {counts['failed']} failed")

    def _responses(self, path: str, url: str | None):
        file = Path(path)
        if not file.is_file():
            yield f"{path}: no such file"
            return
        if path.endswith(WARC_SUFFIXES):
            try:
                with file.open("rb") as stream:
                    yield from iter_warc_pages(stream)
            except ArchiveError as exc:
                yield f"{path}: {exc}"
            return
        content = file.read_bytes()
        page_url = url or _declared_url(content)
        if not page_url:
            yield f"{path}: the page names no canonical URL; give its original address with --url"
            return
        yield Response(url=page_url, status=200, headers={"content-type": "text/html"}, content=content)

    def _store(self, response: Response, fixed_source: Source | None) -> tuple[str, int | None]:
        source = fixed_source or _site_source(response.url)
        entry = FeedEntry(url=response.url)
        try:
            page = services.page_from_response(source.pk, entry, response, services.extract_options_for(source))
        except PipelineError:
            page = None
        if page is None:
            return "failed", None
        outcome, _ = services.store_article(page)
        return outcome, source.pk


def _declared_url(content: bytes) -> str | None:
    try:
        declared = extract(decode(content)[0]).canonical_url
    except PipelineError:
        return None
    return declared if declared and is_http_url(declared) else None


def _site_source(url: str) -> Source:
    """The source for a site's saved pages: one per host, inactive since it has no feed to poll."""
    host = urlsplit(canonicalize(url)).hostname or "saved pages"
    source, _ = Source.objects.get_or_create(
        name=host, defaults={"homepage": f"{urlsplit(url).scheme}://{host}/", "active": False})
    return source
