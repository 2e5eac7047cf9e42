"""The outlets' feeds: RSS 2.0, Atom 1.0, JSON Feed 1.1 and a Google News sitemap, newest first."""

from __future__ import annotations

import json
from datetime import timezone
from email.utils import format_datetime
from types import MappingProxyType
from xml.sax.saxutils import escape

from .context import SiteContext
from .model import DemoArticle

CONTENT_TYPES = MappingProxyType({
    "rss": "application/rss+xml; charset=UTF-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
    "sitemap": "application/xml; charset=utf-8",
})


def render_feed(ctx: SiteContext) -> bytes:
    """The outlet's feed document, listing every article, newest first."""
    render = {"rss": _rss, "atom": _atom, "jsonfeed": _json_feed, "sitemap": _news_sitemap}[ctx.outlet.feed_kind]
    return render(ctx).encode("utf-8")


def _tracked(url: str, medium: str) -> str:
    """An article link as feeds often carry it, with campaign parameters a reader should strip."""
    return f"{url}{'&' if '?' in url else '?'}utm_source={medium}&utm_medium=feed"


def _body(ctx: SiteContext, article: DemoArticle) -> str:
    return ctx.theme.body_html(ctx, article, ctx.body_blocks(article))


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rss(ctx: SiteContext) -> str:
    items = []
    for i, a in enumerate(ctx.articles):
        url = ctx.article_url(a)
        link = _tracked(url, "rss") if i % 3 == 1 else url
        content = f"\n\t\t<content:encoded>{_cdata(_body(ctx, a))}</content:encoded>" if i % 2 == 0 else ""
        categories = "".join(f"\n\t\t<category>{_cdata(c.name)}</category>" for c in ctx.crumbs(a.category))
        categories += "".join(f"\n\t\t<category>{_cdata(t)}</category>" for t in a.tags)
        items.append(f"""\t<item>
\t\t<title>{escape(a.title)}</title>
\t\t<link>{escape(link)}</link>
\t\t<comments>{escape(url)}#respond</comments>
\t\t<dc:creator>{_cdata(ctx.author(a.author).name)}</dc:creator>
\t\t<pubDate>{format_datetime(a.published)}</pubDate>{categories}
\t\t<guid isPermaLink="false">{escape(ctx.url(ctx.theme.shortlink(a) or ctx.theme.article_path(a)))}</guid>
\t\t<description>{_cdata(a.summary)}</description>{content}
\t\t<media:content url="{escape(ctx.image_url(a, a.lead.image))}" medium="image" width="640" height="360"/>
\t</item>""")
    built = ctx.articles[0].modified if ctx.articles else None
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:media="http://search.yahoo.com/mrss/"
\t>
<channel>
\t<title>{escape(ctx.outlet.name)}</title>
\t<atom:link href="{escape(ctx.feed_url)}" rel="self" type="application/rss+xml" />
\t<link>{escape(ctx.url("/"))}</link>
\t<description>{escape(ctx.outlet.tagline)}</description>
\t<lastBuildDate>{format_datetime(built) if built else ""}</lastBuildDate>
\t<language>{escape(ctx.outlet.language)}</language>
\t<sy:updatePeriod>hourly</sy:updatePeriod>
\t<sy:updateFrequency>1</sy:updateFrequency>
\t<generator>https://wordpress.org/?v=6.6.2</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def _atom(ctx: SiteContext) -> str:
    entries = []
    for i, a in enumerate(ctx.articles):
        url = ctx.article_url(a)
        link = _tracked(url, "atom") if i % 2 == 1 else url
        intro = f'<p><img src="{ctx.image_url(a, a.lead.image)}" alt=""></p><p>{a.summary}</p>'
        content = f'\n\t\t<content type="html">{escape(_body(ctx, a))}</content>' if i % 3 != 2 else ""
        entries.append(f"""\t<entry>
\t\t<title>{escape(a.title)}</title>
\t\t<link rel="alternate" type="text/html" href="{escape(link)}"/>
\t\t<published>{a.published.isoformat()}</published>
\t\t<updated>{a.modified.isoformat()}</updated>
\t\t<id>{escape(url)}</id>
\t\t<author><name>{escape(ctx.author(a.author).name)}</name></author>
\t\t<summary type="html">{escape(intro)}</summary>{content}
\t\t<category term="{escape(ctx.category(a.category).name)}" />
\t</entry>""")
    updated = ctx.articles[0].modified.isoformat() if ctx.articles else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!-- generator="Joomla! - Open Source Content Management" -->
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(ctx.outlet.language.lower())}">
\t<title type="text">{escape(ctx.outlet.name)}</title>
\t<subtitle type="text">{escape(ctx.outlet.tagline)}</subtitle>
\t<link rel="alternate" type="text/html" href="{escape(ctx.url("/"))}"/>
\t<id>{escape(ctx.feed_url)}</id>
\t<updated>{updated}</updated>
\t<author><name>{escape(ctx.outlet.name)}</name></author>
\t<generator uri="https://www.joomla.org">Joomla! - Open Source Content Management</generator>
\t<link rel="self" type="application/atom+xml" href="{escape(ctx.feed_url)}"/>
{chr(10).join(entries)}
</feed>
"""


def _json_feed(ctx: SiteContext) -> str:
    items = []
    for i, a in enumerate(ctx.articles):
        url = ctx.article_url(a)
        item = {
            "id": f"mw-{a.id}",
            "url": _tracked(url, "jsonfeed") if i % 4 == 1 else url,
            "title": a.title,
            "summary": a.summary,
            "image": ctx.image_url(a, a.lead.image),
            "date_published": a.published.isoformat(),
            "date_modified": a.modified.isoformat(),
            "authors": [{"name": ctx.author(a.author).name, "url": ctx.listing_url("author", a.author)}],
            "tags": [ctx.category(a.category).name, *a.tags],
            "language": ctx.outlet.language,
        }
        if i % 2 == 0:
            item["content_html"] = _body(ctx, a)
        else:
            item["content_text"] = a.summary
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": ctx.outlet.name,
        "home_page_url": ctx.url("/"),
        "feed_url": ctx.feed_url,
        "description": ctx.outlet.tagline,
        "icon": ctx.asset_url("logo"),
        "language": ctx.outlet.language,
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=1)


def _news_sitemap(ctx: SiteContext) -> str:
    urls = []
    for a in ctx.articles:
        published = a.published.astimezone(timezone.utc).isoformat()
        urls.append(f"""<url>
\t<loc>{escape(ctx.article_url(a))}</loc>
\t<lastmod>{a.modified.astimezone(timezone.utc).isoformat()}</lastmod>
\t<news:news>
\t\t<news:publication><news:name>{escape(ctx.outlet.name)}</news:name><news:language>{escape(ctx.outlet.language.split("-")[0])}</news:language></news:publication>
\t\t<news:publication_date>{published}</news:publication_date>
\t\t<news:title>{escape(a.title)}</news:title>
\t\t<news:keywords>{escape(", ".join(a.tags))}</news:keywords>
\t</news:news>
\t<image:image><image:loc>{escape(ctx.image_url(a, a.lead.image))}</image:loc><image:caption>{escape(a.lead.caption)}</image:caption></image:image>
</url>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
{chr(10).join(urls)}
</urlset>
"""
