"""Northgate Evening Post: a WordPress site on a tagDiv "Newspaper"-style theme, with an ad inside the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import slugify
from .base import (EMAIL_NOTE, LEAVE_A_REPLY, SAVE_DETAILS, WordPressTheme, comment_form, esc, jsonld, long_date,
                   og_meta, pager)

if TYPE_CHECKING:
    from ..context import Listing, SiteContext
    from ..model import DemoArticle, Figure

TOP_MENU = ("Post Club Login", "Place a Notice", "Read the E-Edition")
EXTRA_MENU = ("Northgate What's On", "Post Jobs Board")
ADVERTISEMENT = "- Advertisement -"
SHARE = (("facebook", "Share on Facebook"), ("twitter", "Tweet this story"), ("whatsapp", "Share via WhatsApp"),
         ("mail", "Email to a friend"))
RELATED = "RELATED ARTICLES"
MORE_FROM_AUTHOR = "MORE FROM AUTHOR"
POPULAR = "Most Popular in Northgate"
TOPICS = "Post Topics"
FOLLOW = "Follow the Post"
NEWSLETTER = "Join 40,000 readers who get the Post's Teatime Briefing"
NEWSLETTER_TEXT = "The day's Northgate news at 5pm, every weekday."
NEWSLETTER_BUTTON = "Send me the Teatime Briefing"
COOKIE = "Northgate Evening Post uses cookies to keep you signed in to Post Club and to count our readers."
COOKIE_BUTTON = "I agree"
COPYRIGHT = "© Copyright 2026 Northgate Evening Post. Part of the Hollin Valley Media group."
FOOTER_ABOUT = "Northgate Evening Post, Market Chambers, Northgate. News tips: newsdesk@northgate-post.example"
FOOTER_MENU = ("Post Privacy Policy", "Complaints and Corrections", "Advertise with the Post")

STYLE = """body{margin:0;font:15px/1.7 Verdana,Geneva,sans-serif;color:#111}a{color:#4db2ec}.td-container{width:1068px;max-width:100%;margin:0 auto}
.td-header-top-menu{background:#222;color:#fff;font-size:11px}.td-header-top-menu a{color:#fff;margin-right:12px}.sf-menu{display:flex;gap:18px;list-style:none;padding:10px 0;margin:0;border-bottom:3px solid #e3001b}
.td-pb-row{display:flex;gap:48px}.td-pb-span8{flex:2}.td-pb-span4{flex:1}.td-a-rec{text-align:center;margin:1em 0}.td-adspot-title{display:block;font-size:10px;color:#999}
.td-footer-wrapper{background:#111;color:#ccc;padding:30px 0}.td-sub-footer-container{background:#000;color:#ccc;padding:10px 0}#td-cookie{position:fixed;bottom:0;width:100%;background:#222;color:#fff;padding:12px}img{max-width:100%;height:auto}"""


class TagDivTheme(WordPressTheme):
    key = "tagdiv"
    body_selector = "div.td-post-content"
    feed_path = "/news-sitemap.xml"
    robots_disallow = ("/wp-admin/",)
    robots_allow = ("/wp-admin/admin-ajax.php",)
    banner = ("Pennine Hearth Homes", "New apartments at Brunswick Mill: register your interest")
    colour = "#e3001b"
    page_size = 20
    phrases = (*TOP_MENU, *EXTRA_MENU, ADVERTISEMENT, *(label for _, label in SHARE), RELATED, MORE_FROM_AUTHOR,
               POPULAR, TOPICS, FOLLOW, NEWSLETTER, NEWSLETTER_TEXT, NEWSLETTER_BUTTON, COOKIE, COPYRIGHT,
               FOOTER_ABOUT, *FOOTER_MENU, LEAVE_A_REPLY, EMAIL_NOTE, SAVE_DETAILS)

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.slug}/"

    def image_path(self, article: DemoArticle, image: str) -> str:
        return f"/wp-content/uploads/{article.published:%Y/%m}/{image}-640x360.png"

    def asset_path(self, name: str) -> str:
        if name.startswith("avatar-"):
            return f"/wp-content/uploads/avatars/{name[7:]}-96x96.svg"
        return {"logo": "/wp-content/uploads/2024/01/northgate-post-logo.svg",
                "banner": "/wp-content/uploads/ads/pennine-hearth-728x90.svg"}[name]

    def uses_jsonld(self, article: DemoArticle) -> bool:
        return article.id % 2 == 1

    def figure_html(self, ctx: SiteContext, article: DemoArticle, figure: Figure) -> str:
        return (f'<figure class="wp-caption aligncenter"><img loading="lazy" class="size-full" src="{esc(ctx.image_url(article, figure.image))}" '
                f'alt="" width="640" height="360"><figcaption class="wp-caption-text">{esc(figure.caption)}</figcaption></figure>')

    def body_html(self, ctx: SiteContext, article: DemoArticle, blocks: list[str]) -> str:
        # Like many ad-funded sites, the Post puts an ad slot inside the text itself.
        ad = (f'<div class="td-a-rec td-a-rec-id-content_inline tdi_{article.id}"><span class="td-adspot-title">{ADVERTISEMENT}</span>'
              f'<a href="{esc(ctx.url("/advertise/"))}" rel="sponsored"><img src="{esc(ctx.asset_url("banner"))}" alt="" width="728" height="90"></a></div>')
        placed = list(blocks)
        placed.insert(min(3, len(placed)), ad)
        return "\n".join(placed)

    # Pages

    def _page(self, ctx: SiteContext, title: str, head: str, body_class: str, main: str) -> str:
        top = "".join(f'<li class="menu-item"><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>' for label in TOP_MENU)
        menu = "".join(f'<li class="menu-item menu-item-type-taxonomy"><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></li>'
                       for c in ctx.top_categories())
        extra = "".join(f'<li class="menu-item"><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>' for label in EXTRA_MENU)
        footer_menu = "".join(f'<li class="menu-item"><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>' for label in FOOTER_MENU)
        return f"""<!doctype html >
<!--[if IE 8]><html class="ie8" lang="en"> <![endif]-->
<html lang="{esc(ctx.outlet.language)}">
<head>
<title>{esc(title)}</title>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
{head}
<link rel="sitemap" type="application/xml" title="News sitemap" href="{esc(ctx.feed_url)}">
<meta name="generator" content="WordPress 6.5.5">
<style id="td-theme-inline">{STYLE}</style>
</head>
<body class="{body_class} td-standard-pack global-block-template-1 td-full-layout">
<div id="td-outer-wrap" class="td-theme-wrap">
<div class="tdc-header-wrap">
<div class="td-header-top-menu-full td-container-wrap"><div class="td-container td-header-row td-header-top-menu"><div class="td-header-sp-top-menu"><div class="td_data_time">{ctx.articles[0].published:%A, %B %d, %Y}</div><ul class="top-header-menu">{top}</ul></div></div></div>
<div class="td-banner-wrap-full td-container-wrap"><div class="td-container td-header-row td-header-header">
<div class="td-header-sp-logo"><a class="td-main-logo" href="{esc(ctx.url('/'))}"><img class="td-retina-data" src="{esc(ctx.asset_url('logo'))}" alt="{esc(ctx.outlet.name)}" width="272" height="90"><span class="td-visual-hidden">{esc(ctx.outlet.name)}</span></a></div>
<div class="td-header-sp-recs"><div class="td-header-rec-wrap"><div class="td-a-rec td-a-rec-id-header"><span class="td-adspot-title">{ADVERTISEMENT}</span><a href="{esc(ctx.url('/advertise/'))}" rel="sponsored"><img src="{esc(ctx.asset_url('banner'))}" alt="" width="728" height="90"></a></div></div></div>
</div></div>
<div class="td-header-menu-wrap-full td-container-wrap"><div class="td-header-menu-wrap td-header-gradient"><div class="td-container td-header-row td-header-main-menu"><div id="td-header-menu" role="navigation"><div class="menu-td-demo-header-menu-container"><ul id="menu-td-demo-header-menu-1" class="sf-menu"><li class="menu-item current-menu-item"><a href="{esc(ctx.url('/'))}">Home</a></li>{menu}{extra}</ul></div></div></div></div></div>
</div>
{main}
<div class="td-footer-wrapper td-container-wrap"><div class="td-container"><div class="td-pb-row">
<div class="td-pb-span4"><aside class="footer-text-wrap"><div class="block-title"><span>ABOUT US</span></div>{esc(FOOTER_ABOUT)}</aside></div>
<div class="td-pb-span4"><div class="td_block_wrap td_block_social_counter"><h4 class="block-title"><span>{esc(FOLLOW)}</span></h4></div></div>
</div></div></div>
<div class="td-sub-footer-container td-container-wrap"><div class="td-container"><div class="td-pb-row"><div class="td-pb-span-td-sub-footer-menu"><ul class="td-subfooter-menu">{footer_menu}</ul></div>
<div class="td-pb-span-td-sub-footer-copy"><div class="td-sub-footer-copy">{esc(COPYRIGHT)}</div></div></div></div></div>
</div>
<div id="td-cookie" class="td-cookie-notice"><span>{esc(COOKIE)}</span> <a class="td-cookie-accept" href="#">{COOKIE_BUTTON}</a></div>
</body>
</html>"""

    def _sidebar(self, ctx: SiteContext) -> str:
        popular = "".join(f'<div class="td_module_6 td_module_wrap"><div class="td-module-thumb"><a href="{esc(ctx.article_url(a))}"><img src="{esc(ctx.image_url(a, a.lead.image))}" alt="" width="100" height="70"></a></div>'
                          f'<div class="item-details"><h3 class="entry-title td-module-title"><a href="{esc(ctx.article_url(a))}">{esc(a.title)}</a></h3>'
                          f'<div class="td-module-meta-info"><span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{a.published.isoformat()}">{a.published:%B %d, %Y}</time></span></div></div></div>'
                          for a in ctx.popular())
        tags = "".join(f'<a href="{esc(ctx.listing_url("tag", slug))}">{esc(name)}<span class="td-cat-no">{n}</span></a>' for name, slug, n in ctx.tag_cloud(10))
        return f"""<div class="td-pb-span4 td-main-sidebar" role="complementary"><div class="td-ss-main-sidebar">
<div class="td_block_wrap td_block_9 td_block_widget"><div class="td-block-title-wrap"><h4 class="block-title td-block-title"><span class="td-pulldown-size">{esc(POPULAR)}</span></h4></div><div class="td_block_inner">{popular}</div></div>
<div class="td_block_wrap tdm_block_newsletter"><h4 class="block-title"><span>{esc(NEWSLETTER)}</span></h4><p class="tdm-descr">{esc(NEWSLETTER_TEXT)}</p><form class="tdm-newsletter-form" action="{esc(ctx.url('/newsletter/'))}" method="post"><input type="email" name="email" placeholder="Your email"><button class="tds-button">{esc(NEWSLETTER_BUTTON)}</button></form></div>
<div class="td_block_wrap td_block_popular_categories"><h4 class="block-title"><span>{esc(TOPICS)}</span></h4><div class="td-category">{tags}</div></div>
</div></div>"""

    def render_article(self, ctx: SiteContext, article: DemoArticle, body: str) -> str:
        author = ctx.author(article.author)
        section = ctx.category(article.category)
        url = esc(ctx.article_url(article))
        crumbs = "".join(f'<i class="td-icon-right td-bread-sep"></i><span><a href="{esc(ctx.listing_url("category", c.slug))}" class="entry-crumb">{esc(c.name)}</a></span>'
                         for c in ctx.crumbs(article.category))
        share = "".join(f'<a class="td-social-sharing-button td-social-sharing-button-js td-social-network td-social-{net}" href="https://{net}.example/share?url={url}" title="{esc(label)}">'
                        f'<div class="td-social-but-icon"><i class="td-icon-{net}"></i></div><div class="td-social-but-text">{esc(label)}</div></a>' for net, label in SHARE)
        related = "".join(f'<div class="td-related-span4"><div class="td_module_related_posts td-animation-stack td_mod_related_posts"><div class="td-module-image"><div class="td-module-thumb"><a href="{esc(ctx.article_url(r))}" class="image-wrap"><img src="{esc(ctx.image_url(r, r.lead.image))}" alt="" width="218" height="150"></a></div></div>'
                          f'<div class="item-details"><h3 class="entry-title td-module-title"><a href="{esc(ctx.article_url(r))}">{esc(r.title)}</a></h3></div></div></div>'
                          for r in ctx.related(article, 3))
        tags = "".join(f'<li><a href="{esc(ctx.listing_url("tag", slugify(t)))}">{esc(t)}</a></li>' for t in article.tags)
        older, newer = ctx.neighbours(article)
        nextprev = ""
        if older:
            nextprev += f'<div class="td-block-span6"><span>Previous article</span><a href="{esc(ctx.article_url(older))}">{esc(older.title)}</a></div>'
        if newer:
            nextprev += f'<div class="td-block-span6 td-post-next-prev-content"><span>Next article</span><a href="{esc(ctx.article_url(newer))}">{esc(newer.title)}</a></div>'
        head = (f'<link rel="canonical" href="{url}">\n{og_meta(ctx, article, "en_GB")}\n'
                f"{jsonld(ctx, article) if self.uses_jsonld(article) else ''}")
        main = f"""<div class="td-main-content-wrap td-container-wrap"><div class="td-container td-post-template-default">
<div class="td-crumb-container"><div class="entry-crumbs"><span><a title="" class="entry-crumb" href="{esc(ctx.url('/'))}">Home</a></span>{crumbs}</div></div>
<div class="td-pb-row"><div class="td-pb-span8 td-main-content" role="main"><div class="td-ss-main-content">
<article id="post-{article.id}" class="post-{article.id} post type-post status-publish format-standard has-post-thumbnail">
<div class="td-post-header">
<ul class="td-category"><li class="entry-category"><a href="{esc(ctx.listing_url('category', section.slug))}">{esc(section.name)}</a></li></ul>
<header class="td-post-title"><h1 class="entry-title">{esc(article.title)}</h1><p class="td-post-sub-title">{esc(article.summary)}</p>
<div class="td-module-meta-info"><div class="td-post-author-name"><div class="td-author-by">By</div> <a href="{esc(ctx.listing_url('author', author.slug))}">{esc(author.name)}</a><div class="td-author-line"> - </div></div>
<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{article.published.isoformat()}">{long_date(article.published)}</time></span>
<div class="td-post-comments"><a href="#comments"><i class="td-icon-comments"></i>0</a></div></div>
</header></div>
<div class="td-post-sharing-top"><div class="td-post-sharing-classic"></div><div class="td-default-sharing"><div class="td-social-sharing-buttons">{share}</div></div></div>
<div class="td-post-content tagdiv-type">
<div class="td-post-featured-image"><figure><a href="{esc(ctx.image_url(article, article.lead.image))}" data-caption="{esc(article.lead.caption)}"><img width="696" height="392" class="entry-thumb" src="{esc(ctx.image_url(article, article.lead.image))}" alt="" title="{esc(article.lead.caption)}"></a><figcaption class="wp-caption-text">{esc(article.lead.caption)}</figcaption></figure></div>
{body}
</div>
<footer>
<div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>{tags}</ul></div>
<div class="td-post-sharing-bottom"><div class="td-social-sharing-buttons">{share}</div></div>
<div class="td-block-row td-post-next-prev">{nextprev}</div>
<div class="author-box-wrap"><a href="{esc(ctx.listing_url('author', author.slug))}"><img alt="{esc(author.name)}" src="{esc(ctx.asset_url('avatar-' + author.slug))}" class="avatar avatar-96 photo" height="96" width="96"></a><div class="desc"><div class="td-author-name vcard author"><span class="fn"><a href="{esc(ctx.listing_url('author', author.slug))}">{esc(author.name)}</a></span></div><div class="td-author-description">{esc(author.bio)}</div></div></div>
</footer>
</article>
<div class="td_block_wrap td_block_related_posts td_with_ajax_pagination td-pb-border-top td_block_template_1"><h4 class="td-related-title td-block-title"><a class="td-related-left td-cur-simple-item" href="#">{RELATED}</a><a class="td-related-right" href="#">{MORE_FROM_AUTHOR}</a></h4><div class="td_block_inner"><div class="td-related-row">{related}</div></div></div>
<div class="comments" id="comments">
{comment_form(ctx, article, '/wp-comments-post.php', 'Post Comment', 'td-comments-form')}
</div>
</div></div>
{self._sidebar(ctx)}
</div></div></div>"""
        return self._page(ctx, f"{article.title} - {ctx.outlet.name}", head,
                          f"post-template-default single single-post postid-{article.id} single-format-standard", main)

    def render_listing(self, ctx: SiteContext, listing: Listing) -> str:
        modules = "".join(
            f'<div class="td_module_10 td_module_wrap td-animation-stack"><div class="td-module-thumb"><a href="{esc(ctx.article_url(a))}" rel="bookmark" class="td-image-wrap"><img width="218" height="150" class="entry-thumb" src="{esc(ctx.image_url(a, a.lead.image))}" alt=""></a></div>'
            f'<div class="item-details"><h3 class="entry-title td-module-title"><a href="{esc(ctx.article_url(a))}" rel="bookmark">{esc(a.title)}</a></h3>'
            f'<div class="td-module-meta-info"><span class="td-post-author-name"><a href="{esc(ctx.listing_url("author", a.author))}">{esc(ctx.author(a.author).name)}</a> <span>-</span> </span>'
            f'<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{a.published.isoformat()}">{long_date(a.published)}</time></span></div>'
            f'<div class="td-excerpt">{esc(a.summary)}</div></div></div>'
            for a in listing.items)
        heading = "" if listing.kind == "home" else f'<div class="td-category-header td-container-wrap"><div class="td-container"><h1 class="entry-title td-page-title">{esc(listing.title)}</h1></div></div>'
        main = f"""{heading}
<div class="td-main-content-wrap td-container-wrap"><div class="td-container"><div class="td-pb-row"><div class="td-pb-span8 td-main-content"><div class="td-ss-main-content">
{modules}
<div class="page-nav td-pb-padding-side">{pager(ctx, listing, "Next page", "Previous page")}</div>
</div></div>
{self._sidebar(ctx)}
</div></div></div>"""
        title = f"{ctx.outlet.name} - {ctx.outlet.tagline}" if listing.kind == "home" else f"{listing.title} Archives - {ctx.outlet.name}"
        head = f'<link rel="canonical" href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page))}">'
        return self._page(ctx, title, head, "home" if listing.kind == "home" else f"archive {listing.kind}", main)
