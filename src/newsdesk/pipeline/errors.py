"""Errors raised by pipeline stages. Each carries a message fit to show an editor."""


class PipelineError(Exception):
    """Base of every error a pipeline stage raises on bad input."""


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


class ExtractionError(PipelineError):
    """No article could be extracted from the page."""
