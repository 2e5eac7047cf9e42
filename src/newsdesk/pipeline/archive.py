"""Reading saved pages out of WARC archives."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParser

from .errors import ArchiveError, unexpected_errors
from .model import Response

__all__ = ["ArchiveError", "HTML_TYPES", "MAX_INFLATION", "iter_warc_pages"]

HTML_TYPES = ("text/html", "application/xhtml+xml")

MAX_INFLATION = 100
"""How many times its compressed size one gzip member of an archive may inflate to.

Counted once a member has given its first ``_INFLATION_ALLOWANCE`` bytes; HTML inflates to
some five to fifteen times its size, a decompression bomb to about a thousand. An archive
with a member past the limit is refused with ArchiveError (the pages before it are yielded).
"""
_INFLATION_ALLOWANCE = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_READ_SIZE = 64 * 1024

# verify=False: the status line is read as it is, as warcio's own reader does by default.
_HTTP_HEADERS = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


def iter_warc_pages(stream: BinaryIO, *, max_bytes: int = 10 * 1024 * 1024) -> Iterator[Response | str]:
    """Yield each HTML response with status 200 in a WARC (gzipped or not) as a Response.

    A record that cannot be used yields a string saying why, so the caller can report it and go on.
    Raises ArchiveError when the stream is not a WARC at all, or a gzip member of it inflates
    past ``MAX_INFLATION`` times its size.
    """
    with unexpected_errors(ArchiveError, "this archive"):
        yield from _pages(stream, max_bytes)


def _pages(stream: BinaryIO, max_bytes: int) -> Iterator[Response | str]:
    records = 0
    try:
        # warcio reads the records, but gzip is undone here, in bounded steps, and the HTTP
        # headers are read below: warcio's own reading of them fails on a record without a URI.
        for record in ArchiveIterator(_Inflated(stream), no_record_parse=True):
            url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("uri") or ""
            if record.format.startswith("arc") and not url.startswith(("http://", "https://")):
                # warcio reads any text line as an old ARC header; a real one names an http URL.
                raise ArchiveError("not a WARC archive: the first record has no http(s) URL")
            records += 1
            if record.rec_type != "response" or not url.startswith(("http://", "https://")):
                continue
            try:
                record.http_headers = _HTTP_HEADERS.parse(record.raw_stream)
            except EOFError:
                yield f"{url}: response record without an HTTP response, skipped"
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


class _Inflated:
    """A binary stream with its gzip members inflated, read as an uncompressed archive.

    warcio would inflate each read of a bomb at once (16 KiB in, up to 16 MiB out) and gather a
    header line that never ends into one string; here each member is inflated in pieces and
    refused once it passes ``MAX_INFLATION`` times its compressed size. Bytes that are not gzip
    pass through unchanged.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._pending = b""  # compressed bytes read but not yet inflated
        self._inflate: zlib._Decompress | None = None  # the member being inflated
        self._plain = False  # the rest of the stream is not gzip
        self._member_in = 0
        self._member_out = 0
        self._output_waiting = False  # zlib holds output of input it has already taken
        self._position = 0

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size > 0 else None
        parts, got = [], 0
        while want is None or got < want:
            piece = self._piece(_READ_SIZE if want is None else min(want - got, _READ_SIZE))
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        data = b"".join(parts)
        self._position += len(data)
        return data

    def _piece(self, limit: int) -> bytes:
        while True:
            if self._plain or self._inflate is None:
                if not self._fill(len(_GZIP_MAGIC)):
                    return b""
                if self._plain or not self._pending.startswith(_GZIP_MAGIC):
                    self._plain = True
                    piece, self._pending = self._pending[:limit], self._pending[limit:]
                    return piece
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._member_in = self._member_out = 0
            if not self._output_waiting and not self._fill(1):
                self._inflate = None  # cut off inside a member: what was inflated is all there is
                return b""
            piece = self._inflate_some(limit)
            if piece:
                return piece

    def _inflate_some(self, limit: int) -> bytes:
        data = self._pending
        try:
            piece = self._inflate.decompress(data, limit)
        except zlib.error as exc:
            raise ArchiveError(
                f"the archive's gzip data is corrupt near byte {self._position}: {exc}") from None
        self._output_waiting = len(piece) == limit
        if self._inflate.eof:
            self._pending = self._inflate.unused_data
            self._inflate = None
            self._output_waiting = False
        else:
            self._pending = self._inflate.unconsumed_tail
        self._member_in += len(data) - len(self._pending)
        self._member_out += len(piece)
        if self._member_out > _INFLATION_ALLOWANCE and self._member_out > MAX_INFLATION * self._member_in:
            raise ArchiveError(
                f"a gzip member of the archive inflates to more than {MAX_INFLATION} times its "
                f"size (a decompression bomb?); stopped after {self._member_out} bytes")
        return piece

    def _fill(self, count: int) -> bool:
        """Read until ``count`` bytes are pending or the stream ends; whether any are."""
        while len(self._pending) < count:
            more = self._raw.read(_READ_SIZE)
            if not more:
                break
            self._pending += more
        return bool(self._pending)
