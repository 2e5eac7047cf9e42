"""schema.org data about a page, as JSON-LD script blocks."""

from __future__ import annotations

import json

from django.utils.safestring import SafeString, mark_safe

from .sanitize import http_url

# Inside <script>, "</script>" or "<!--" in a string would end the block early; JSON allows
# these characters escaped, so no value can break out.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script(data: dict) -> SafeString:
    """``data`` as a <script type="application/ld+json"> element."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{encoded}</script>')


def breadcrumb_list(crumbs: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from (name, absolute URL) pairs, the page itself last."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": url}
                            for n, (name, url) in enumerate(crumbs, start=1)],
    }


def news_article(article, page_url: str, description: str) -> dict:
    """A NewsArticle for an article republished at ``page_url`` from its outlet's URL."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "url": page_url,
        "mainEntityOfPage": page_url,
        "isBasedOn": article.canonical_url,
        "datePublished": article.date.isoformat(),
        "dateModified": max(article.date, article.updated_at).isoformat(),
        "description": description,
        "publisher": {"@type": "Organization", "name": article.source.name,
                      **({"url": article.source.homepage} if article.source.homepage else {})},
    }
    if article.authors:
        data["author"] = [{"@type": "Person", "name": str(name)} for name in article.authors]
    image = http_url(article.lead_image_url)
    if image:
        data["image"] = [image]
    if article.category_id:
        data["articleSection"] = article.category.name
    if article.language:
        data["inLanguage"] = article.language
    return data
