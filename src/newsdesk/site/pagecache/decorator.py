"""``cached_page``: the views whose pages are cached, with the query parameters they read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.messages import get_messages
from django.http import HttpResponse

from . import SITE, clock, key_for, store

TIMEOUT = 600  # seconds; a page also goes as soon as one of its tags is bumped


@dataclass(frozen=True)
class Plan:
    """What the middleware needs to store a rendered page."""

    key: tuple
    tags: frozenset[str]
    volatile: tuple[str, ...]
    sequence: int  # the clock's sequence when rendering began
    timeout: float


def has_messages(request) -> bool:
    """A pending message (after posting a comment) is for this reader only."""
    return bool(len(get_messages(request)))


def cached_page(*params: str, tags: tuple[str, ...] = (), timeout: float = TIMEOUT):
    """Cache a view's successful GET responses.

    ``params``: the query parameters the view reads (others do not make new entries); ``tags``:
    what every page of the view shows, beside ``site``; a view adds its own with ``depends``.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or has_messages(request):
                response = view(request, *args, **kwargs)
                response._pagecache_private = True
                return response
            key = key_for(request, params)
            page = store().get(key)
            if page is not None:
                # The middleware answers from the page (compressed, or 304): this is only its carrier.
                response = HttpResponse(status=page.status)
                response._pagecache_hit = page
                return response
            sequence = clock().sequence()
            request._pagecache_tags = {SITE, *tags}
            request._pagecache_volatile = []
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response = response.render()  # a TemplateResponse (sitemaps)
            if response.status_code == 200 and not response.streaming:
                response._pagecache_plan = Plan(key, frozenset(request._pagecache_tags),
                                                tuple(request._pagecache_volatile), sequence, timeout)
            return response

        return wrapper

    return decorate
