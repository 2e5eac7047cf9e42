"""What every outlet theme provides, and the small HTML helpers the themes share."""

from __future__ import annotations

import html
import json
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..context import Listing, SiteContext
    from ..model import Block, DemoArticle, Figure

# The comment form's text, as WordPress prints it; every outlet's pages end with such a form.
LEAVE_A_REPLY = "Leave a Reply"
EMAIL_NOT_PUBLISHED = "Your email address will not be published."
REQUIRED_MARKED = "Required fields are marked"
EMAIL_NOTE = f"{EMAIL_NOT_PUBLISHED} {REQUIRED_MARKED} *"
SAVE_DETAILS = "Save my name, email, and website in this browser for the next time I comment."

FEED_TYPES = MappingProxyType({"rss": "application/rss+xml", "atom": "application/atom+xml",
                               "jsonfeed": "application/feed+json"})


class Theme:
    """One outlet's template: its URL scheme, its markup and its fixed text (phrases)."""

    key: ClassVar[str] = ""
    body_selector: ClassVar[str] = ""
    feed_path: ClassVar[str] = ""
    phrases: ClassVar[tuple[str, ...]] = ()
    robots_disallow: ClassVar[tuple[str, ...]] = ()
    robots_allow: ClassVar[tuple[str, ...]] = ()
    banner: ClassVar[tuple[str, str]] = ("", "")  # advertiser and slogan drawn on the header ad image
    colour: ClassVar[str] = "#333333"
    page_size: ClassVar[int] = 20

    def article_path(self, article: DemoArticle) -> str:
        raise NotImplementedError

    def listing_path(self, kind: str, key: str, page: int = 1) -> str:
        """Path of a listing: kind "home" (key ""), "category", "tag" or "author"."""
        raise NotImplementedError

    def image_path(self, article: DemoArticle, image: str) -> str:
        raise NotImplementedError

    def asset_path(self, name: str) -> str:
        """Path of "logo", "banner" or "avatar-SLUG" (an author's picture)."""
        raise NotImplementedError

    def uses_jsonld(self, article: DemoArticle) -> bool:
        return False

    def shortlink(self, article: DemoArticle) -> str | None:
        """A second path that redirects to the article (WordPress's "/?p=ID"), if the site has one."""
        return None

    def figure_html(self, ctx: SiteContext, article: DemoArticle, figure: Figure) -> str:
        return (f'<figure class="image"><img src="{esc(ctx.image_url(article, figure.image))}" '
                f'alt="{esc(figure.caption)}" width="640" height="360">'
                f"<figcaption>{esc(figure.caption)}{credit(figure)}</figcaption></figure>")

    def quote_html(self, block: Block, inner: str) -> str:
        cite = f"<cite>{esc(block.cite)}</cite>" if block.cite else ""
        return f"<blockquote><p>{inner}</p>{cite}</blockquote>"

    def body_html(self, ctx: SiteContext, article: DemoArticle, blocks: list[str]) -> str:
        """The body container's inner HTML, from the rendered blocks (themes may add their own)."""
        return "\n".join(blocks)

    def render_article(self, ctx: SiteContext, article: DemoArticle, body: str) -> str:
        raise NotImplementedError

    def render_listing(self, ctx: SiteContext, listing: Listing) -> str:
        raise NotImplementedError


class WordPressTheme(Theme):
    """URL conventions every WordPress theme shares: "/?p=ID" shortlinks and "/page/N/" listings."""

    def shortlink(self, article: DemoArticle) -> str | None:
        return f"/?p={article.id}"

    def listing_path(self, kind: str, key: str, page: int = 1) -> str:
        base = {"home": "/", "category": f"/category/{key}/", "tag": f"/tag/{key}/", "author": f"/author/{key}/"}[kind]
        return base if page == 1 else f"{base}page/{page}/"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def credit(figure: Figure) -> str:
    return f' <span class="credit">{esc(figure.credit)}</span>' if figure.credit else ""


def long_date(moment: datetime) -> str:
    """18 November 2026"""
    return f"{moment.day} {moment:%B %Y}"


def us_date(moment: datetime) -> str:
    """November 18, 2026"""
    return f"{moment:%B} {moment.day}, {moment.year}"


def hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def og_meta(ctx: SiteContext, article: DemoArticle, locale: str) -> str:
    """Open Graph, article:* and Twitter card meta tags of an article page."""
    url = ctx.article_url(article)
    tags = [
        ("property", "og:locale", locale), ("property", "og:type", "article"),
        ("property", "og:title", article.title), ("property", "og:description", article.summary),
        ("property", "og:url", url), ("property", "og:site_name", ctx.outlet.name),
        ("property", "og:image", ctx.image_url(article, article.lead.image)),
        ("property", "og:image:width", "640"), ("property", "og:image:height", "360"),
        ("property", "article:published_time", article.published.isoformat()),
        ("property", "article:modified_time", article.modified.isoformat()),
        ("property", "article:section", ctx.category(article.category).name),
        *(("property", "article:tag", tag) for tag in article.tags),
        ("name", "author", ctx.author(article.author).name),
        ("name", "description", article.summary),
        ("name", "twitter:card", "summary_large_image"), ("name", "twitter:title", article.title),
    ]
    return "\n".join(f'<meta {attr}="{name}" content="{esc(value)}">' for attr, name, value in tags)


def jsonld(ctx: SiteContext, article: DemoArticle) -> str:
    """A NewsArticle JSON-LD script element."""
    author = ctx.author(article.author)
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": ctx.article_url(article)},
        "headline": article.title, "description": article.summary,
        "image": [ctx.image_url(article, article.lead.image)],
        "datePublished": article.published.isoformat(), "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": author.name, "url": ctx.listing_url("author", author.slug)}],
        "publisher": {"@type": "Organization", "name": ctx.outlet.name,
                      "logo": {"@type": "ImageObject", "url": ctx.asset_url("logo")}},
        "articleSection": ctx.category(article.category).name, "keywords": list(article.tags),
        "inLanguage": ctx.outlet.language,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def feed_links(ctx: SiteContext) -> str:
    """Feed autodiscovery links for the page head (none for an outlet that only has a sitemap)."""
    kind = ctx.outlet.feed_kind
    if kind not in FEED_TYPES:
        return ""
    return (f'<link rel="alternate" type="{FEED_TYPES[kind]}" title="{esc(ctx.outlet.name)} &raquo; Feed" '
            f'href="{esc(ctx.feed_url)}">')


def comment_form(ctx: SiteContext, article: DemoArticle, action: str, submit: str, wrapper: str) -> str:
    """A WordPress-style "Leave a Reply" form."""
    return f"""<div id="respond" class="comment-respond {wrapper}">
<h3 id="reply-title" class="comment-reply-title">{LEAVE_A_REPLY} <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="{esc(ctx.url(action))}" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">{EMAIL_NOT_PUBLISHED}</span> <span class="required-field-message">{REQUIRED_MARKED} <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label><textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label><input id="author" name="author" type="text" size="30" maxlength="245" autocomplete="name" required></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label><input id="email" name="email" type="email" size="30" maxlength="100" autocomplete="email" required></p>
<p class="comment-form-url"><label for="url">Website</label><input id="url" name="url" type="url" size="30" maxlength="200" autocomplete="url"></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"> <label for="wp-comment-cookies-consent">{SAVE_DETAILS}</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="{esc(submit)}"><input type="hidden" name="comment_post_ID" value="{article.id}" id="comment_post_ID"><input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>
</form>
</div>"""


def pager(ctx: SiteContext, listing: Listing, older: str = "Older posts", newer: str = "Newer posts") -> str:
    """Previous/next and numbered page links of a listing."""
    if listing.pages <= 1:
        return ""
    def link(page: int, label: object, css: str) -> str:
        return f'<a class="{css}page-numbers" href="{esc(ctx.listing_url(listing.kind, listing.key, page))}">{esc(label)}</a>'

    links = []
    if listing.page > 1:
        links.append(link(listing.page - 1, newer, "prev "))
    for number in range(1, listing.pages + 1):
        if number == listing.page:
            links.append(f'<span aria-current="page" class="page-numbers current">{number}</span>')
        elif abs(number - listing.page) <= 2 or number in (1, listing.pages):
            links.append(link(number, number, ""))
    if listing.page < listing.pages:
        links.append(link(listing.page + 1, older, "next "))
    return "\n".join(links)
