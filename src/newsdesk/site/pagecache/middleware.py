"""Store what cached views rendered, answer conditional requests, compress, and say who may cache.

Outermost in ``MIDDLEWARE``, so a page is stored with the headers every other middleware
added (the Content Security Policy, X-Frame-Options, ...) and the first layer
(``front.PageCacheFront``) can answer it later without running any of them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware

from . import clock, store
from .clock import slot_of
from .store import Page, build

# Recomputed for each response, never stored with a page.
UNSTORED = {"content-length", "content-encoding", "etag", "vary", "set-cookie", "cache-control", "x-accel-expires"}
PRIVATE = "private, no-cache"


def _compressible(content_type: str) -> bool:
    """Text, not pictures or fonts (compressed already)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(("json", "xml", "javascript"))


def public_headers(page: Page, etag: str, encoding: str | None) -> dict[str, str]:
    """The headers that let browsers and a proxy cache keep ``page`` (and ask again with its ETag)."""
    headers = {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "public, max-age=0, must-revalidate",
               "X-Accel-Expires": str(int(settings.NEWSDESK["PROXY_CACHE_SECONDS"]))}
    if encoding:
        headers["Content-Encoding"] = encoding
    return headers


def not_modified(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


class PageCacheMiddleware:
    """Also compresses every other response, as Django's GZipMiddleware does."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        page = getattr(response, "_pagecache_hit", None)
        if page is None:
            plan = getattr(response, "_pagecache_plan", None)
            if plan is None or response.cookies or getattr(response, "_pagecache_private", False):
                if not response.has_header("Cache-Control"):
                    response["Cache-Control"] = PRIVATE
                if "public" not in response["Cache-Control"]:
                    response["X-Accel-Expires"] = "0"  # a proxy cache in front never keeps it
                if _compressible(response.get("Content-Type", "")):
                    return self.gzip.process_response(request, response)
                return response
            page = self._store(plan, response)
        return respond(request, page)

    @staticmethod
    def _store(plan, response: HttpResponse) -> Page:
        ticking = clock()
        slots = tuple(sorted({slot_of(tag) for tag in plan.tags}))
        versions = ticking.versions(slots)
        headers = [(k, v) for k, v in response.items() if k.lower() not in UNSTORED]
        page = build(response.status_code, headers, response.content, slots, versions, plan.timeout,
                     volatile=plan.volatile)
        # Something changed while the page rendered: it may show the old state, so it is served
        # to this reader but not kept.
        if ticking.sequence() == plan.sequence:
            store().put(plan.key, page)
        return page


def answer(page: Page, accept_encoding: str, if_none_match: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of ``page`` for a request that sent these two headers: compressed
    when it accepts gzip, 304 when it has this version already. Both layers answer with it."""
    body, etag, encoding = page.representation(accept_encoding)
    headers = public_headers(page, etag, encoding)
    if not_modified(if_none_match, etag):
        headers.pop("Content-Encoding", None)
        return 304, headers, b""
    return page.status, {**dict(page.headers), **headers, "Content-Length": str(len(body))}, body


def respond(request, page: Page) -> HttpResponse:
    """``page`` for ``request``, as ``answer`` says."""
    status, headers, body = answer(page, request.META.get("HTTP_ACCEPT_ENCODING", ""),
                                   request.META.get("HTTP_IF_NONE_MATCH", ""))
    if status == 304:
        response = HttpResponseNotModified()
        for name, value in headers.items():
            response[name] = value
        return response
    return HttpResponse(body, status=status, headers=headers)
