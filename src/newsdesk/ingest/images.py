"""Images: an article's lead picture and the pictures in its body, fetched, made into renditions
(``pipeline.images``) and stored in the data directory, so that the site serves them itself.

Run after an article is stored (``newsdesk.ingest.stages``) and by ``newsdesk images``. Each
picture goes through the guarded fetcher (size limit, private-address guard as for the article's
page), then the content type and the bytes are checked and the renditions made. A picture that
cannot be stored is recorded with the reason, and the site shows it from the outlet's address.
A picture many articles show is stored once (``StoredImage``, by the SHA-256 of its bytes).
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.pipeline import images as image_stage
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.fetch import Fetcher
from newsdesk.pipeline.urls import is_http_url
from newsdesk.site.articles.models import Article
from newsdesk.site.images import storage
from newsdesk.site.images.models import ArticleImage, StoredImage
from newsdesk.site.images.render import image_sources
from newsdesk.site.pagecache import invalidate

from .fetching import make_fetcher

log = logging.getLogger("newsdesk.ingest")

ACCEPT = "image/webp,image/jpeg,image/png,image/gif;q=0.9,*/*;q=0.1"


@dataclass(frozen=True)
class Wanted:
    """A picture the article shows, in the order it shows them."""

    url: str
    role: str
    position: int
    alt: str = ""
    caption: str = ""


@dataclass(frozen=True)
class ImagesResult:
    """What one run did for one article."""

    stored: int = 0
    failed: int = 0
    kept: int = 0  # already stored or already failed, not fetched again
    removed: int = 0  # pictures the article no longer shows


@dataclass(frozen=True)
class _Fetched:
    """A picture fetched and read: its StoredImage fields and rendition files, or the error."""

    url: str
    error: str = ""
    sha256: str = ""
    fields: dict | None = None


def image_options() -> image_stage.ImageOptions:
    return image_stage.ImageOptions(max_pixels=int(settings.NEWSDESK["IMAGE_MAX_PIXELS"]))


def make_image_fetcher() -> Fetcher:
    """A fetcher for pictures. The caller closes it.

    Pictures are part of a page the outlet already let us fetch, as a browser fetches a page's
    pictures with it: robots.txt is not asked again for each, and there is no pause between two
    pictures of one host, only the limit of two at once.
    """
    return make_fetcher(max_bytes=int(settings.NEWSDESK["IMAGE_MAX_BYTES"]), respect_robots=False,
                        min_host_delay=0.0, total_timeout=30.0)


def wanted_pictures(lead_url: str, lead_caption: str, images: list, html: str, limit: int) -> list[Wanted]:
    """The article's pictures: its lead picture first, then those of its body, each address once,
    at most ``limit``."""
    found: dict[str, Wanted] = {}

    def add(url: str, role: str, alt: str = "", caption: str = "") -> None:
        url = (url or "").strip()
        if url and url not in found and is_http_url(url) and len(url) <= 2000 and len(found) < limit:
            found[url] = Wanted(url, role, len(found), alt[:2000], caption[:2000])

    described = {i.get("src"): i for i in images or [] if isinstance(i, dict) and isinstance(i.get("src"), str)}
    lead = described.get(lead_url, {})
    add(lead_url, ArticleImage.LEAD, str(lead.get("alt") or ""), lead_caption or str(lead.get("caption") or ""))
    for src, image in described.items():
        add(src, ArticleImage.BODY, str(image.get("alt") or ""), str(image.get("caption") or ""))
    for src in image_sources(html):
        add(src, ArticleImage.BODY)
    return list(found.values())


def store_images(article_id: int, fetcher: Fetcher | None = None, *, retry_failed: bool = False) -> ImagesResult:
    """Fetch and store the article's pictures not stored yet (and with ``retry_failed`` those that
    failed before), record the failures, and forget the pictures it no longer shows, in one
    transaction after every fetch. Idempotent; an article gone meanwhile has none.
    """
    row = (Article.objects.filter(pk=article_id)
           .values_list("lead_image_url", "lead_image_caption", "images", "html", "source__allow_private").first())
    if row is None:
        return ImagesResult()
    lead_url, lead_caption, images, html, allow_private = row
    wanted = wanted_pictures(lead_url, lead_caption, images, html, int(settings.NEWSDESK["IMAGES_PER_ARTICLE"]))
    known = {p.original_url: p for p in ArticleImage.objects.filter(article_id=article_id)}
    fetch = [w for w in wanted if w.url not in known
             or (retry_failed and known[w.url].status == ArticleImage.FAILED)]
    fetched: dict[str, _Fetched] = {}
    if fetch:
        options = image_options()
        with nullcontext(fetcher) if fetcher is not None else make_image_fetcher() as client:
            for want in fetch:
                fetched[want.url] = _fetch(client, want.url, bool(allow_private), options)
    return _save(article_id, wanted, known, fetched)


def _fetch(fetcher: Fetcher, url: str, allow_private: bool, options: image_stage.ImageOptions) -> _Fetched:
    """Fetch one picture and write its renditions' files; never raises on what the outlet sent."""
    try:
        response = fetcher.get(url, allow_private=allow_private, accept=ACCEPT)
        digest = _known_digest(response.content)
        if digest is not None:
            return _Fetched(url, sha256=digest)
        made = image_stage.renditions(response.content, options, content_type=response.headers.get("content-type"))
    except PipelineError as exc:
        log.info("picture not stored: %s: %s", url, exc)
        return _Fetched(url, error=str(exc)[:2000] or type(exc).__name__)
    renditions = []
    try:
        for rendition in made.renditions:
            name = storage.name_for(made.sha256, rendition.data, rendition.width, rendition.format)
            storage.write(name, rendition.data)
            renditions.append({"width": rendition.width, "height": rendition.height, "type": rendition.format,
                               "name": name})
    except OSError as exc:  # a full or read-only disk: the outlet's address serves meanwhile
        log.warning("picture not stored: %s: could not write its files: %s", url, exc)
        return _Fetched(url, error=f"could not write the picture's files: {exc}"[:2000])
    fields = {"format": made.format, "width": made.width, "height": made.height, "size": len(response.content),
              "renditions": renditions}
    return _Fetched(url, sha256=made.sha256, fields=fields)


