"""One outlet's web site at one base URL: request target in, HTTP reply out, without sockets."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from . import images
from .context import SiteContext
from .feeds import CONTENT_TYPES, render_feed
from .model import DemoArticle, Outlet

HTML = "text/html; charset=UTF-8"
# Article pages and photos are many at scale and cheap to redo: keep only the recent ones.
RECENT_LIMIT = 512


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    last_modified: datetime | None
    etag: str


class OutletSite:
    """Routes request targets of one outlet to replies, rendering each resource once; thread-safe."""

    def __init__(self, outlet: Outlet, base_url: str):
        self.outlet = outlet
        self.context = SiteContext(outlet, base_url)
        self._lock = threading.Lock()
        self._routes: dict[str, tuple] | None = None
        self._kept: dict[tuple, _Resource] = {}
        self._recent: OrderedDict[tuple, _Resource] = OrderedDict()

    @property
    def base_url(self) -> str:
        return self.context.base_url

    @property
    def feed_url(self) -> str:
        return self.context.feed_url

    def article_url(self, article: DemoArticle | str) -> str:
        """Canonical URL of an article (or of the article with this slug; raises KeyError)."""
        if isinstance(article, str):
            article = self.outlet.article(article)
        return self.context.article_url(article)

    def render_article(self, article: DemoArticle, *, extra_body_blocks_html: Sequence[str] = (),
                       body_html_override: str | None = None) -> str:
        """The article page's HTML; see Outlet.render_article."""
        ctx = self.context
        if body_html_override is not None:
            body = body_html_override
        else:
            body = ctx.theme.body_html(ctx, article, ctx.body_blocks(article, extra_body_blocks_html))
        return ctx.theme.render_article(ctx, article, body)

    def handle(self, target: str, headers: Mapping[str, str] | None = None) -> Reply:
        """The reply to a GET of target ("/path?query"), honouring If-None-Match and If-Modified-Since."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        routes = self._route_table()
        parts = urlsplit(target)
        path = parts.path or "/"
        route = routes.get(f"{path}?{parts.query}" if parts.query else path) or routes.get(path)
        if route is None and not path.endswith("/") and path + "/" in routes:
            route = ("redirect", path + "/" + (f"?{parts.query}" if parts.query else ""))
        if route is None:
            body = b"<!DOCTYPE html><title>Page not found</title><h1>Page not found</h1>"
            return Reply(404, (("Content-Type", HTML), ("Content-Length", str(len(body)))), body)
        if route[0] == "redirect":
            return Reply(301, (("Location", self.context.url(route[1])), ("Content-Length", "0")), b"")
        resource = self._resource(route)
        validators = [("ETag", resource.etag)]
        if resource.last_modified is not None:
            stamp = format_datetime(resource.last_modified.astimezone(timezone.utc), usegmt=True)
            validators.append(("Last-Modified", stamp))
        if _not_modified(resource, headers):
            return Reply(304, tuple(validators), b"")
        return Reply(200, (("Content-Type", resource.content_type), ("Content-Length", str(len(resource.body))),
                           *validators), resource.body)

    # Routing and rendering

    def _route_table(self) -> dict[str, tuple]:
        with self._lock:
            if self._routes is None:
                self._routes = self._build_routes()
            return self._routes

    def _build_routes(self) -> dict[str, tuple]:
        ctx, theme = self.context, self.context.theme
        routes: dict[str, tuple] = {}
        for kind, key, pages in ctx.listing_keys():
            for page in range(1, pages + 1):
                routes[theme.listing_path(kind, key, page)] = ("listing", kind, key, page)
        for article in ctx.articles:
            routes[theme.article_path(article)] = ("article", article.slug)
            shortlink = theme.shortlink(article)
            if shortlink:
                routes[shortlink] = ("redirect", theme.article_path(article))
            for figure in article.figures:
                routes[urlsplit(theme.image_path(article, figure.image)).path] = ("photo", figure.image)
        for author in self.outlet.authors:
            routes[theme.asset_path("avatar-" + author.slug)] = ("avatar", author.slug)
        routes[theme.asset_path("logo")] = ("logo",)
        routes[theme.asset_path("banner")] = ("banner",)
        routes["/robots.txt"] = ("robots",)
        routes[theme.feed_path] = ("feed",)
        return routes

    def _resource(self, route: tuple) -> _Resource:
        recent = route[0] in ("article", "photo")
        with self._lock:
            found = self._recent.get(route) if recent else self._kept.get(route)
            if found is not None:
                if recent:
                    self._recent.move_to_end(route)
                return found
        # Render outside the lock: two threads may render the same thing once each, harmlessly.
        resource = self._render(route)
        with self._lock:
            if recent:
                self._recent[route] = resource
                while len(self._recent) > RECENT_LIMIT:
                    self._recent.popitem(last=False)
            else:
                resource = self._kept.setdefault(route, resource)
        return resource

    def _render(self, route: tuple) -> _Resource:
        ctx, theme = self.context, self.context.theme
        kind = route[0]
        if kind == "article":
            article = ctx.article(route[1])
            return _make(self.render_article(article).encode("utf-8"), HTML, article.modified)
        if kind == "listing":
            listing = ctx.listing(*route[1:])
            newest = max((a.modified for a in listing.items), default=None)
            return _make(theme.render_listing(ctx, listing).encode("utf-8"), HTML, newest)
        if kind == "feed":
            newest = max((a.modified for a in ctx.articles), default=None)
            return _make(render_feed(ctx), CONTENT_TYPES[self.outlet.feed_kind], newest)
        if kind == "photo":
            return _make(images.photo_png(route[1]), "image/png", None)
        if kind == "avatar":
            return _make(images.avatar_svg(ctx.author(route[1]).name, theme.colour), "image/svg+xml", None)
        if kind == "logo":
            return _make(images.logo_svg(self.outlet.name, theme.colour), "image/svg+xml", None)
        if kind == "banner":
            return _make(images.banner_svg(*theme.banner), "image/svg+xml", None)
        if kind == "robots":
            return _make(self._robots().encode("utf-8"), "text/plain; charset=utf-8", None)
        raise ValueError(route)

    def _robots(self) -> str:
        theme = self.context.theme
        lines = ["User-agent: *", *(f"Disallow: {p}" for p in theme.robots_disallow),
                 *(f"Allow: {p}" for p in theme.robots_allow)]
        if self.outlet.feed_kind == "sitemap":
            lines += ["", f"Sitemap: {self.context.feed_url}"]
        return "\n".join(lines) + "\n"


def _make(body: bytes, content_type: str, last_modified: datetime | None) -> _Resource:
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    return _Resource(body, content_type, last_modified.replace(microsecond=0) if last_modified else None, etag)


def _not_modified(resource: _Resource, headers: Mapping[str, str]) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if "if-none-match" in headers:
        tags = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return "*" in tags or resource.etag in tags
    since = headers.get("if-modified-since")
    if since and resource.last_modified is not None:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return resource.last_modified <= moment
    return False
