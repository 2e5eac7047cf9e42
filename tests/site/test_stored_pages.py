"""Stored pages are read back bounded: a value that inflates to far more than any page newsdesk
stores (a row written by something else, a tampered backup) is refused, not inflated."""

from __future__ import annotations

import zlib

import pytest

from newsdesk.ingest.templates import recent_pages, reextract_article
from newsdesk.pipeline.errors import DecodeError, PipelineError, TooLarge
from newsdesk.site.articles.models import Article

pytestmark = pytest.mark.django_db


def test_a_stored_page_bomb_is_refused_and_left_out_of_template_learning(newsroom):
    source = newsroom.articles[0].source_id
    bomb, broken, good = [a for a in newsroom.articles if a.source_id == source][:3]
    Article.objects.filter(pk=bomb.pk).update(raw_page=zlib.compress(b"\0" * (64 << 20), 9))  # 64 MiB in 64 KB
    Article.objects.filter(pk=broken.pk).update(raw_page=b"not zlib at all")
    Article.objects.filter(pk=good.pk).update(raw_page=Article.pack_page(b"<html><p>page</p></html>"))
    with pytest.raises(TooLarge):
        Article.objects.get(pk=bomb.pk).page_bytes()
    with pytest.raises(DecodeError):
        Article.objects.get(pk=broken.pk).page_bytes()
    with pytest.raises(PipelineError):
        reextract_article(bomb.pk)
    pages = dict(recent_pages(bomb.source_id, limit=50))
    assert bomb.pk not in pages and broken.pk not in pages
    assert pages[good.pk] == b"<html><p>page</p></html>"
