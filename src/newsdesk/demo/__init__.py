"""The demo outlets: four fictional news sites, written for this project, served on loopback.

    with DemoServer() as server:                      # one port per outlet on 127.0.0.1
        for outlet, base_url, feed_url in server.outlets:
            ...                                       # fetch feed_url, then the articles it lists

Each Outlet has its own template (WordPress JNews-style, Joomla, bespoke, WordPress tagDiv-style)
and feed (RSS 2.0, Atom, JSON Feed 1.1, Google News sitemap). Outlet.template_phrases lists text
of the template that appears on its pages and never in an article's own text (DemoArticle.body_text);
articles that share a DemoArticle.story key report the same event in different words.
DemoServer(scale=N) serves N copies of every article, with their own URLs, for benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence

from .content import load_outlets
from .model import DEFAULT_BASE_URL, Author, Block, Category, DemoArticle, Figure, Outlet
from .server import DemoServer, ServedOutlet
from .site import OutletSite, Reply


def render_article_page(outlet_slug: str, article_slug: str, *, base_url: str = DEFAULT_BASE_URL,
                        extra_body_blocks_html: Sequence[str] = (),
                        body_html_override: str | None = None) -> str:
    """An article page in its outlet's template, as served at base_url.

    extra_body_blocks_html go inside the body container (Outlet.body_selector): the first after the
    second body block, the next after the fourth, and so on. body_html_override replaces the whole
    body. Returns the HTML; raises KeyError for an unknown outlet or article.
    """
    for outlet in load_outlets():
        if outlet.slug == outlet_slug:
            return outlet.render_article(article_slug, base_url=base_url, extra_body_blocks_html=extra_body_blocks_html,
                                         body_html_override=body_html_override)
    raise KeyError(outlet_slug)


__all__ = [
    "DEFAULT_BASE_URL",
    "Author",
    "Block",
    "Category",
    "DemoArticle",
    "DemoServer",
    "Figure",
    "Outlet",
    "OutletSite",
    "Reply",
    "ServedOutlet",
    "load_outlets",
    "render_article_page",
]
