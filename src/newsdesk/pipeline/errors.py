"""Errors raised by pipeline stages. Each carries a message fit to show an editor.

Every public function of the pipeline raises only these, whatever its input: its own checks
raise the specific error, and ``unexpected_errors`` at its boundary turns anything they did not
foresee into the stage's error, marked ``unexpected`` (a bug to report, never a reason to crash).
"""

from __future__ import annotations

from contextlib import ContextDecorator


class PipelineError(Exception):
    """Base of every error a pipeline stage raises on bad input.

    ``unexpected`` is True when the error stands for an exception the stage did not foresee;
    the original is chained as ``__cause__``.
    """

    unexpected: bool = False


class FetchError(PipelineError):
    """A URL could not be fetched. ``retry_after`` is seconds the server asked us to wait, if any."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.url = url
        self.status = status
        self.retry_after = retry_after


class BlockedAddress(FetchError):
    """The host resolves to a loopback, private, link-local or otherwise non-public address."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids our user agent from this URL."""


class TooLarge(FetchError):
    """The body passed the size limit while streaming."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect loop."""


class HTTPStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""


class Timeout(FetchError):
    """Connecting or reading took longer than the limit."""


class FeedError(PipelineError):
    """The bytes are not a feed or sitemap newsdesk can read."""


class OPMLError(FeedError):
    """The bytes are not an OPML subscription list newsdesk can read."""


class ExtractionError(PipelineError):
    """No article could be extracted from the page."""


class ArchiveError(PipelineError):
    """The file is not a readable WARC archive."""


class DecodeError(PipelineError):
    """The bytes could not be turned into text."""


class TooComplex(PipelineError):
    """The input nests deeper, or would expand further, than the pipeline's limits allow."""


class FeedTooComplex(FeedError, TooComplex):
    """A feed or sitemap beyond the limits: JSON nested past the interpreter's recursion limit,
    XML nested past libxml2's 256 levels, or entities that would expand it many times over."""


class PageTooComplex(ExtractionError, TooComplex):
    """A page with no article text before it nests past ``extraction.dom.MAX_DEPTH``."""


class unexpected_errors(ContextDecorator):  # noqa: N801 - used like a function: @unexpected_errors(...)
    """Turn an exception a stage did not foresee into ``error``, the stage's PipelineError.

    The last line of defence at a public function's boundary, in addition to the checks that
    raise specific errors: a parsing library's bug on odd input becomes an error the caller
    reports for that one input. MemoryError, KeyboardInterrupt and SystemExit pass through.
    """

    def __init__(self, error: type[PipelineError], what: str):
        self.error = error
        self.what = what

    def __enter__(self) -> unexpected_errors:
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        foreseen = isinstance(exc, (PipelineError, MemoryError))
        if exc is None or foreseen or not isinstance(exc, Exception):
            return False
        if isinstance(exc, RecursionError):
            message = f"{self.what} is nested too deeply to read"
        else:
            message = f"{self.what} could not be read ({type(exc).__name__}: {exc})"
        error = self.error(message)
        error.unexpected = True
        raise error from exc
