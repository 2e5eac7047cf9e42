"""Saved pages and WARC archives stored as articles, without fetching anything (`newsdesk ingest`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from newsdesk.pipeline.archive import ArchiveError, iter_warc_pages
from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.extraction import extract
from newsdesk.pipeline.model import FeedEntry, Response
from newsdesk.pipeline.urls import canonicalize, is_http_url
from newsdesk.site.sources.models import Source

from .polling import page_from_response
from .store import NEW, UNCHANGED, UPDATED, store_article
from .templates import extract_options_for, refresh_template

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
FAILED = "failed"


def responses(path: str, url: str | None = None) -> Iterator[Response | str]:
    """The pages a file holds, as responses; a string for each problem (the file named in it)."""
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
    page_url = url or declared_url(content)
    if not page_url:
        yield f"{path}: the page names no canonical URL; give its original address with --url"
        return
    yield Response(url=page_url, status=200, headers={"content-type": "text/html"}, content=content)


def store_response(response: Response, fixed_source: Source | None = None) -> tuple[str, int | None]:
    """Extract and store one saved page; returns (NEW/UPDATED/UNCHANGED or FAILED, source id)."""
    source = fixed_source or site_source(response.url)
    try:
        page = page_from_response(source.pk, FeedEntry(url=response.url), response, extract_options_for(source))
    except PipelineError:
        page = None
    if page is None:
        return FAILED, None
    outcome, _ = store_article(page)
    return outcome, source.pk


def store_files(paths: list[str], url: str | None = None, fixed_source: Source | None = None,
                report=lambda problem: None) -> dict[str, int]:
    """Store every page of these files; each problem goes to ``report``. Returns counts by outcome.
    The template of each source that got pages is learned again, and its pages re-extracted."""
    counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, FAILED: 0}
    touched: set[int] = set()
    for path in paths:
        for item in responses(path, url):
            if isinstance(item, str):
                counts[FAILED] += 1
                report(item)
                continue
            outcome, source_id = store_response(item, fixed_source)
            counts[outcome] += 1
            if source_id:
                touched.add(source_id)
            if outcome == FAILED:
                report(f"{path}: no article text found in {item.url}")
    for source_id in touched:
        refresh_template(source_id, reextract=True)
    return counts


def declared_url(content: bytes) -> str | None:
    try:
        declared = extract(decode(content)[0]).canonical_url
    except PipelineError:
        return None
    return declared if declared and is_http_url(declared) else None


def site_source(url: str) -> Source:
    """The source for a site's saved pages: one per host, inactive since it has no feed to poll."""
    host = urlsplit(canonicalize(url)).hostname or "saved pages"
    source, _ = Source.objects.get_or_create(
        name=host, defaults={"homepage": f"{urlsplit(url).scheme}://{host}/", "active": False})
    return source
