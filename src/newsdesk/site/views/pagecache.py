"""Whole-page caching for public pages, shared by every server process.

A page is cached under the content version (see ``articles.cacheversion``), so any change to
articles, comments, categories, outlets or the banner makes every page render afresh.

Two values differ per reader and so are never cached: the CSRF token and the comment form's
time stamp. Pages are rendered with fixed slots in their place (``slots()``), and the slots are
filled in each response after the cache, which keeps one cached copy valid for everyone.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from newsdesk.site.articles import cacheversion
from newsdesk.site.comments.guards import issue_stamp

CSRF_SLOT = "csrf-slot-0f9b6c"
STAMP_SLOT = "stamp-slot-0f9b6c"
TIMEOUT = 600
# Recomputed for each response (the body's length changes when the slots are filled).
UNCACHED_HEADERS = {"content-length", "set-cookie", "vary"}


def slots() -> dict[str, str]:
    """Template context that renders the per-reader values as slots."""
    return {"csrf_token": CSRF_SLOT, "comment_stamp": STAMP_SLOT}


def fill_slots(request, response: HttpResponse) -> HttpResponse:
    """Put this reader's CSRF token and a fresh form stamp into ``response`` where the slots are."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    body = response.content
    if CSRF_SLOT.encode() in body:
        body = body.replace(CSRF_SLOT.encode(), get_token(request).encode())
    if STAMP_SLOT.encode() in body:
        body = body.replace(STAMP_SLOT.encode(), issue_stamp().encode())
    response.content = body
    return response


def _key(request, params: tuple[str, ...]) -> str:
    # Only the parameters a page uses are part of its key, so random query strings cannot
    # fill the cache with copies of one page.
    query = "&".join(f"{name}={request.GET.get(name, '')}" for name in params)
    raw = f"{request.get_host()}\n{request.path}\n{query}"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"newsdesk:page:{cacheversion.current()}:{digest}"


def cached_page(*params: str, timeout: int = TIMEOUT):
    """Cache a view's successful GET responses; ``params`` are the query parameters it reads."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # A pending message (after posting a comment) is for this reader only.
            if request.method not in ("GET", "HEAD") or len(get_messages(request)):
                return fill_slots(request, view(request, *args, **kwargs))
            key = _key(request, params)
            hit = cache.get(key)
            if hit is not None:
                content, headers = hit
                return fill_slots(request, HttpResponse(content, headers=headers))
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response = response.render()  # a TemplateResponse (sitemaps)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                headers = {k: v for k, v in response.items() if k.lower() not in UNCACHED_HEADERS}
                cache.set(key, (response.content, headers), timeout)
            return fill_slots(request, response)

        return wrapper

    return decorate
