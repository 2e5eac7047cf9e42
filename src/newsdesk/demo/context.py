"""One outlet as seen at one base URL: the URLs, listings and neighbours its templates need."""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Author, Category, DemoArticle, Outlet, slugify
from .themes import theme_for

_ARTICLE_LINK = re.compile(r'href="@([a-z0-9-]+)"')


@dataclass(frozen=True)
class Listing:
    kind: str  # "home", "category", "tag" or "author"
    key: str
    title: str
    page: int
    pages: int
    items: tuple[DemoArticle, ...]


class SiteContext:
    """Read-only helpers over one outlet at one base URL; built once per served site."""

    def __init__(self, outlet: Outlet, base_url: str):
        self.outlet = outlet
        self.base_url = base_url.rstrip("/")
        self.theme = theme_for(outlet.theme)
        self.articles = outlet.articles
        self._authors = {a.slug: a for a in outlet.authors}
        self._categories = {c.slug: c for c in outlet.categories}
        self._by_slug = {a.slug: a for a in self.articles}
        self._position = {a.slug: i for i, a in enumerate(self.articles)}
        groups: dict[tuple[str, str], list[DemoArticle]] = defaultdict(list)
        self._tag_names: dict[str, str] = {}
        for article in self.articles:
            category = article.category
            while category:
                groups["category", category].append(article)
                category = self._categories[category].parent
            for tag in article.tags:
                self._tag_names.setdefault(slugify(tag), tag)
                groups["tag", slugify(tag)].append(article)
            groups["author", article.author].append(article)
        groups["home", ""] = list(self.articles)
        self._groups = {key: tuple(items) for key, items in groups.items()}
        # A stable, content-independent choice of "most read" articles.
        self._popular = tuple(sorted(self.articles, key=lambda a: zlib.crc32(a.slug.encode()))[:5])

    # URLs

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def feed_url(self) -> str:
        return self.url(self.theme.feed_path)

    def article_url(self, article: DemoArticle) -> str:
        return self.url(self.theme.article_path(article))

    def image_url(self, article: DemoArticle, image: str) -> str:
        return self.url(self.theme.image_path(article, image))

    def listing_url(self, kind: str, key: str = "", page: int = 1) -> str:
        return self.url(self.theme.listing_path(kind, key, page))

    def asset_url(self, name: str) -> str:
        return self.url(self.theme.asset_path(name))

    def resolve_links(self, fragment: str) -> str:
        """Turn href="@slug" links between articles into the linked article's URL."""
        return _ARTICLE_LINK.sub(lambda m: f'href="{self.article_url(self._by_slug[m.group(1)])}"', fragment)

    # Lookups

    def author(self, slug: str) -> Author:
        return self._authors[slug]

    def category(self, slug: str) -> Category:
        return self._categories[slug]

    def article(self, slug: str) -> DemoArticle | None:
        return self._by_slug.get(slug)

    def crumbs(self, category: str) -> list[Category]:
        """The category and its ancestors, outermost first."""
        trail = []
        while category:
            trail.append(self._categories[category])
            category = self._categories[category].parent
        return trail[::-1]

    def top_categories(self) -> list[Category]:
        return [c for c in self.outlet.categories if not c.parent]

    def tag_cloud(self, count: int = 14) -> list[tuple[str, str, int]]:
        """(name, slug, number of articles) of the most used tags."""
        counts = Counter({slug: len(items) for (kind, slug), items in self._groups.items() if kind == "tag"})
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:count]
        return [(self._tag_names[slug], slug, n) for slug, n in ranked]

    def tag_name(self, slug: str) -> str:
        return self._tag_names[slug]

    # Neighbours

    def related(self, article: DemoArticle, count: int = 4) -> list[DemoArticle]:
        """Newest other articles of the same category, topped up with the newest of the outlet."""
        picked: list[DemoArticle] = []
        for pool in (self._groups["category", article.category], self.articles):
            for other in pool:
                if len(picked) == count:
                    return picked
                if other.slug != article.slug and other not in picked:
                    picked.append(other)
        return picked

    def popular(self, count: int = 5) -> list[DemoArticle]:
        return list(self._popular[:count])

    def neighbours(self, article: DemoArticle) -> tuple[DemoArticle | None, DemoArticle | None]:
        """(previous = older, next = newer) articles."""
        i = self._position[article.slug]
        older = self.articles[i + 1] if i + 1 < len(self.articles) else None
        newer = self.articles[i - 1] if i > 0 else None
        return older, newer

    # Listings

    def listing_keys(self) -> list[tuple[str, str, int]]:
        """(kind, key, number of pages) of every listing the site has."""
        size = self.theme.page_size
        return [(kind, key, max(1, -(-len(items) // size))) for (kind, key), items in self._groups.items()]

    def listing(self, kind: str, key: str, page: int = 1) -> Listing | None:
        items = self._groups.get((kind, key))
        if items is None:
            return None
        size = self.theme.page_size
        pages = max(1, -(-len(items) // size))
        if not 1 <= page <= pages:
            return None
        title = {"home": self.outlet.name, "category": lambda: self._categories[key].name,
                 "tag": lambda: self._tag_names[key], "author": lambda: self._authors[key].name}[kind]
        return Listing(kind, key, title if isinstance(title, str) else title(), page, pages,
                       items[(page - 1) * size:page * size])

    # Bodies

    def body_blocks(self, article: DemoArticle, extra_blocks: Sequence[str] = ()) -> list[str]:
        """The article's body as HTML blocks, with extra blocks after the 2nd, 4th, ... block."""
        theme = self.theme
        blocks = []
        for block in article.blocks:
            if block.kind == "figure" and block.figure is not None:
                blocks.append(theme.figure_html(self, article, block.figure))
            elif block.kind in ("ul", "ol"):
                items = "".join(f"<li>{self.resolve_links(item)}</li>" for item in block.items)
                blocks.append(f"<{block.kind}>{items}</{block.kind}>")
            elif block.kind == "quote":
                blocks.append(theme.quote_html(block, self.resolve_links(block.html)))
            else:
                blocks.append(f"<{block.kind}>{self.resolve_links(block.html)}</{block.kind}>")
        for n, extra in enumerate(extra_blocks):
            blocks.insert(min(2 * (n + 1) + n, len(blocks)), extra)
        return blocks
