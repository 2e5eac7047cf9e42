"""Markup for pictures: the site's own renditions in a ``<picture>`` (WebP, then JPEG with a
``srcset``), or the outlet's address where the picture could not be stored.

Pictures are looked up once per page: ``for_article`` reads one article's in one query,
``leads`` the lead pictures of a list of articles in one query.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.db.models import JSONField
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from newsdesk.site.articles import sanitize
from newsdesk.site.prepared import prepared

from .models import ArticleImage

PREFERRED_WIDTH = 640  # the plain ``src``: what a browser without srcset shows
# An <img> as the HTML sanitizer writes it: every attribute value double-quoted, with " escaped.
IMG_TAG = re.compile(r'<img\b((?:\s+[^\s=>"/]+(?:="[^"]*")?)*)\s*/?>', re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([^\s=>"/]+)(?:="([^"]*)")?')


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """A stored picture's renditions, narrowest first."""

    webp: tuple[Rendition, ...]
    jpeg: tuple[Rendition, ...]

    @classmethod
    def from_renditions(cls, renditions: list[dict] | None) -> Picture | None:
        prefix = get_script_prefix() + "media/images/"
        kinds: dict[str, list[Rendition]] = {"webp": [], "jpeg": []}
        for r in renditions or []:
            if r.get("type") in kinds:
                kinds[r["type"]].append(Rendition(prefix + r["name"], int(r["width"]), int(r["height"])))
        if not kinds["jpeg"]:
            return None
        return cls(webp=tuple(sorted(kinds["webp"], key=lambda r: r.width)),
                   jpeg=tuple(sorted(kinds["jpeg"], key=lambda r: r.width)))

    @property
    def fallback(self) -> Rendition:
        """The JPEG a browser shows from ``src``: the narrowest at least PREFERRED_WIDTH wide."""
        return next((r for r in self.jpeg if r.width >= PREFERRED_WIDTH), self.jpeg[-1])

    @property
    def largest(self) -> Rendition:
        return self.jpeg[-1]

    def html(self, alt: str, sizes: str, *, loading: str = "lazy", extra: str = "") -> SafeString:
        """``<picture>`` markup; ``alt`` and ``sizes`` are escaped here, ``extra`` is markup."""
        src = self.fallback
        source = (f'<source type="image/webp" srcset="{_srcset(self.webp)}" sizes="{htmlmod.escape(sizes)}">'
                  if self.webp else "")
        img = (f'<img src="{src.url}" srcset="{_srcset(self.jpeg)}" sizes="{htmlmod.escape(sizes)}" '
               f'width="{src.width}" height="{src.height}" alt="{htmlmod.escape(alt)}" '
               f'loading="{htmlmod.escape(loading)}" decoding="async"{extra}>')
        return mark_safe(f"<picture>{source}{img}</picture>")


def _srcset(renditions: tuple[Rendition, ...]) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


def outlet_html(url: str, alt: str, *, loading: str = "lazy") -> SafeString:
    """The outlet's picture, for one that could not be stored; "" for an address that is not http(s)."""
    url = sanitize.http_url(url or "")
    if not url:
        return mark_safe("")
    return mark_safe(f'<img src="{htmlmod.escape(url)}" alt="{htmlmod.escape(alt)}" '
                     f'loading="{htmlmod.escape(loading)}" referrerpolicy="no-referrer">')


def for_article(article_id: int) -> dict[str, Picture]:
    """The stored pictures of one article, by the outlet's address (one query)."""
    rows = _stored_pictures(article_id)
    return {url: picture for url, renditions in rows if (picture := Picture.from_renditions(renditions))}


@prepared
def _stored_pictures(article_id: int):
    return (ArticleImage.objects.filter(article_id=article_id, status=ArticleImage.STORED)
            .values_list("original_url", "image__renditions"))


def leads(article_ids: Iterable[int]) -> dict[int, Picture]:
    """The stored lead pictures of these articles, by article id (one query)."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    rows = (ArticleImage.objects.filter(article_id__in=ids, role=ArticleImage.LEAD, status=ArticleImage.STORED)
            .values_list("article_id", "image__renditions"))
    return {pk: picture for pk, renditions in rows if (picture := Picture.from_renditions(renditions))}


def lead_renditions() -> Subquery:
    """An annotation for article lists (``lead_picture``): the renditions of each article's stored
    lead picture, so that cards need no query of their own."""
    stored = ArticleImage.objects.filter(article=OuterRef("pk"), role=ArticleImage.LEAD, status=ArticleImage.STORED)
    return Subquery(stored.values("image__renditions")[:1], output_field=JSONField())


def body_html(html: str, pictures: dict[str, Picture], sizes: str) -> SafeString:
    """Sanitized article HTML with each ``<img>`` of a stored picture replaced by its ``<picture>``."""
    if not pictures or "<img" not in html:
        return mark_safe(html)

    def replace(match: re.Match) -> str:
        attributes = {name.lower(): value or "" for name, value in _ATTRIBUTE.findall(match[1])}
        picture = pictures.get(htmlmod.unescape(attributes.get("src", "")))
        if picture is None:
            return match[0]
        return picture.html(htmlmod.unescape(attributes.get("alt", "")), sizes)

    return mark_safe(IMG_TAG.sub(replace, html))


def image_sources(html: str) -> list[str]:
    """The ``src`` of every ``<img>`` in sanitized article HTML, in order."""
    found = []
    for match in IMG_TAG.finditer(html or ""):
        attributes = {name.lower(): value or "" for name, value in _ATTRIBUTE.findall(match[1])}
        if attributes.get("src"):
            found.append(htmlmod.unescape(attributes["src"]))
    return found