def _known_digest(content: bytes) -> str | None:
    """The SHA-256 of these bytes when they are a picture stored already, with its files in place."""
    digest = hashlib.sha256(content).hexdigest()
    names = StoredImage.objects.filter(sha256=digest).values_list("renditions", flat=True).first()
    if names is not None and storage.exists([r["name"] for r in names]):
        return digest
    return None


def _save(article_id: int, wanted: list[Wanted], known: dict[str, ArticleImage],
          fetched: dict[str, _Fetched]) -> ImagesResult:
    stored = failed = 0
    with transaction.atomic():
        if not Article.objects.filter(pk=article_id).exists():
            return ImagesResult()  # deleted while its pictures were fetched: their files are swept
        gone = [p.pk for url, p in known.items() if url not in {w.url for w in wanted}]
        if gone:
            ArticleImage.objects.filter(pk__in=gone).delete()  # unused stored pictures are swept
        changed = bool(gone)
        for want in wanted:
            row = known.get(want.url) or ArticleImage(article_id=article_id, original_url=want.url)
            described = {"role": want.role, "position": want.position, "alt": want.alt, "caption": want.caption,
                         "credit": image_stage.credit(want.caption)}
            dirty = row.pk is None or any(getattr(row, k) != v for k, v in described.items())
            for name, value in described.items():
                setattr(row, name, value)
            result = fetched.get(want.url)
            if result is not None:
                dirty = True
                row.fetched_at = timezone.now()
                if result.error:
                    row.status, row.error, row.image = ArticleImage.FAILED, result.error, None
                    failed += 1
                elif (image := _stored_image(result)) is None:
                    row.status, row.error, row.image = ArticleImage.FAILED, "removed while it was fetched", None
                    failed += 1
                else:
                    row.status, row.error, row.image = ArticleImage.STORED, "", image
                    stored += 1
            if dirty:
                row.save()
                changed = True
        if changed:
            invalidate.articles([article_id])  # its page, and the lists its card is on
    return ImagesResult(stored=stored, failed=failed, kept=len(wanted) - len(fetched), removed=len(gone))


def _stored_image(result: _Fetched) -> StoredImage | None:
    """The StoredImage of a fetched picture, created when new; None when it was known at fetch time
    and has been swept since (the next run fetches it again)."""
    existing = StoredImage.objects.filter(sha256=result.sha256).first()
    if existing is not None or result.fields is None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: another worker may store the same picture meanwhile
            return StoredImage.objects.create(sha256=result.sha256, **result.fields)
    except IntegrityError:
        return StoredImage.objects.get(sha256=result.sha256)


__all__ = ["ImagesResult", "Wanted", "make_image_fetcher", "store_images", "wanted_pictures"]
