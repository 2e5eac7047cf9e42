"""Polling sources end to end: real HTTP on 127.0.0.1, real extraction, a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsdesk.ingest import services
from newsdesk.site.articles.models import Article
from newsdesk.site.sources.models import Source
from tests.site.outlet import Outlet, prose, story
from tests.support.httpserver import Reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outlet(server):
    gazette = Outlet(server)
    for n in range(1, 4):
        gazette.add(story(n))
    return gazette


@pytest.fixture
def source(outlet, fetcher):
    return services.add_source(outlet.feed_url, fetcher, allow_private=True)


def poll(source, fetcher):
    result = services.poll_source(source.pk, fetcher)
    source.refresh_from_db()
    return result


def test_poll_stores_articles_and_a_second_poll_changes_nothing(outlet, source, fetcher, server):
    first = poll(source, fetcher)
    assert (first.ok, first.new, first.failed) == (True, 3, 0)
    stored = {a.canonical_url: a for a in Article.objects.all()}
    assert set(stored) == {f"{server.base_url}/news/story-{n}" for n in range(1, 4)}
    article = stored[f"{server.base_url}/news/story-1"]
    assert article.title == "Harbour council story number 1"
    assert article.authors == ["Ada Reporter"]
    assert "council turned to the" in article.text
    for template_text in ("Advertise with the Test Gazette", "Check Also", "All rights reserved", "Home"):
        assert template_text not in article.text
    assert source.consecutive_failures == 0 and source.last_error == ""
    assert source.next_fetch_at > timezone.now()

    pages_before = server.hits("/news/story-1")
    before = list(Article.objects.order_by("pk").values_list("pk", "updated_at", "text"))
    second = poll(source, fetcher)
    assert (second.ok, second.new, second.updated) == (True, 0, 0)
    assert server.hits("/news/story-1") == pages_before  # the feed answered 304
    assert list(Article.objects.order_by("pk").values_list("pk", "updated_at", "text")) == before


def test_a_changed_article_is_updated_in_place(outlet, source, fetcher):
    poll(source, fetcher)
    original = Article.objects.get(canonical_url__endswith="/news/story-2")
    changed = outlet.stories[1]
    changed.paragraphs = changed.paragraphs + ["A correction was added later: the vote was moved to Friday."]
    changed.updated = changed.updated + timedelta(hours=5)
    result = poll(source, fetcher)
    assert (result.new, result.updated) == (0, 1)
    article = Article.objects.get(pk=original.pk)
    assert article.canonical_url == original.canonical_url
    assert "vote was moved to Friday" in article.text
    assert Article.objects.count() == 3


def test_tracking_parameters_and_a_second_url_give_one_article(outlet, source, fetcher):
    outlet.stories[0].query = "?utm_source=rss&utm_medium=feed&fbclid=abc"
    copy = story(1, slug="story-1-amp")  # same text under another URL of the same outlet
    outlet.add(copy)
    result = poll(source, fetcher)
    assert result.failed == 0
    assert Article.objects.count() == 3
    assert not Article.objects.filter(canonical_url__contains="utm_").exists()


def test_malformed_feed_fails_with_a_clear_message_and_backs_off_then_recovers(outlet, source, fetcher):
    poll(source, fetcher)
    stored = list(Article.objects.values_list("pk", "text"))
    outlet.feed_override = Reply(body=b"<rss><channel><item><title>cut off", headers={"Content-Type": "text/xml"})
    failed = poll(source, fetcher)
    assert not failed.ok
    assert source.consecutive_failures == 1 and source.last_error
    assert "Traceback" not in source.last_error
    first_delay = source.next_fetch_at - source.last_fetch_at
    poll(source, fetcher)
    assert source.consecutive_failures == 2
    assert source.next_fetch_at - source.last_fetch_at > first_delay  # exponential backoff
    assert list(Article.objects.values_list("pk", "text")) == stored  # nothing lost

    outlet.feed_override = None
    outlet.add(story(9))
    recovered = poll(source, fetcher)
    assert recovered.ok and recovered.new == 1
    assert source.consecutive_failures == 0 and source.last_error == ""


@pytest.mark.parametrize("reply, words", [
    (Reply(status=404, body=b"gone"), "404"),
    (Reply(status=500, body=b"oops"), "500"),
    (Reply(body=b"<html><body><p>Our homepage</p></body></html>", headers={"Content-Type": "text/html"}), "HTML"),
    (Reply(body=b"", headers={"Content-Type": "application/rss+xml"}), ""),
    (Reply(body=b"\x00\xff" * 500, headers={"Content-Type": "application/rss+xml"}), ""),
])
def test_feed_errors_are_recorded_not_raised(outlet, source, fetcher, reply, words):
    outlet.feed_override = reply
    result = poll(source, fetcher)
    assert not result.ok
    assert words in source.last_error
    assert source.consecutive_failures == 1
    assert source.next_fetch_at > timezone.now()
    assert Article.objects.count() == 0


def test_timeout_and_redirect_loop_and_huge_feed(server, fetcher):
    server.route("/slow.xml", Reply(body=b"<rss/>", delay=3.0))
    server.route("/a.xml", Reply.redirect("/b.xml"))
    server.route("/b.xml", Reply.redirect("/a.xml"))
    for path in ("/slow.xml", "/a.xml"):
        source = Source.objects.create(name=path, allow_private=True)
        source.feeds.create(url=server.url(path))
        result = poll(source, fetcher)
        assert not result.ok and source.last_error and source.consecutive_failures == 1


def test_retry_after_is_honoured(outlet, source, fetcher):
    outlet.feed_override = Reply(status=503, headers={"Retry-After": "7200"})
    poll(source, fetcher)
    assert source.next_fetch_at - source.last_fetch_at >= timedelta(seconds=7200)


def test_private_address_is_refused_unless_allowed(outlet, fetcher):
    with pytest.raises(services.SourceError, match="private|loopback|--allow-private"):
        services.add_source(outlet.feed_url, fetcher)
    source = Source.objects.create(name="sneaky", allow_private=False)
    source.feeds.create(url=outlet.feed_url)
    result = poll(source, fetcher)
    assert not result.ok and "--allow-private" in source.last_error


def test_robots_disallow_is_reported_per_article(outlet, source, fetcher, server):
    outlet.add(story(5, slug="../private/story-5"))
    result = poll(source, fetcher)
    assert result.new == 3 and result.failed == 1
    assert "robots" in result.failures[0].lower()
    assert server.hits("/private/story-5") == 0


def test_page_over_the_size_limit_falls_back_or_fails(outlet, source, server):
    from newsdesk.pipeline.fetch import Fetcher, FetchOptions

    with Fetcher(FetchOptions(min_host_delay=0, max_bytes=1000, robots_ttl=0)) as small:
        result = poll(source, small)
    assert result.new == 0 and result.failed == 3
    assert all("limit" in message or "large" in message for message in result.failures)


def test_lying_charset_page_is_stored_readably(outlet, source, fetcher, server):
    text = "Café owners in Zürich welcomed the décision, saying the façade would be restored."
    html = ("<html lang=\"en\"><head><title>Café story</title></head><body><article><h1>Café story</h1>"
            + "".join(f"<p>{text} {p}</p>" for p in prose("cafe")) + "</article></body></html>")
    outlet.add(story(7, slug="cafe"))
    server.route("/news/cafe", Reply(body=html.encode("cp1252"), headers={"Content-Type": "text/html; charset=utf-8"}))
    poll(source, fetcher)
    article = Article.objects.get(canonical_url__endswith="/news/cafe")
    assert "Café owners in Zürich" in article.text


def test_feed_content_is_kept_when_the_page_cannot_be_fetched(outlet, source, fetcher, server):
    kept = outlet.add(story(6, slug="gone-but-in-feed", feed_content=True))
    outlet.add(story(8, slug="gone-for-good"))
    server.route("/news/gone-but-in-feed", Reply(status=404))
    server.route("/news/gone-for-good", Reply(status=404))
    result = poll(source, fetcher)
    assert (result.new, result.failed) == (4, 1)
    article = Article.objects.get(canonical_url__endswith="/news/gone-but-in-feed")
    assert article.title == kept.title
    assert kept.paragraphs[0][:60] in article.text
    assert "404" in article.extraction_notes and "feed" in article.extraction_notes
    assert "gone-for-good" in result.failures[0] and "404" in result.failures[0]


def test_feed_content_kept_without_its_attribution_lines(outlet, source, fetcher, server):
    paragraphs = prose("framed")
    framed = outlet.add(story(7, slug="framed-in-feed", feed_content=True, paragraphs=[
        "Originally published at <a href='https://origin.example'>origin.example</a>", *paragraphs,
        "<a href='https://origin.example/x'>Source link</a>",
        "The post <a href='https://origin.example/x'>Sea wall</a> appeared first on "
        "<a href='https://origin.example'>Origin News</a>."]))
    server.route(f"/news/{framed.slug}", Reply(status=404))
    poll(source, fetcher)
    article = Article.objects.get(canonical_url__endswith=f"/news/{framed.slug}")
    assert "feed" in article.extraction_notes
    assert article.text == "\n\n".join(paragraphs)


def test_a_redirected_feed_link_is_recognised_on_the_next_poll(outlet, source, fetcher, server):
    outlet.add(story(4, slug="old-address"))
    server.route("/news/old-address", Reply.redirect("/news/story-1", status=301))
    first = poll(source, fetcher)
    assert first.failed == 0 and Article.objects.count() == 3  # the redirect leads to story 1
    outlet.add(story(5))  # the feed changes, so it is not answered with 304
    second = poll(source, fetcher)
    assert second.new == 1
    assert server.hits("/news/old-address") == 1
