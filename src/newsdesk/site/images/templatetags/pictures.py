"""Template tags that show articles' pictures from the site's own renditions.

    {% load pictures %}
    {% article_pictures article as pictures %}        one query per page, however often called
    {% picture pictures url alt sizes="100vw" %}      <picture> of a stored picture, else the outlet's <img>
    {{ article.html|article_body|local_pictures:pictures }}   the body's <img>s replaced the same way
    {% og_image pictures url %}                      absolute address for og:image
    {% ld_pictures data pictures as data %}           JSON-LD with the same addresses
    {% card_picture a sizes="20rem" %}               a card's lead picture (no query on newsdesk's lists)

Only ``Picture.html`` and ``render.outlet_html`` write markup; every value in it is escaped there.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from newsdesk.site.articles import sanitize

from .. import render

register = template.Library()

BODY_SIZES = "(min-width: 46rem) 44rem, 100vw"
# Included templates get a render context of their own; the bottom one is shared by the whole page.
_PAGE_KEY = "newsdesk.images"


def _page_state(context) -> dict:
    return context.render_context.dicts[0].setdefault(_PAGE_KEY, {"articles": {}})


@register.simple_tag(takes_context=True)
def article_pictures(context, article) -> dict[str, render.Picture]:
    """The article's stored pictures by the outlet's address; read once per page."""
    if not article.lead_image_url and "<img" not in (article.html or ""):
        return {}
    state = _page_state(context)["articles"]
    if article.pk not in state:
        state[article.pk] = render.for_article(article.pk)
    return state[article.pk]


@register.simple_tag
def picture(pictures, url: str, alt: str = "", sizes: str = BODY_SIZES, loading: str = "lazy") -> SafeString:
    """The stored picture of ``url``, else the outlet's picture at ``url``."""
    stored = (pictures or {}).get(url)
    if stored is not None:
        return stored.html(alt or "", sizes, loading=loading)
    return render.outlet_html(url, alt or "", loading=loading)


@register.filter
def local_pictures(html: SafeString, pictures) -> SafeString:
    """Sanitized article HTML (``article_body``'s) with its stored pictures served by the site."""
    return render.body_html(html, pictures or {}, BODY_SIZES)


@register.simple_tag(takes_context=True)
def og_image(context, pictures, url: str) -> str:
    """The absolute address of the widest JPEG of ``url``'s stored picture, else the outlet's address."""
    stored = (pictures or {}).get(url)
    request = context.get("request")
    if stored is not None and request is not None:
        return request.build_absolute_uri(stored.largest.url)
    return sanitize.http_url(url or "")


@register.simple_tag(takes_context=True)
def ld_pictures(context, data: dict, pictures) -> dict:
    """JSON-LD ``data`` with its ``image`` addresses of stored pictures made the site's own."""
    images = data.get("image") if isinstance(data, dict) else None
    if not pictures or not isinstance(images, list):
        return data
    return {**data, "image": [og_image(context, pictures, url) if isinstance(url, str) else url for url in images]}


@register.simple_tag
def card_picture(article, sizes: str = "(min-width: 40rem) 20rem, 100vw") -> SafeString:
    """A card's lead picture: the stored one when there is one, else the outlet's.

    newsdesk's lists (``queries.cards``) carry the renditions as ``lead_picture`` and need no query;
    another article (a theme showing one elsewhere) costs one.
    """
    url = article.lead_image_url
    if hasattr(article, "lead_picture"):
        stored = render.Picture.from_renditions(article.lead_picture)
    else:
        stored = render.leads([article.pk]).get(article.pk)
    if stored is not None:
        return stored.html("", sizes)
    return render.outlet_html(url, "")
