"""The page cache: whole public pages kept in each server process, invalidated by what changed.

Every cached page is tagged with what it shows: ``site`` (the layout: banner, sections, outlets'
names), ``article:<id>`` for its article and the ones it links in Check Also and "Also covered
by", and the lists it is one of (``list:home``, ``list:category:<id>``, ``list:source:<id>``,
``list:entity:<id>``, ``list:map``, ``feeds``, ``sitemaps``). A change bumps the tags it
touches (see ``invalidate``), in a clock every process shares (``clock``), and only the pages
carrying one of them render again.

Layers, outermost first:
- ``front.PageCacheFront`` (WSGI): answers a cached page before Django runs at all;
- ``middleware.PageCacheMiddleware`` (Django): stores what a cached view rendered, with the
  headers every other middleware added, compressed once; answers conditional requests;
- ``cached_page`` (view decorator): declares the query parameters a page reads and its tags.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl, urlencode

from django.conf import settings

from .clock import TagClock, slot_of
from .store import PageStore

SITE = "site"
HOME = "list:home"
FEEDS = "feeds"
SITEMAPS = "sitemaps"
MAP = "list:map"

_lock = threading.RLock()
_state: dict[str, object] = {}


def article_tag(pk: int) -> str:
    return f"article:{pk}"


def category_tag(pk: int) -> str:
    return f"list:category:{pk}"


def source_tag(pk: int) -> str:
    return f"list:source:{pk}"


def entity_tag(pk: int) -> str:
    return f"list:entity:{pk}"


def clock() -> TagClock:
    """This process's view of the shared tag clock (a file in the data directory)."""
    found = _state.get("clock")
    if found is None:
        with _lock:
            found = _state.get("clock")
            if found is None:
                found = _state["clock"] = TagClock(settings.DATA_DIR / "cache" / "page-tags")
    return found  # type: ignore[return-value]


def store() -> PageStore:
    """This process's cached pages."""
    found = _state.get("store")
    if found is None:
        with _lock:
            found = _state.get("store")
            if found is None:
                megabytes = int(settings.NEWSDESK["PAGE_CACHE_MB"])
                found = _state["store"] = PageStore(clock(), max(1, megabytes) * 1024 * 1024)
    return found  # type: ignore[return-value]


def canonical_query(pairs) -> str:
    """Query parameters in one order, the last value of each name counting (as Django's GET)."""
    return urlencode(sorted(dict(pairs).items()))


def _key(scheme: str, environ, query: str) -> tuple[str, str, str, str]:
    return (scheme, environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), query)


def key_from_environ(environ) -> tuple[str, str, str, str]:
    """The cache key of a WSGI request, from everything in its query string."""
    query = environ.get("QUERY_STRING", "")
    return _key(environ.get("wsgi.url_scheme", "http"), environ,
                canonical_query(parse_qsl(query, keep_blank_values=True)) if query else "")


def key_for(request, params: tuple[str, ...]) -> tuple[str, str, str, str]:
    """The cache key of a request to a page that reads only ``params`` of its query string.

    A request with other parameters (``?utm_source=...``) shares the page's key here, so random
    query strings cannot fill the cache; only its first layer (which cannot know ``params``)
    misses for it."""
    present = [(name, request.GET[name]) for name in params if name in request.GET]
    return _key(request.scheme, request.META, canonical_query(present))


def layout(name: str, load):
    """A value every page's layout shows (the category tree, the banner), kept by this process
    until the ``site`` tag moves: pages that render read it without a query."""
    return store().remember(name, load, slot_of(SITE))


def volatile(request, value: str) -> None:
    """``value`` differs each time the page renders (the comment form's time stamp) but not what
    the page shows: it is left out of the page's ETag, so copies rendered by different processes
    revalidate as the same page."""
    found = getattr(request, "_pagecache_volatile", None)
    if found is not None:
        found.append(value)


def depends(request, *tags: str) -> None:
    """Record that the page being rendered for ``request`` shows what ``tags`` name."""
    found = getattr(request, "_pagecache_tags", None)
    if found is not None:
        found.update(tags)


from .decorator import cached_page  # noqa: E402  (uses the helpers above)

__all__ = ["cached_page", "depends", "layout", "volatile", "clock", "store", "key_for", "key_from_environ", "article_tag",
           "category_tag", "source_tag", "entity_tag", "SITE", "HOME", "FEEDS", "SITEMAPS", "MAP"]
