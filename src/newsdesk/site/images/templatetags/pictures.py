"""Template tags that show articles' pictures from the site's own renditions.

    {% load pictures %}
    {% article_pictures article as pictures %}        one query per page, however often called
    {% picture pictures url alt sizes="100vw" %}      <picture> of a stored picture, else the outlet's <img>
    {{ article.html|article_body|local_pictures:pictures }}   the body's <img>s replaced the same way
    {% og_image pictures url %}                      absolute address for og:image
    {% ld_pictures data pictures as data %}           JSON-LD with the same addresses
    {% card_picture a sizes="20rem" %}               a card's lead picture, one query for all cards

Only ``Picture.html`` and ``render.outlet_html`` write markup; every value in it is escaped there.
"""

from __future__ import annotations

from django import template
from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from newsdesk.site.articles import sanitize
from newsdesk.site.articles.models import Article

from .. import render

register = template.Library()

BODY_SIZES = "(min-width: 46rem) 44rem, 100vw"
# Included templates get a render context of their own; the bottom one is shared by the whole page.
_PAGE_KEY = "newsdesk.images"


def _page_state(context) -> dict:
    return context.render_context.dicts[0].setdefault(_PAGE_KEY, {"articles": {}, "leads": {}, "leads_for": set()})


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


@register.simple_tag(takes_context=True)
def card_picture(context, article, sizes: str = "(min-width: 40rem) 20rem, 100vw") -> SafeString:
    """A card's lead picture: the stored one when there is one, else the outlet's.

    A list annotated with ``render.lead_renditions()`` as ``lead_picture`` needs no query; otherwise
    the first card reads the lead pictures of every article on the page in one query.
    """
    url = article.lead_image_url
    if hasattr(article, "lead_picture"):
        stored = render.Picture.from_renditions(article.lead_picture)
    else:
        stored = _page_leads(context, article).get(article.pk)
    if stored is not None:
        return stored.html("", sizes)
    return render.outlet_html(url, "")


def _page_leads(context, article) -> dict[int, render.Picture]:
    state = _page_state(context)
    if article.pk not in state["leads_for"]:
        ids = (_articles_in(context) | {article.pk}) - state["leads_for"]
        state["leads"].update(render.leads(ids))
        state["leads_for"] |= ids
    return state["leads"]


def _articles_in(context) -> set[int]:
    """Ids of the articles the page's context holds (lists, a page of a paginator, sections of
    lists), so that one query serves every card.

    Values are told apart by ``type()``, never by ``isinstance`` or an attribute: either would
    evaluate a lazy value (the reader's user, a CSRF token) and make the page private.
    """
    found: set[int] = set()

    def visit(value, depth: int) -> None:
        kind = type(value)
        if issubclass(kind, Article):
            if value.lead_image_url:
                found.add(value.pk)
            return
        if depth > 2:
            return
        if issubclass(kind, Page):
            value, kind = value.object_list, type(value.object_list)
        if issubclass(kind, QuerySet):
            value, kind = value._result_cache or [], list  # only once the list has been read
        if issubclass(kind, (list, tuple)):
            for item in value:
                visit(item, depth + 1)

    for layer in context.dicts:
        for value in list(layer.values()):
            visit(value, 0)
    return found
