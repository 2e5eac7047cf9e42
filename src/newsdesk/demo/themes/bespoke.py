"""Meridian Wire: a hand-built wire-service site with its own component markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import slugify
from .base import (EMAIL_NOTE, LEAVE_A_REPLY, SAVE_DETAILS, Theme, comment_form, esc, feed_links, hhmm, jsonld,
                   og_meta)

if TYPE_CHECKING:
    from ..context import Listing, SiteContext
    from ..model import DemoArticle, Figure

NAV_EXTRA = ("Latest Wires", "Bureau Network", "Data Desk", "Corrections Log")
MEMBERSHIP = "Support independent journalism: become a Meridian member"
SHARE_HEADING = "Share this wire"
SHARE = (("copy", "Copy link"), ("mastodon", "Post to Mastodon"), ("signal", "Send via Signal"))
CHECK_ALSO = "Check Also"
TRENDING = "Trending on the Wire"
TOPICS = "Topics on the Wire"
NEWSLETTER = "Get the Meridian Wire Daily Dispatch at 06:00 CET"
NEWSLETTER_TEXT = "One email, seven stories, no noise. Unsubscribe any time."
NEWSLETTER_BUTTON = "Send me the Dispatch"
ABOUT_CORRESPONDENT = "About the correspondent"
COOKIE = "Meridian Wire stores one small cookie to remember which edition you prefer."
COOKIE_BUTTON = "That's fine by me"
COPYRIGHT = "© 2026 Meridian Wire Cooperative. Reporting from Geneva, Nairobi, Rotterdam and Singapore."
OWNED = "Meridian Wire is owned by its journalists and its readers."
FOOTER_MENU = ("Editorial standards", "Contact the bureaus", "Wire licensing")
SUBMIT = "Publish comment"

STYLE = """:root{--mw-ink:#101820;--mw-accent:#c8102e}body{margin:0;font:16px/1.65 system-ui,sans-serif;color:var(--mw-ink)}
.mw-masthead{display:flex;align-items:center;justify-content:space-between;padding:1em 2em;border-bottom:4px solid var(--mw-accent)}
.mw-nav ul{display:flex;gap:1.5em;list-style:none;padding:0 2em}.mw-layout{display:grid;grid-template-columns:minmax(0,680px) 300px;gap:3em;padding:2em;justify-content:center}
.mw-story__body p{margin:0 0 1.1em}.mw-footer{background:var(--mw-ink);color:#ddd;padding:2em}.mw-consent{position:fixed;bottom:1em;right:1em;background:#fff;box-shadow:0 2px 8px #0004;padding:1em;max-width:320px}
img{max-width:100%;height:auto}"""


class BespokeTheme(Theme):
    key = "bespoke"
    body_selector = "div.mw-story__body"
    feed_path = "/feed.json"
    robots_disallow = ("/admin/", "/api/")
    banner = ("Halvorsen Brooks Research", "Energy markets, explained daily")
    colour = "#c8102e"
    page_size = 24
    phrases = (*NAV_EXTRA, MEMBERSHIP, SHARE_HEADING, *(label for _, label in SHARE), CHECK_ALSO, TRENDING, TOPICS,
               NEWSLETTER, NEWSLETTER_TEXT, NEWSLETTER_BUTTON, ABOUT_CORRESPONDENT, COOKIE, COOKIE_BUTTON, COPYRIGHT,
               OWNED, *FOOTER_MENU, LEAVE_A_REPLY, EMAIL_NOTE, SAVE_DETAILS)

    def article_path(self, article: DemoArticle) -> str:
        return f"/story/{article.slug}"

    def listing_path(self, kind: str, key: str, page: int = 1) -> str:
        base = {"home": "/", "category": f"/section/{key}", "tag": f"/topic/{key}", "author": f"/people/{key}"}[kind]
        return base if page == 1 else f"{base}?page={page}"

    def image_path(self, article: DemoArticle, image: str) -> str:
        return f"/media/{image}.png?w=960"

    def asset_path(self, name: str) -> str:
        if name.startswith("avatar-"):
            return f"/assets/people/{name[7:]}.svg"
        return {"logo": "/assets/meridian-wire.svg", "banner": "/assets/partners/halvorsen-brooks.svg"}[name]

    def uses_jsonld(self, article: DemoArticle) -> bool:
        return True

    def figure_html(self, ctx: SiteContext, article: DemoArticle, figure: Figure) -> str:
        return (f'<figure class="mw-figure" data-component="image"><picture><img src="{esc(ctx.image_url(article, figure.image))}" '
                f'alt="{esc(figure.caption)}" width="640" height="360" loading="lazy"></picture>'
                f'<figcaption class="mw-figure__caption"><span>{esc(figure.caption)}</span> '
                f'<small class="mw-figure__credit">{esc(figure.credit)}</small></figcaption></figure>')

    def quote_html(self, block, inner: str) -> str:
        cite = f'<footer class="mw-quote__source">{esc(block.cite)}</footer>' if block.cite else ""
        return f'<blockquote class="mw-quote" data-component="quote"><p>{inner}</p>{cite}</blockquote>'

    def body_html(self, ctx: SiteContext, article: DemoArticle, blocks: list[str]) -> str:
        return "\n".join(f'<div class="mw-block" data-component="text">{b}</div>' if b.startswith("<p>") else b for b in blocks)

    # Pages

    def _page(self, ctx: SiteContext, title: str, head: str, main: str, aside: str) -> str:
        sections = "".join(f'<li><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></li>' for c in ctx.top_categories())
        extra = "".join(f'<li class="mw-nav__extra"><a href="{esc(ctx.url("/" + slugify(label)))}">{esc(label)}</a></li>' for label in NAV_EXTRA)
        footer = "".join(f'<li><a href="{esc(ctx.url("/about/" + slugify(label)))}">{esc(label)}</a></li>' for label in FOOTER_MENU)
        return f"""<!doctype html>
<html lang="{esc(ctx.outlet.language)}" class="mw">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(title)}</title>
{head}
{feed_links(ctx)}
<style>{STYLE}</style>
</head>
<body>
<a class="mw-skip" href="#main">Skip to content</a>
<div class="mw-promo" role="complementary"><a href="{esc(ctx.url('/partners/halvorsen-brooks'))}" rel="sponsored"><img src="{esc(ctx.asset_url('banner'))}" alt="Partner message" width="728" height="90"></a></div>
<header class="mw-masthead"><a class="mw-masthead__logo" href="{esc(ctx.url('/'))}"><img src="{esc(ctx.asset_url('logo'))}" alt="{esc(ctx.outlet.name)}" width="260" height="52"></a>
<p class="mw-masthead__tagline">{esc(ctx.outlet.tagline)}</p><a class="mw-masthead__cta" href="{esc(ctx.url('/membership'))}">{esc(MEMBERSHIP)}</a></header>
<nav class="mw-nav" aria-label="Sections"><ul>{sections}{extra}</ul></nav>
<div class="mw-layout">
<main id="main" class="mw-main">
{main}
</main>
{aside}
</div>
<footer class="mw-footer"><p class="mw-footer__owned">{esc(OWNED)}</p><ul class="mw-footer__links">{footer}</ul><p class="mw-footer__legal">{esc(COPYRIGHT)}</p></footer>
<div class="mw-consent" role="dialog" aria-live="polite"><p>{esc(COOKIE)}</p><button type="button" data-consent="ok">{esc(COOKIE_BUTTON)}</button></div>
</body>
</html>"""

    def _rail(self, ctx: SiteContext) -> str:
        trending = "".join(f'<li class="mw-rail__item"><span class="mw-rail__rank">{i + 1}</span><a href="{esc(ctx.article_url(a))}">{esc(a.title)}</a></li>'
                           for i, a in enumerate(ctx.popular()))
        topics = "".join(f'<a class="mw-chip" href="{esc(ctx.listing_url("tag", slug))}">{esc(name)}</a>' for name, slug, _ in ctx.tag_cloud(12))
        return f"""<aside class="mw-rail" aria-label="More from the Wire">
<section class="mw-rail__box"><h2 class="mw-rail__title">{esc(TRENDING)}</h2><ol class="mw-rail__list">{trending}</ol></section>
<section class="mw-rail__box mw-dispatch"><h2 class="mw-rail__title">{esc(NEWSLETTER)}</h2><p>{esc(NEWSLETTER_TEXT)}</p><form method="post" action="{esc(ctx.url('/dispatch/subscribe'))}"><label>Email <input type="email" name="email"></label><button>{esc(NEWSLETTER_BUTTON)}</button></form></section>
<section class="mw-rail__box"><h2 class="mw-rail__title">{esc(TOPICS)}</h2><div class="mw-chips">{topics}</div></section>
</aside>"""

    def render_article(self, ctx: SiteContext, article: DemoArticle, body: str) -> str:
        author = ctx.author(article.author)
        section = ctx.category(article.category)
        crumbs = "".join(f'<li><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></li>' for c in ctx.crumbs(article.category))
        url = esc(ctx.article_url(article))
        share = "".join(f'<li><a class="mw-share__{net}" href="{esc(ctx.url("/share/" + net))}?url={url}" rel="nofollow">{esc(label)}</a></li>' for net, label in SHARE)
        check = "".join(f'<li class="mw-teaser"><a href="{esc(ctx.article_url(r))}"><img src="{esc(ctx.image_url(r, r.lead.image))}" alt="" width="160" height="90"><span class="mw-teaser__title">{esc(r.title)}</span></a></li>'
                        for r in ctx.related(article, 3))
        tags = "".join(f'<a class="mw-chip" href="{esc(ctx.listing_url("tag", slugify(t)))}">{esc(t)}</a>' for t in article.tags)
        updated = ""
        if article.updated:
            updated = f' <span class="mw-byline__updated">Updated <time datetime="{article.updated.isoformat()}">{hhmm(article.updated)}</time></span>'
        head = (f'<link rel="canonical" href="{url}">\n{og_meta(ctx, article, "en")}\n'
                f"{jsonld(ctx, article) if self.uses_jsonld(article) else ''}")
        main = f"""<ol class="mw-crumbs" aria-label="Breadcrumb"><li><a href="{esc(ctx.url('/'))}">Meridian Wire</a></li>{crumbs}</ol>
<article class="mw-story" data-story-id="{article.id}">
<header class="mw-story__header">
<a class="mw-kicker" href="{esc(ctx.listing_url('category', section.slug))}">{esc(section.name)}</a>
<h1 class="mw-story__headline">{esc(article.title)}</h1>
<p class="mw-story__standfirst">{esc(article.summary)}</p>
<div class="mw-byline">By <a rel="author" href="{esc(ctx.listing_url('author', author.slug))}">{esc(author.name)}</a>, {esc(author.role)} · <time class="mw-byline__date" datetime="{article.published.isoformat()}">{article.published:%d %b %Y} {hhmm(article.published)} UTC{article.published:%z}</time>{updated}</div>
</header>
<div class="mw-share"><span class="mw-share__label">{SHARE_HEADING}</span><ul>{share}</ul></div>
<figure class="mw-figure mw-figure--lead"><img src="{esc(ctx.image_url(article, article.lead.image))}" alt="{esc(article.lead.caption)}" width="640" height="360"><figcaption class="mw-figure__caption"><span>{esc(article.lead.caption)}</span> <small class="mw-figure__credit">{esc(article.lead.credit)}</small></figcaption></figure>
<div class="mw-story__body">
{body}
</div>
<footer class="mw-story__footer"><div class="mw-chips">{tags}</div>
<section class="mw-correspondent"><img src="{esc(ctx.asset_url('avatar-' + author.slug))}" alt="" width="72" height="72"><div><h2>{ABOUT_CORRESPONDENT}</h2><p>{esc(author.bio)}</p></div></section>
</footer>
</article>
<aside class="mw-check-also"><h2 class="mw-check-also__title">{CHECK_ALSO}</h2><ul>{check}</ul></aside>
<section class="mw-comments" id="comments">
{comment_form(ctx, article, '/story/' + article.slug + '/comments', SUBMIT, 'mw-comments__form')}
</section>"""
        return self._page(ctx, f"{article.title} | {ctx.outlet.name}", head, main, self._rail(ctx))

    def render_listing(self, ctx: SiteContext, listing: Listing) -> str:
        cards = "".join(
            f'<article class="mw-card"><a class="mw-card__link" href="{esc(ctx.article_url(a))}"><img src="{esc(ctx.image_url(a, a.lead.image))}" alt="" width="320" height="180">'
            f'<h2 class="mw-card__title">{esc(a.title)}</h2></a><p class="mw-card__standfirst">{esc(a.summary)}</p>'
            f'<p class="mw-card__meta"><span>{esc(ctx.author(a.author).name)}</span> · <time datetime="{a.published.isoformat()}">{a.published:%d %b %Y}</time></p></article>'
            for a in listing.items)
        pages = ""
        if listing.page < listing.pages:
            pages += f'<a class="mw-more" rel="next" href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page + 1))}">More stories</a>'
        if listing.page > 1:
            pages += f'<a class="mw-more" rel="prev" href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page - 1))}">Newer stories</a>'
        heading = "Latest from the Wire" if listing.kind == "home" else listing.title
        main = f'<h1 class="mw-section__title">{esc(heading)}</h1>\n<div class="mw-grid">{cards}</div>\n<nav class="mw-pager">{pages}</nav>'
        head = f'<link rel="canonical" href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page))}">'
        title = ctx.outlet.name if listing.kind == "home" else f"{listing.title} | {ctx.outlet.name}"
        return self._page(ctx, title, head, main, self._rail(ctx))
