"""Template tags for article pages and listings.

The only filters that return markup are ``article_body`` (the sanitized article HTML) and
``ld_json`` (escaped JSON); templates themselves never mark anything safe.
"""

from __future__ import annotations

from django import template

from newsdesk.site.articles import jsonld, sanitize
from newsdesk.site.articles.text import listing_excerpt
from newsdesk.site.context_processors import site_info

register = template.Library()


@register.filter
def http_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address with a host, else "" (a reader's website,
    an outlet's image or link): a template's ``{% if %}`` then leaves the link or image out."""
    return sanitize.http_url(url or "")


@register.filter
def excerpt(article, length: int = 160) -> str:
    """The start of an article's text, cut at a word boundary and ended with "…"."""
    return listing_excerpt(article, int(length))


@register.filter(expects_localtime=True)
def isodate(value) -> str:
    """A date and time in ISO 8601, as ``|date:'c'`` writes it (in the site's time zone), without
    the formatting machinery: a page shows a dozen dates."""
    return value.isoformat() if value else ""


@register.filter
def article_body(html: str):
    """An article's body, cleaned to the allow-list and ready to render."""
    return sanitize.article_html(html)


@register.filter
def ld_json(data: dict):
    """``data`` as a JSON-LD script block."""
    return jsonld.script(data)


@register.filter
def authors(names) -> str:
    """Author names joined: "A", "A and B", "A, B and C"."""
    names = [str(n).strip() for n in (names or []) if str(n).strip()]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@register.simple_tag
def get_site() -> dict:
    """The site's name, tagline and logo, for templates rendered without a request (error pages)."""
    return site_info()
