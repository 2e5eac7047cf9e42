"""Invalidation by what changed: which pages render again after a change, and which stay cached.

A page served from the cache reads nothing from the database, so "rendered again" is measured
as "read the database".
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.ingest import stories
from newsdesk.site import pagecache
from newsdesk.site.articles.models import Article, Banner
from newsdesk.site.comments.models import Comment
from tests.site.conftest import build_article

pytestmark = pytest.mark.django_db


TARGET = "Science report 29"  # the oldest article (Science, Market Ledger): no page links it


def bystander(client, room, *others: Article) -> Article:
    """An article outside News and Science whose page links none of ``others``: its Check Also
    (chosen on its first view, as the stage after storing would) is kept without them, whatever
    the database's full-text ranking chose."""
    avoid = {a.pk for a in others}
    candidate = next(a for a in room.articles if a.category.slug not in ("news", "world", "science")
                     and a.pk not in avoid and a.story_id is None)
    client.get(candidate.get_absolute_url())
    candidate.refresh_from_db()
    Article.objects.filter(pk=candidate.pk).update(related_ids=[pk for pk in candidate.related_ids if pk not in avoid])
    pagecache.store().clear(pages_only=True)
    page = client.get(candidate.get_absolute_url()).content.decode()
    assert not any(a.get_absolute_url() in page for a in others)
    return candidate


def pages(room, client) -> dict[str, str]:
    target = room.article(TARGET)
    return {
        "home": "/", "latest": "/latest/", "news": "/category/news/", "world": "/category/world/",
        "science": "/category/science/", "sport": "/category/sport/", "gazette": "/source/gazette/",
        "ledger": "/source/ledger/", "courier": "/source/courier/", "feed": "/feed/",
        "world feed": "/category/world/feed/", "sitemap": "/sitemap.xml",
        "target": target.get_absolute_url(), "bystander": bystander(client, room, target).get_absolute_url(),
    }


def rendered(client, urls: dict[str, str]) -> set[str]:
    """The names of the pages that had to be rendered (read the database) to answer."""
    out = set()
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        if len(queries):
            out.add(name)
    return out


def warm(client, urls) -> None:
    rendered(client, urls)
    assert rendered(client, urls) == set(), "every page is cached after one view"


def test_a_new_article_renders_again_only_the_lists_it_joins(client, newsroom):
    urls = pages(newsroom, client)
    warm(client, urls)
    build_article(newsroom.sources["gazette"], newsroom.categories["world"], "Ferry strike ends", "ferry", 500,
                  timezone.now() + timezone.timedelta(minutes=1))
    # World is under News: both lists change. Its outlet, the home page, every feed and the sitemap too.
    assert rendered(client, urls) == {"home", "latest", "news", "world", "gazette", "feed", "world feed", "sitemap"}
    assert "Ferry strike ends" in client.get("/category/news/").content.decode()


def test_editing_an_article_renders_again_its_page_and_lists_not_others(client, newsroom):
    urls = pages(newsroom, client)
    warm(client, urls)
    target = newsroom.article(TARGET)
    target.title = "Science report 29, corrected"
    target.save()
    again = rendered(client, urls)
    assert {"target", "home", "science", "ledger", "feed", "sitemap"} <= again
    assert {"bystander", "sport", "courier", "world"}.isdisjoint(again)
    assert "Science report 29, corrected" in client.get(target.get_absolute_url()).content.decode()


def test_a_page_linking_an_edited_article_in_check_also_renders_again(client, newsroom):
    ferry = newsroom.article("Ferry report 0")
    client.get(ferry.get_absolute_url())
    ferry.refresh_from_db()
    linked = Article.objects.get(pk=ferry.related_ids[0])
    other = bystander(client, newsroom, linked)
    warm(client, {"ferry": ferry.get_absolute_url(), "other": other.get_absolute_url()})
    linked.title = "A renamed neighbour"
    linked.save()
    assert rendered(client, {"ferry": ferry.get_absolute_url(), "other": other.get_absolute_url()}) == {"ferry"}
    assert "A renamed neighbour" in client.get(ferry.get_absolute_url()).content.decode()


def test_a_comment_renders_again_only_its_article(client, newsroom):
    urls = pages(newsroom, client)
    warm(client, urls)
    target = newsroom.article(TARGET)
    Comment.objects.create(article=target, name="Reader", email="r@example.org", text="Well reported",
                           status=Comment.APPROVED, fingerprint="approved-1")
    assert rendered(client, urls) == {"target"}
    assert "Well reported" in client.get(target.get_absolute_url()).content.decode()


def test_joining_a_story_renders_again_the_story_mates(client, newsroom):
    one, two = newsroom.article(TARGET), newsroom.article("Market report 28")  # linked by no page
    other = bystander(client, newsroom, one, two)
    urls = {"one": one.get_absolute_url(), "two": two.get_absolute_url(), "other": other.get_absolute_url()}
    warm(client, urls)
    stories.group_together([one.pk, two.pk])
    assert rendered(client, urls) == {"one", "two"}


def test_the_banner_renders_everything_again(client, newsroom):
    urls = pages(newsroom, client)
    warm(client, urls)
    Banner.objects.create(enabled=True, label="Breaking", text="Storm warning for the coast")
    assert rendered(client, urls) == set(urls)
    assert "Storm warning for the coast" in client.get(urls["bystander"]).content.decode()


def test_a_category_change_renders_everything_again(client, newsroom):
    urls = pages(newsroom, client)
    warm(client, urls)
    sport = newsroom.categories["sport"]
    sport.name = "Sports"
    sport.save()
    assert rendered(client, urls) == set(urls)


def test_a_change_during_a_render_is_not_cached(client, newsroom):
    """A page rendered while something changed may show the old state: it is served, not kept."""
    stop = threading.Event()

    def another_process_storing():
        while not stop.is_set():
            pagecache.clock().bump(["list:source:999999"])  # touches no page here, moves the sequence
            time.sleep(0.0005)

    writer = threading.Thread(target=another_process_storing)
    writer.start()
    try:
        client.get("/")
        assert len(pagecache.store()) == 0
    finally:
        stop.set()
        writer.join()
    assert rendered(client, {"home": "/"}) == {"home"}
    assert rendered(client, {"home": "/"}) == set()
