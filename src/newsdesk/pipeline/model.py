"""The plain, frozen dataclasses that cross newsdesk's layers.

The pipeline returns these; only ``newsdesk.ingest`` maps them to database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Response:
    """One HTTP response as the fetcher saw it, after redirects and decompression."""

    url: str  # final URL, after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes  # body, decompressed, never longer than the fetcher's limit
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0  # seconds

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed or sitemap: the link to an article and what the feed says of it."""

    url: str
    title: str = ""
    summary: str = ""  # plain text
    content_html: str = ""  # the feed's own full content, unsanitized, when it carries one
    published: datetime | None = None  # timezone-aware
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    image: str | None = None
    guid: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its kind ("rss", "atom", "json", "sitemap", "sitemapindex") and entries."""

    kind: str
    title: str = ""
    link: str = ""
    language: str = ""
    entries: tuple[FeedEntry, ...] = ()
    sitemaps: tuple[str, ...] = ()  # child sitemap URLs of a sitemap index
    notes: tuple[str, ...] = ()  # what was wrong with the document but did not stop it being read


@dataclass(frozen=True)
class Image:
    src: str  # absolute URL
    caption: str = ""
    alt: str = ""


@dataclass(frozen=True)
class Block:
    """One structural piece of an article body.

    kind is "paragraph", "heading", "list", "quote" or "figure". ``text`` is plain text with
    spaces kept at inline-tag boundaries; ``html`` is the block's sanitized HTML. A heading has a
    ``level``; a list has ``items`` (and ``ordered``); a figure has an ``image``.
    """

    kind: str
    text: str = ""
    html: str = ""
    level: int = 0
    items: tuple[str, ...] = ()
    ordered: bool = False
    image: Image | None = None


@dataclass(frozen=True)
class Article:
    """An extracted article.

    ``html`` is sanitized (nh3 allow-list) and safe to render; ``text`` is plain text with
    paragraphs separated by one blank line.
    """

    title: str = ""
    authors: tuple[str, ...] = ()
    date: datetime | None = None  # timezone-aware
    language: str = ""
    canonical_url: str | None = None
    text: str = ""
    html: str = ""
    images: tuple[Image, ...] = ()  # lead image first when there is one, then in-body images
    blocks: tuple[Block, ...] = ()
    lead_image: Image | None = None
    description: str = ""
    site_name: str = ""
    sections: tuple[str, ...] = ()  # the outlet's sections it says the page belongs to
    notes: tuple[str, ...] = field(default=())  # why something was kept or dropped (fallbacks)
