"""X-Forwarded-* from the trusted reverse proxy, for whichever WSGI server runs the site.

From ``NEWSDESK_TRUSTED_PROXY`` (an address, or ``*``): a request from it takes the reader's
address, scheme and host from the headers it sets, counting ``NEWSDESK_TRUSTED_PROXY_COUNT``
proxies from the right of X-Forwarded-For. From anyone else those headers are dropped, so no
reader can claim another address (which the comment rate limit and login throttle count).
"""

from __future__ import annotations

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def _hop(value: str, count: int) -> str:
    hops = [hop.strip() for hop in value.split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else (hops[0] if hops else "")


class ProxyHeaders:
    def __init__(self, application, trusted: str, count: int = 1):
        self.application = application
        self.trusted = trusted.strip()
        self.count = max(1, count)

    def __call__(self, environ, start_response):
        forwarded = {name: environ.pop(name) for name in FORWARDED if name in environ}
        if self.trusted and (self.trusted == "*" or environ.get("REMOTE_ADDR") == self.trusted):
            client = _hop(forwarded.get("HTTP_X_FORWARDED_FOR", ""), self.count)
            if client:
                environ["REMOTE_ADDR"] = client
            scheme = _hop(forwarded.get("HTTP_X_FORWARDED_PROTO", ""), self.count).lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
            host = _hop(forwarded.get("HTTP_X_FORWARDED_HOST", ""), self.count)
            if host:
                environ["HTTP_HOST"] = host
        return self.application(environ, start_response)
