"""Reading saved pages out of WARC archives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .errors import PipelineError
from .model import Response

HTML_TYPES = ("text/html", "application/xhtml+xml")


class ArchiveError(PipelineError):
    """The file is not a readable WARC archive."""


def iter_warc_pages(stream: BinaryIO, *, max_bytes: int = 10 * 1024 * 1024) -> Iterator[Response | str]:
    """Yield each HTML response with status 200 in a WARC (gzipped or not) as a Response.

    A record that cannot be used yields a string saying why, so the caller can report it and go on.
    Raises ArchiveError when the stream is not a WARC at all.
    """
    records = 0
    try:
        for record in ArchiveIterator(stream):
            url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("uri") or ""
            if record.format.startswith("arc") and not url.startswith(("http://", "https://")):
                # warcio reads any text line as an old ARC header; a real one names an http URL.
                raise ArchiveError("not a WARC archive: the first record has no http(s) URL")
            records += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = record.http_headers.get_statuscode()
            content_type = record.http_headers.get_header("Content-Type") or ""
            if status != "200" or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
                continue
            content = record.content_stream().read(max_bytes + 1)
            if len(content) > max_bytes:
                yield f"{url}: page larger than {max_bytes} bytes, skipped"
                continue
            headers = {name.lower(): value for name, value in record.http_headers.headers}
            yield Response(url=url, status=200, headers=headers, content=content)
    except ArchiveLoadFailed as exc:
        raise ArchiveError(f"not a readable WARC archive: {exc}") from None
    if not records:
        # warcio reads bytes that are not an archive at all as an empty one.
        raise ArchiveError("not a WARC archive: no records found")
