"""Kestrel Valley Courier: a Joomla 4 site on a Cassiopeia-derived template with the usual modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import slugify
from .base import (EMAIL_NOTE, LEAVE_A_REPLY, SAVE_DETAILS, Theme, comment_form, esc, feed_links, og_meta, pager,
                   us_date)

if TYPE_CHECKING:
    from ..context import Listing, SiteContext
    from ..model import DemoArticle, Figure

TOP_MENU = ("Courier Classifieds", "Obituaries & Notices", "Submit a Community Event")
YOU_ARE_HERE = "You are here:"
WRITTEN_BY = "Written by:"
SHARE_HEADING = "Share this story with your neighbors"
SHARE = (("facebook", "Facebook"), ("email", "Email a friend"), ("print", "Print this page"))
ABOUT_AUTHOR = "About the author"
POPULAR = "Most Read in the Valley"
RELATED = "Related Articles"
TAGS = "Valley Tags"
NEWSLETTER = "Get the Courier Weekender in your inbox every Saturday morning"
NEWSLETTER_TEXT = "Join 12,000 valley neighbors who start the weekend with us."
NEWSLETTER_BUTTON = "Count me in"
COOKIE = "The Courier uses cookies so the weather widget remembers your town."
COOKIE_ACCEPT, COOKIE_DECLINE = "Accept cookies", "Decline cookies"
COPYRIGHT = "Copyright © 2026 Kestrel Valley Courier. All Rights Reserved."
PRINTED = "Proudly printed in Millbrook Falls since 1912."
FOOTER_MENU = ("Courier Privacy Policy", "Terms of Service", "Subscribe to the print edition")
READ_MORE = "Read more …"
SUBMIT = "Submit Comment"

STYLE = """body{margin:0;font:17px/1.55 "Helvetica Neue",Arial,sans-serif;color:#1d1d1d;background:#f6f3ee}a{color:#7a2e12}
.container-header{background:#7a2e12;color:#fff}.container-header a{color:#fff}.site-grid{display:grid;grid-template-columns:2fr 1fr;gap:2em;max-width:1200px;margin:0 auto;padding:1em}
.mod-menu{display:flex;gap:1em;list-style:none;margin:0;padding:.5em 1em}.moduletable{background:#fff;padding:1em;margin-bottom:1em}
.footer{background:#2b1a12;color:#eee;padding:2em}#cookieNotice{position:fixed;bottom:0;width:100%;background:#fff;border-top:3px solid #7a2e12;padding:1em}img{max-width:100%;height:auto}"""


class JoomlaTheme(Theme):
    key = "joomla"
    body_selector = 'div[itemprop="articleBody"]'
    feed_path = "/index.php?format=feed&type=atom"
    robots_disallow = ("/administrator/", "/bin/", "/cache/", "/cli/", "/components/", "/includes/",
                       "/installation/", "/language/", "/layouts/", "/libraries/", "/logs/", "/modules/",
                       "/plugins/")
    banner = ("Millbrook Hardware & Feed", "Snow tires fitted while you wait")
    colour = "#7a2e12"
    page_size = 20
    phrases = (*TOP_MENU, YOU_ARE_HERE, WRITTEN_BY, SHARE_HEADING, *(label for _, label in SHARE), ABOUT_AUTHOR,
               POPULAR, RELATED, TAGS, NEWSLETTER, NEWSLETTER_TEXT, COOKIE, COOKIE_ACCEPT, COOKIE_DECLINE,
               COPYRIGHT, PRINTED, *FOOTER_MENU, LEAVE_A_REPLY, EMAIL_NOTE, SAVE_DETAILS)

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.category}/{article.id}-{article.slug}"

    def listing_path(self, kind: str, key: str, page: int = 1) -> str:
        base = {"home": "/", "category": f"/{key}", "tag": f"/component/tags/tag/{key}",
                "author": f"/component/content/author/{key}"}[kind]
        return base if page == 1 else f"{base}?start={(page - 1) * self.page_size}"

    def image_path(self, article: DemoArticle, image: str) -> str:
        return f"/images/articles/{article.published:%Y}/{image}.png"

    def asset_path(self, name: str) -> str:
        if name.startswith("avatar-"):
            return f"/images/staff/{name[7:]}.svg"
        return {"logo": "/images/logo-courier.svg", "banner": "/images/banners/millbrook-hardware.svg"}[name]

    def figure_html(self, ctx: SiteContext, article: DemoArticle, figure: Figure) -> str:
        return (f'<figure class="image"><img src="{esc(ctx.image_url(article, figure.image))}" alt="{esc(figure.caption)}" '
                f'width="640" height="360" loading="lazy"><figcaption>{esc(figure.caption)} '
                f"<em>{esc(figure.credit)}</em></figcaption></figure>")

    # Pages

    def _page(self, ctx: SiteContext, title: str, head: str, body_class: str, main: str, crumbs: str) -> str:
        top = "".join(f'<li class="nav-item"><a href="{esc(ctx.url("/" + slugify(label)))}">{esc(label)}</a></li>' for label in TOP_MENU)
        menu = "".join(f'<li class="nav-item item-{110 + i}"><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></li>'
                       for i, c in enumerate(ctx.outlet.categories))
        return f"""<!DOCTYPE html>
<html lang="{esc(ctx.outlet.language.lower())}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Joomla! - Open Source Content Management">
<title>{esc(title)}</title>
{head}
{feed_links(ctx)}
<link href="/media/templates/site/cassiopeia/images/joomla-favicon.svg" rel="icon" type="image/svg+xml">
<style>{STYLE}</style>
</head>
<body class="site com_content wrapper-static view-{body_class} no-layout no-task">
<header class="header container-header full-width">
<div class="container-topbar"><div class="moduletable "><ul class="mod-menu mod-list nav ">{top}</ul></div></div>
<div class="container-banner full-width"><div class="bannergroup"><div class="banneritem"><a href="{esc(ctx.url('/component/banners/click/3'))}" target="_blank" rel="noopener noreferrer" title="{esc(self.banner[0])}"><img src="{esc(ctx.asset_url('banner'))}" alt="{esc(self.banner[0])}" width="728" height="90"></a></div></div></div>
<div class="grid-child"><div class="navbar-brand"><a class="brand-logo" href="{esc(ctx.url('/'))}"><img loading="eager" decoding="async" src="{esc(ctx.asset_url('logo'))}" alt="{esc(ctx.outlet.name)}" width="320" height="64"></a><div class="site-description">{esc(ctx.outlet.tagline)}</div></div></div>
<div class="grid-child container-nav"><nav class="navbar navbar-expand-md" aria-label="Main Menu"><ul class="mod-menu mod-list nav "><li class="nav-item item-101 default"><a href="{esc(ctx.url('/'))}">Home</a></li>{menu}</ul></nav></div>
</header>
<div class="site-grid">
<div class="grid-child container-component">
{crumbs}
<main>
{main}
</main>
</div>
{self._sidebar(ctx)}
</div>
<footer class="container-footer footer full-width"><div class="grid-child"><div class="mod-footer"><div class="footer1">{esc(COPYRIGHT)}</div><div class="footer2">{esc(PRINTED)}</div></div>
<ul class="mod-menu mod-list nav menu-footer">{"".join(f'<li class="nav-item"><a href="{esc(ctx.url("/" + slugify(label)))}">{esc(label)}</a></li>' for label in FOOTER_MENU)}</ul></div></footer>
<div id="cookieNotice" class="eprivacy-module" role="dialog"><p>{esc(COOKIE)}</p><button class="btn btn-success" type="button">{esc(COOKIE_ACCEPT)}</button> <button class="btn btn-secondary" type="button">{esc(COOKIE_DECLINE)}</button></div>
</body>
</html>"""

    def _sidebar(self, ctx: SiteContext, related: list[DemoArticle] | None = None) -> str:
        popular = "".join(f'<li itemscope itemtype="https://schema.org/Article"><a href="{esc(ctx.article_url(a))}" itemprop="url"><span itemprop="name">{esc(a.title)}</span></a></li>'
                          for a in ctx.popular())
        tags = "".join(f'<li class="tag-{i}"><a class="tag-name" href="{esc(ctx.listing_url("tag", slug))}">{esc(name)}</a> <span class="tag-count badge bg-info">{n}</span></li>'
                       for i, (name, slug, n) in enumerate(ctx.tag_cloud(10)))
        return f"""<div class="grid-child container-sidebar-right"><div class="sidebar-right card">
<div class="moduletable popular"><h3>{esc(POPULAR)}</h3><ul class="mostread mod-list">{popular}</ul></div>
<div class="moduletable newsletter acymailing_module"><h3>{esc(NEWSLETTER)}</h3><p>{esc(NEWSLETTER_TEXT)}</p><form action="{esc(ctx.url('/index.php?option=com_acym&ctrl=frontusers'))}" method="post"><input type="email" name="user[email]" placeholder="you@example.com"><input type="submit" class="btn btn-primary" value="{esc(NEWSLETTER_BUTTON)}"></form></div>
<div class="moduletable tagspopular"><h3>{esc(TAGS)}</h3><ul>{tags}</ul></div>
</div></div>"""

    def _crumbs(self, ctx: SiteContext, trail: list[tuple[str, str]]) -> str:
        items = "".join(f'<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem" class="mod-breadcrumbs__item breadcrumb-item">'
                        f'<a itemprop="item" href="{esc(url)}" class="pathway"><span itemprop="name">{esc(name)}</span></a><meta itemprop="position" content="{i + 1}"></li>'
                        for i, (name, url) in enumerate(trail))
        return (f'<nav class="mod-breadcrumbs__wrapper" aria-label="Breadcrumbs"><ol itemscope itemtype="https://schema.org/BreadcrumbList" class="mod-breadcrumbs breadcrumb px-3 py-2">'
                f'<li class="mod-breadcrumbs__here float-start">{YOU_ARE_HERE} &#160;</li>{items}</ol></nav>')

    def render_article(self, ctx: SiteContext, article: DemoArticle, body: str) -> str:
        author = ctx.author(article.author)
        section = ctx.category(article.category)
        trail = [("Home", ctx.url("/"))] + [(c.name, ctx.listing_url("category", c.slug)) for c in ctx.crumbs(article.category)]
        trail.append((article.title, ctx.article_url(article)))
        hits = 200 + (article.id * 37) % 900
        url = esc(ctx.article_url(article))
        share = "".join(f'<a class="share-{net}" href="https://{net}.example/share?url={url}" rel="nofollow">{esc(label)}</a> ' for net, label in SHARE)
        tags = "".join(f'<li class="list-inline-item tag-list{i}" itemprop="keywords"><a href="{esc(ctx.listing_url("tag", slugify(t)))}" class="btn btn-sm btn-info">{esc(t)}</a></li>'
                       for i, t in enumerate(article.tags))
        older, newer = ctx.neighbours(article)
        nav = ""
        if newer:
            nav += f'<a class="btn btn-sm btn-secondary previous" href="{esc(ctx.article_url(newer))}" rel="prev"><span class="icon-chevron-left" aria-hidden="true"></span> Prev</a>'
        if older:
            nav += f'<a class="btn btn-sm btn-secondary next" href="{esc(ctx.article_url(older))}" rel="next">Next <span class="icon-chevron-right" aria-hidden="true"></span></a>'
        related = "".join(f'<li><a href="{esc(ctx.article_url(r))}">{esc(r.title)}</a></li>' for r in ctx.related(article, 5))
        head = (f'<meta name="author" content="{esc(author.name)}">\n<link href="{url}" rel="canonical">\n'
                f"{og_meta(ctx, article, 'en_US')}")
        main = f"""<div class="com-content-article item-page" itemscope itemtype="https://schema.org/Article">
<meta itemprop="inLanguage" content="{esc(ctx.outlet.language)}">
<div class="page-header"><h1 itemprop="headline">{esc(article.title)}</h1></div>
<dl class="article-info text-muted">
<dt class="article-info-term">Details</dt>
<dd class="createdby" itemprop="author" itemscope itemtype="https://schema.org/Person"><span class="icon-user icon-fw" aria-hidden="true"></span>{WRITTEN_BY} <a href="{esc(ctx.listing_url('author', author.slug))}" itemprop="url"><span itemprop="name">{esc(author.name)}</span></a></dd>
<dd class="category-name"><span class="icon-folder-open icon-fw" aria-hidden="true"></span>Category: <a href="{esc(ctx.listing_url('category', section.slug))}" itemprop="genre">{esc(section.name)}</a></dd>
<dd class="published"><span class="icon-calendar icon-fw" aria-hidden="true"></span><time datetime="{article.published.isoformat()}" itemprop="datePublished">Published: {us_date(article.published)}</time></dd>
<dd class="hits"><span class="icon-eye icon-fw" aria-hidden="true"></span><meta itemprop="interactionCount" content="UserPageVisits:{hits}">Hits: {hits}</dd>
</dl>
<div class="share-buttons"><span class="share-label">{SHARE_HEADING}</span> {share}</div>
<figure class="left item-image"><img src="{esc(ctx.image_url(article, article.lead.image))}" itemprop="image" alt="{esc(article.lead.caption)}" width="640" height="360"><figcaption class="caption">{esc(article.lead.caption)}</figcaption></figure>
<div itemprop="articleBody" class="com-content-article__body">
{body}
</div>
<ul class="tags list-inline">{tags}</ul>
<div class="author-bio media"><img src="{esc(ctx.asset_url('avatar-' + author.slug))}" alt="{esc(author.name)}" width="64" height="64"><div class="media-body"><h4>{ABOUT_AUTHOR}</h4><p><strong>{esc(author.name)}</strong>, {esc(author.role)}. {esc(author.bio)}</p></div></div>
<nav class="pagenavigation" aria-label="Page Navigation"><span class="pagination ms-0">{nav}</span></nav>
</div>
<div class="moduletable related-items"><h3>{RELATED}</h3><ul class="mod-relateditems relateditems mod-list">{related}</ul></div>
<div class="komento-comments">
{comment_form(ctx, article, '/index.php?option=com_komento', SUBMIT, 'kt-form')}
</div>"""
        return self._page(ctx, f"{article.title} - {ctx.outlet.name}", head, "article", main, self._crumbs(ctx, trail))

    def render_listing(self, ctx: SiteContext, listing: Listing) -> str:
        items = "".join(
            f'<div class="com-content-category-blog__item blog-item" itemprop="blogPost" itemscope itemtype="https://schema.org/BlogPosting">'
            f'<figure class="left item-image"><a href="{esc(ctx.article_url(a))}"><img src="{esc(ctx.image_url(a, a.lead.image))}" alt="{esc(a.title)}" width="320" height="180" itemprop="thumbnailUrl"></a></figure>'
            f'<div class="item-content"><div class="page-header"><h2 itemprop="name"><a href="{esc(ctx.article_url(a))}" itemprop="url">{esc(a.title)}</a></h2></div>'
            f'<dl class="article-info text-muted"><dd class="createdby">{WRITTEN_BY} <span>{esc(ctx.author(a.author).name)}</span></dd>'
            f'<dd class="published"><time datetime="{a.published.isoformat()}">Published: {us_date(a.published)}</time></dd></dl>'
            f'<p>{esc(a.summary)}</p><p class="readmore"><a class="btn btn-secondary" href="{esc(ctx.article_url(a))}">{READ_MORE}</a></p></div></div>'
            for a in listing.items)
        heading = "" if listing.kind == "home" else f'<div class="page-header"><h1>{esc(listing.title)}</h1></div>'
        main = f"""<div class="com-content-category-blog blog" itemscope itemtype="https://schema.org/Blog">
{heading}
<div class="com-content-category-blog__items blog-items">{items}</div>
<div class="com-content-category-blog__navigation w-100"><p class="com-content-category-blog__counter counter float-end pt-3 pe-2">Page {listing.page} of {listing.pages}</p>
<div class="com-content-category-blog__pagination"><nav class="pagination__wrapper" aria-label="Pagination">{pager(ctx, listing, "Next", "Prev")}</nav></div></div>
</div>"""
        trail = [("Home", ctx.url("/"))]
        if listing.kind == "category":
            trail += [(c.name, ctx.listing_url("category", c.slug)) for c in ctx.crumbs(listing.key)]
        elif listing.kind != "home":
            trail.append((listing.title, ctx.listing_url(listing.kind, listing.key)))
        title = ctx.outlet.name if listing.kind == "home" else f"{listing.title} - {ctx.outlet.name}"
        head = f'<link href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page))}" rel="canonical">'
        return self._page(ctx, title, head, "category layout-blog", main, self._crumbs(ctx, trail))
