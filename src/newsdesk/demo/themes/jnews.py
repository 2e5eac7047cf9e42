"""The Harbor Ledger: a WordPress site on a JNews-style magazine theme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import (EMAIL_NOTE, LEAVE_A_REPLY, SAVE_DETAILS, WordPressTheme, comment_form, esc, feed_links, jsonld,
                   long_date, og_meta, pager)

from ..model import slugify

if TYPE_CHECKING:
    from ..context import Listing, SiteContext
    from ..model import DemoArticle, Figure

TOP_MENU = ("About the Ledger", "Advertise in the Ledger", "Contact the Newsroom")
EXTRA_MENU = ("Ledger Podcasts", "Tide Tables and Shipping")
SHARE = (("facebook", "Share on Facebook"), ("twitter", "Share on X"), ("whatsapp", "Share on WhatsApp"),
         ("email", "Send by Email"))
NEXT_POST, PREVIOUS_POST = "Next Post", "Previous Post"
RELATED = "Related Posts"
POPULAR = "Most Read on the Ledger"
TOPICS = "Harbour Topics"
NEWSLETTER = "Subscribe to the Harbor Ledger morning briefing"
NEWSLETTER_TEXT = "Tide times, council votes and the day's catch prices, in your inbox before seven."
NEWSLETTER_BUTTON = "Sign me up for the briefing"
COOKIE = "The Harbor Ledger uses cookies to remember your tide-table preferences and to measure readership."
COOKIE_BUTTON = "Accept and continue"
ABOUT = "The Harbor Ledger has covered Port Aldwick and the Saltmarsh coast since 1887."
COPYRIGHT = "© 2026 The Harbor Ledger. All rights reserved. Published by Greyhaven Press Ltd."
FOOTER_MENU = ("Ledger Privacy Notice", "Corrections and Clarifications", "Terms of Use")
READ_MORE = "Continue reading"

STYLE = """body{margin:0;font:16px/1.6 Georgia,serif;color:#222}a{color:#0b4f6c}.jeg_container{max-width:1140px;margin:0 auto;padding:0 15px}
.jeg_topbar{background:#0b2e3f;color:#cfe3ec;font:13px sans-serif}.jeg_topbar a{color:#cfe3ec;margin-right:1em}
.jeg_main_menu{display:flex;gap:1.2em;list-style:none;padding:.6em 0;margin:0;background:#0b4f6c}.jeg_main_menu a{color:#fff;text-decoration:none;font:bold 14px sans-serif}
.row{display:flex;gap:30px}.jeg_main_content{flex:2}.jeg_sidebar{flex:1}.jeg_footer{background:#0b2e3f;color:#cfe3ec;padding:2em 0;margin-top:3em}
.jnews-cookie-law-policy{position:fixed;bottom:0;left:0;right:0;background:#fffbe6;padding:.8em;font:14px sans-serif}img{max-width:100%;height:auto}"""


class JNewsTheme(WordPressTheme):
    key = "jnews"
    body_selector = "div.entry-content div.content-inner"
    feed_path = "/feed/"
    robots_disallow = ("/wp-admin/",)
    robots_allow = ("/wp-admin/admin-ajax.php",)
    banner = ("Saltmarsh Lines", "Winter crossings to the islands from £19")
    colour = "#0b4f6c"
    phrases = (*TOP_MENU, *EXTRA_MENU, *(label for _, label in SHARE), NEXT_POST, PREVIOUS_POST, RELATED,
               POPULAR, TOPICS, NEWSLETTER, NEWSLETTER_TEXT, NEWSLETTER_BUTTON, COOKIE, COOKIE_BUTTON, ABOUT,
               COPYRIGHT, *FOOTER_MENU, LEAVE_A_REPLY, EMAIL_NOTE, SAVE_DETAILS)

    def article_path(self, article: DemoArticle) -> str:
        return f"/{article.published:%Y/%m/%d}/{article.slug}/"

    def image_path(self, article: DemoArticle, image: str) -> str:
        return f"/wp-content/uploads/{article.published:%Y/%m}/{image}.png"

    def asset_path(self, name: str) -> str:
        if name.startswith("avatar-"):
            return f"/wp-content/uploads/avatars/{name[7:]}.svg"
        return {"logo": "/wp-content/themes/jnews/assets/img/logo.svg",
                "banner": "/wp-content/uploads/ads/leaderboard-saltmarsh.svg"}[name]

    def uses_jsonld(self, article: DemoArticle) -> bool:
        return True

    def figure_html(self, ctx: SiteContext, article: DemoArticle, figure: Figure) -> str:
        return (f'<figure class="wp-block-image size-large"><img decoding="async" width="640" height="360" '
                f'src="{esc(ctx.image_url(article, figure.image))}" alt="{esc(figure.caption)}" '
                f'class="wp-image-{article.id}"><figcaption class="wp-element-caption">{esc(figure.caption)}'
                f"</figcaption></figure>")

    def quote_html(self, block, inner: str) -> str:
        cite = f"<cite>{esc(block.cite)}</cite>" if block.cite else ""
        return f'<blockquote class="wp-block-quote"><p>{inner}</p>{cite}</blockquote>'

    # Pages

    def _page(self, ctx: SiteContext, title: str, head: str, body_class: str, main: str) -> str:
        menu = "".join(f'<li class="menu-item"><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></li>'
                       for c in ctx.top_categories())
        extra = "".join(f'<li class="menu-item"><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>'
                        for label in EXTRA_MENU)
        top = "".join(f'<li><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>' for label in TOP_MENU)
        return f"""<!DOCTYPE html>
<html lang="{esc(ctx.outlet.language)}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
{feed_links(ctx)}
<meta name="generator" content="WordPress 6.6.2">
<style id="jnews-inline-css">{STYLE}</style>
</head>
<body class="{body_class} jnews jsc_normal">
<div class="jeg_viewport">
<div class="jeg_header_wrapper"><div class="jeg_header normal">
<div class="jeg_topbar jeg_container dark"><div class="container"><ul class="jeg_menu jeg_top_menu">{top}</ul></div></div>
<div class="jeg_midbar jeg_container normal"><div class="container">
<div class="jeg_logo jeg_desktop_logo"><a href="{esc(ctx.url('/'))}"><img src="{esc(ctx.asset_url('logo'))}" alt="{esc(ctx.outlet.name)}" width="300" height="60"></a></div>
<div class="jeg_ad jeg_ad_top jnews_header_ads"><div class="ads-wrapper"><a href="{esc(ctx.url('/advertise/'))}" rel="noopener sponsored" class="adlink ads_image"><img src="{esc(ctx.asset_url('banner'))}" alt="Advertisement" width="728" height="90"></a></div></div>
</div></div>
<div class="jeg_bottombar jeg_navbar jeg_container jeg_navbar_wrapper"><div class="container"><div class="jeg_nav_row"><div class="jeg_main_menu_wrapper"><ul class="jeg_menu jeg_main_menu jeg_menu_style_1"><li class="menu-item"><a href="{esc(ctx.url('/'))}">Home</a></li>{menu}{extra}</ul></div></div></div></div>
</div></div>
<div class="jeg_main"><div class="jeg_container">
{main}
</div></div>
{self._footer(ctx)}
</div>
<div class="jnews-cookie-law-policy"><div class="cookie-law-text">{esc(COOKIE)}</div><button type="button" class="btn-cookie">{esc(COOKIE_BUTTON)}</button></div>
</body>
</html>"""

    def _footer(self, ctx: SiteContext) -> str:
        menu = "".join(f'<li><a href="{esc(ctx.url("/" + slugify(label) + "/"))}">{esc(label)}</a></li>' for label in FOOTER_MENU)
        return f"""<div class="footer-holder" id="footer"><div class="jeg_footer jeg_footer_1 dark"><div class="jeg_footer_container jeg_container">
<div class="jeg_footer_content"><div class="container"><div class="row"><div class="jeg_footer_primary"><div class="footer_widget widget_jnews_about"><div class="jeg_about"><img src="{esc(ctx.asset_url('logo'))}" alt="{esc(ctx.outlet.name)}"><p>{esc(ABOUT)}</p></div></div></div></div></div></div>
<div class="jeg_footer_bottom"><div class="container"><p class="copyright">{esc(COPYRIGHT)}</p><ul class="jeg_menu_footer">{menu}</ul></div></div>
</div></div></div>"""

    def _sidebar(self, ctx: SiteContext) -> str:
        popular = "".join(
            f'<div class="jeg_post jeg_pl_sm"><div class="jeg_postblock_content"><h3 class="jeg_post_title">'
            f'<a href="{esc(ctx.article_url(a))}">{esc(a.title)}</a></h3><div class="jeg_post_meta"><div class="jeg_meta_date">'
            f'<i class="fa fa-clock-o"></i> {long_date(a.published)}</div></div></div></div>' for a in ctx.popular())
        tags = "".join(f'<a href="{esc(ctx.listing_url("tag", slug))}" class="tag-cloud-link" style="font-size:{10 + min(n, 8)}pt">{esc(name)}</a> '
                       for name, slug, n in ctx.tag_cloud())
        return f"""<div class="jeg_sidebar jeg_sticky_sidebar col-md-4"><div class="theiaStickySidebar">
<div class="widget widget_jnews_module_block_21"><div class="jeg_block_heading jeg_block_heading_6"><h3 class="jeg_block_title"><span>{esc(POPULAR)}</span></h3></div><div class="jeg_posts">{popular}</div></div>
<div class="widget jnews_widget_newsletter"><div class="jeg_block_heading"><h3 class="jeg_block_title"><span>{esc(NEWSLETTER)}</span></h3></div><p class="jeg_newsletter_desc">{esc(NEWSLETTER_TEXT)}</p><form class="jeg_newsletter_form" action="{esc(ctx.url('/newsletter/'))}" method="post"><input type="email" name="EMAIL" placeholder="Your email address" required><button type="submit">{esc(NEWSLETTER_BUTTON)}</button></form></div>
<div class="widget widget_tag_cloud"><div class="jeg_block_heading"><h3 class="jeg_block_title"><span>{esc(TOPICS)}</span></h3></div><div class="tagcloud">{tags}</div></div>
</div></div>"""

    def _share(self, ctx: SiteContext, article: DemoArticle, where: str) -> str:
        url = esc(ctx.article_url(article))
        buttons = "".join(f'<a href="https://www.{net}.example/share?u={url}" rel="nofollow" class="jeg_btn-{net} expanded">'
                          f'<i class="fa fa-{net}"></i><span>{esc(label)}</span></a>' for net, label in SHARE)
        return f'<div class="jeg_share_{where}_container"><div class="jeg_share_button clearfix"><div class="jeg_sharelist">{buttons}</div></div></div>'

    def render_article(self, ctx: SiteContext, article: DemoArticle, body: str) -> str:
        author = ctx.author(article.author)
        crumbs = "".join(f'<i class="fa fa-angle-right"></i><span><a href="{esc(ctx.listing_url("category", c.slug))}">{esc(c.name)}</a></span>'
                         for c in ctx.crumbs(article.category)[:-1])
        section = ctx.category(article.category)
        older, newer = ctx.neighbours(article)
        prevnext = ""
        if older:
            prevnext += f'<div class="jeg_prevpost"><span class="caption">{PREVIOUS_POST}</span><h3 class="post-title"><a href="{esc(ctx.article_url(older))}">{esc(older.title)}</a></h3></div>'
        if newer:
            prevnext += f'<div class="jeg_nextpost"><span class="caption">{NEXT_POST}</span><h3 class="post-title"><a href="{esc(ctx.article_url(newer))}">{esc(newer.title)}</a></h3></div>'
        related = "".join(
            f'<article class="jeg_post jeg_pl_md_5"><div class="jeg_thumb"><a href="{esc(ctx.article_url(r))}"><img src="{esc(ctx.image_url(r, r.lead.image))}" alt="{esc(r.title)}" width="320" height="180"></a></div>'
            f'<div class="jeg_postblock_content"><h3 class="jeg_post_title"><a href="{esc(ctx.article_url(r))}">{esc(r.title)}</a></h3>'
            f'<div class="jeg_post_meta"><div class="jeg_meta_date">{long_date(r.published)}</div></div></div></article>' for r in ctx.related(article))
        tags = "".join(f'<a href="{esc(ctx.listing_url("tag", slugify(t)))}" rel="tag">{esc(t)}</a>' for t in article.tags)
        head = (f'<link rel="canonical" href="{esc(ctx.article_url(article))}">\n{og_meta(ctx, article, "en_GB")}\n'
                f"{jsonld(ctx, article) if self.uses_jsonld(article) else ''}")
        main = f"""<div class="jeg_content jeg_singlepage"><div class="container">
<div class="jeg_breadcrumbs jeg_breadcrumb_container"><div id="breadcrumbs"><span><a href="{esc(ctx.url('/'))}">Home</a></span>{crumbs}<i class="fa fa-angle-right"></i><span class="breadcrumb_last_link"><a href="{esc(ctx.listing_url('category', section.slug))}">{esc(section.name)}</a></span></div></div>
<div class="row"><div class="jeg_main_content col-md-8"><div class="jeg_inner_content">
<div class="entry-header">
<h1 class="jeg_post_title">{esc(article.title)}</h1>
<h2 class="jeg_post_subtitle">{esc(article.summary)}</h2>
<div class="jeg_meta_container"><div class="jeg_post_meta jeg_post_meta_1"><div class="meta_left">
<div class="jeg_meta_author"><img alt="{esc(author.name)}" src="{esc(ctx.asset_url('avatar-' + author.slug))}" class="avatar avatar-80 photo" height="80" width="80"><span class="meta_text">by</span> <a href="{esc(ctx.listing_url('author', author.slug))}">{esc(author.name)}</a></div>
<div class="jeg_meta_date"><a href="{esc(ctx.article_url(article))}"><time class="entry-date published" datetime="{article.published.isoformat()}">{long_date(article.published)}</time></a></div>
<div class="jeg_meta_category"><span><span class="meta_text">in</span> <a href="{esc(ctx.listing_url('category', section.slug))}" rel="category tag">{esc(section.name)}</a></span></div>
</div><div class="meta_right"><div class="jeg_meta_comment"><a href="#comments"><i class="fa fa-comment-o"></i> 0</a></div></div></div></div>
</div>
{self._share(ctx, article, 'top')}
<div class="jeg_featured featured_image"><a href="{esc(ctx.image_url(article, article.lead.image))}"><div class="thumbnail-container animate-lazy" style="padding-bottom:56.25%"><img width="640" height="360" src="{esc(ctx.image_url(article, article.lead.image))}" class="attachment-jnews-750x375 size-jnews-750x375 wp-post-image" alt="{esc(article.lead.caption)}" decoding="async"></div></a><p class="wp-caption-text">{esc(article.lead.caption)}</p></div>
<div class="jeg_ad jeg_article jnews_content_top_ads"><div class="ads-wrapper"></div></div>
<div class="entry-content no-share">
<div class="content-inner jeg_link_underline">
{body}
</div>
<div class="jeg_post_tags"><span>Tags:</span> {tags}</div>
</div>
{self._share(ctx, article, 'bottom')}
<div class="jnews_prev_next_container"><div class="jeg_prevnext_post">{prevnext}</div></div>
<div class="jnews_author_box_container"><div class="jeg_authorbox"><div class="jeg_author_image"><img alt="{esc(author.name)}" src="{esc(ctx.asset_url('avatar-' + author.slug))}" class="avatar avatar-80 photo" height="80" width="80"></div>
<div class="jeg_author_content"><h3 class="jeg_author_name"><a href="{esc(ctx.listing_url('author', author.slug))}">{esc(author.name)}</a></h3><p class="jeg_author_desc">{esc(author.bio)}</p></div></div></div>
<div class="jnews_related_post_container"><div class="jeg_postblock_22 jeg_postblock jeg_module_hook jeg_pagination_disable jeg_col_2o3"><div class="jeg_block_heading jeg_block_heading_6"><h3 class="jeg_block_title"><span>Related<strong> Posts</strong></span></h3></div><div class="jeg_block_container"><div class="jeg_posts_wrap"><div class="jeg_posts jeg_load_more_flag">{related}</div></div></div></div></div>
<div class="jnews_comment_container"><div id="comments" class="comment-wrapper section">
{comment_form(ctx, article, '/wp-comments-post.php', 'Post Comment', 'jeg_comment_form')}
</div></div>
</div></div>
{self._sidebar(ctx)}
</div></div></div>"""
        return self._page(ctx, f"{article.title} - {ctx.outlet.name}", head,
                          f"wp-singular post-template-default single single-post postid-{article.id} single-format-standard jeg_single_tpl_1", main)

    def render_listing(self, ctx: SiteContext, listing: Listing) -> str:
        posts = "".join(
            f'<article class="jeg_post jeg_pl_md_2 format-standard"><div class="jeg_thumb"><a href="{esc(ctx.article_url(a))}"><div class="thumbnail-container"><img width="350" height="250" src="{esc(ctx.image_url(a, a.lead.image))}" alt="{esc(a.title)}"></div></a></div>'
            f'<div class="jeg_postblock_content"><h3 class="jeg_post_title"><a href="{esc(ctx.article_url(a))}">{esc(a.title)}</a></h3>'
            f'<div class="jeg_post_meta"><div class="jeg_meta_author"><span class="by">by</span> <a href="{esc(ctx.listing_url("author", a.author))}">{esc(ctx.author(a.author).name)}</a></div>'
            f'<div class="jeg_meta_date"><a href="{esc(ctx.article_url(a))}"><i class="fa fa-clock-o"></i> {long_date(a.published)}</a></div></div>'
            f'<div class="jeg_post_excerpt"><p>{esc(a.summary)}</p><a href="{esc(ctx.article_url(a))}" class="jeg_readmore">{READ_MORE}</a></div></div></article>'
            for a in listing.items)
        heading = "" if listing.kind == "home" else f'<div class="jeg_cat_header"><h1 class="jeg_cat_title">{esc(listing.title)}</h1></div>'
        main = f"""<div class="jeg_content"><div class="container"><div class="row"><div class="jeg_main_content col-md-8">
{heading}
<div class="jeg_postblock_5 jeg_postblock jeg_col_2o3"><div class="jeg_block_container"><div class="jeg_posts jeg_load_more_flag">{posts}</div></div>
<div class="jeg_navigation jeg_pagination jeg_pagenav_1">{pager(ctx, listing)}</div></div>
</div>
{self._sidebar(ctx)}
</div></div></div>"""
        title = ctx.outlet.name if listing.kind == "home" else f"{listing.title} Archives - {ctx.outlet.name}"
        if listing.page > 1:
            title = f"{title} - Page {listing.page}"
        head = f'<link rel="canonical" href="{esc(ctx.listing_url(listing.kind, listing.key, listing.page))}">'
        return self._page(ctx, title, head, "home blog" if listing.kind == "home" else f"archive {listing.kind}", main)

