"""The demo outlets' content as frozen dataclasses: outlets, authors, categories, articles, blocks."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

DEFAULT_BASE_URL = "http://127.0.0.1:8101"

_TAG = re.compile(r"<[^>]+>")


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Dóra Varga" -> "dora-varga"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def strip_tags(fragment: str) -> str:
    """Plain text of a fragment of our own inline HTML (no scripts, no comments in it)."""
    return html.unescape(_TAG.sub("", fragment))


@dataclass(frozen=True)
class Author:
    slug: str
    name: str
    role: str
    bio: str


@dataclass(frozen=True)
class Category:
    slug: str  # a path such as "news/world"; its parent is "news"
    name: str

    @property
    def parent(self) -> str:
        return self.slug.rpartition("/")[0]


@dataclass(frozen=True)
class Figure:
    image: str  # key of a generated image, unique within the outlet
    caption: str
    credit: str = ""


@dataclass(frozen=True)
class Block:
    """One block of an article body.

    kind is "p", "h2", "h3" or "quote" (html holds inline HTML, where href="@slug" links to another
    article of the same outlet), "ul" or "ol" (items hold inline HTML), or "figure".
    """

    kind: str
    html: str = ""
    items: tuple[str, ...] = ()
    cite: str = ""
    figure: Figure | None = None

    def text(self) -> str:
        if self.kind == "figure" and self.figure is not None:
            return self.figure.caption
        if self.items:
            return "\n".join(strip_tags(item) for item in self.items)
        quote = strip_tags(self.html)
        return f"{quote}\n{self.cite}" if self.cite else quote


@dataclass(frozen=True)
class DemoArticle:
    id: int
    slug: str
    title: str
    story: str  # key shared by the articles of every outlet that covered the same event; "" if none
    category: str  # Category.slug
    author: str  # Author.slug
    published: datetime  # timezone-aware
    updated: datetime | None
    summary: str
    lead: Figure
    blocks: tuple[Block, ...]
    tags: tuple[str, ...]
    # "outlet/slug" of the article this one republishes (an agency's copy, edited); "" if none.
    copy_of: str = ""

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @property
    def figures(self) -> tuple[Figure, ...]:
        """The lead image and every figure of the body."""
        return (self.lead, *(b.figure for b in self.blocks if b.figure is not None))

    def body_text(self) -> str:
        """The body as plain text, one block a paragraph: what a clean extraction should find."""
        return "\n\n".join(block.text() for block in self.blocks)


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    tagline: str
    language: str
    theme: str  # "jnews", "joomla", "bespoke" or "tagdiv"
    feed_kind: str  # "rss", "atom", "jsonfeed" or "sitemap"
    authors: tuple[Author, ...]
    categories: tuple[Category, ...]
    articles: tuple[DemoArticle, ...]  # newest first
    # Text of the outlet's template (menus, newsletter, cookie notice, footer, share labels, box
    # headings, author bios...) that appears on its pages and never in an article's own text.
    template_phrases: tuple[str, ...]
    body_selector: str  # CSS selector of the element that holds the article body on its pages

    def article(self, slug: str) -> DemoArticle:
        """The article with this slug; raises KeyError."""
        for article in self.articles:
            if article.slug == slug:
                return article
        raise KeyError(slug)

    def author(self, slug: str) -> Author:
        """The author with this slug; raises KeyError."""
        for author in self.authors:
            if author.slug == slug:
                return author
        raise KeyError(slug)

    def category(self, slug: str) -> Category:
        """The category with this slug; raises KeyError."""
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(slug)

    def render_article(self, article: DemoArticle | str, *, base_url: str = DEFAULT_BASE_URL,
                       extra_body_blocks_html: Sequence[str] = (),
                       body_html_override: str | None = None) -> str:
        """The article's page in this outlet's template, as served at base_url.

        extra_body_blocks_html are HTML blocks put INSIDE the body container (body_selector): the
        first after the second body block, the next after the fourth, and so on; any beyond the
        body's end go at its end. body_html_override replaces the whole body. Returns the HTML.
        """
        from .site import OutletSite  # the site renders with the themes, which import this module

        if isinstance(article, str):
            article = self.article(article)
        return OutletSite(self, base_url).render_article(
            article, extra_body_blocks_html=extra_body_blocks_html, body_html_override=body_html_override)
