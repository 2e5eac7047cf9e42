"""Retention: `newsdesk prune`, the scheduler's hourly run, and feeds that still list what was pruned."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from newsdesk.ingest import tasks
from newsdesk.ingest.retention import RetentionOptions, prune
from newsdesk.ingest.scheduler import Scheduler
from newsdesk.site.articles.models import Article, ArticleURL, Category, PrunedURL, Story
from newsdesk.site.comments.models import Comment
from newsdesk.site.sources.models import Source
from tests.site.conftest import build_article
from tests.site.outlet import Outlet, story

DAY = timedelta(days=1)


@pytest.fixture
def aged(db):
    """Articles 400, 100 and 5 days old; some discussed, edited or in a story with a recent one."""
    now = timezone.now()
    source = Source.objects.create(name="Harbour Gazette", slug="gazette", homepage="https://gazette.example.org/")
    news = Category.objects.create(name="News", slug="news")
    made = {}
    for seed, (name, days) in enumerate([("ancient", 400), ("old", 100), ("old-discussed", 100),
                                         ("old-pending-comment", 100), ("old-edited", 100), ("old-pinned", 100),
                                         ("old-in-story", 100), ("recent", 5), ("recent-in-story", 5)]):
        made[name] = build_article(source, news, f"The {name} report", "ferry", seed, now - days * DAY,
                                   fetched_at=now - days * DAY, raw_page=Article.pack_page(b"<html>page</html>"))
        ArticleURL.objects.create(url=f"https://gazette.example.org/amp/{seed}", article=made[name])
    Comment.objects.create(article=made["old-discussed"], name="A", email="a@example.org", text="Good",
                           status=Comment.APPROVED, fingerprint="f1")
    Comment.objects.create(article=made["old-pending-comment"], name="B", email="b@example.org", text="Spam?",
                           status=Comment.PENDING, fingerprint="f2")
    Article.objects.filter(pk=made["old-edited"].pk).update(edited_at=now - 90 * DAY)
    Article.objects.filter(pk=made["old-pinned"].pk).update(story_pinned=True)
    shared = Story.objects.create(title="Ferry", article_count=2)
    lonely = Story.objects.create(title="Ancient", article_count=1)
    Article.objects.filter(pk__in=[made["old-in-story"].pk, made["recent-in-story"].pk]).update(story=shared)
    Article.objects.filter(pk=made["ancient"].pk).update(story=lonely)
    return made


def titles() -> set[str]:
    return set(Article.objects.values_list("title", flat=True))


def test_prune_deletes_old_articles_but_keeps_discussed_and_edited_ones(aged):
    result = prune(RetentionOptions(article_days=30))
    assert titles() == {"The old-discussed report", "The old-edited report", "The old-pinned report",
                        "The recent report", "The recent-in-story report"}
    assert (result.articles, result.kept) == (4, 3)
    # The story that lost an article is recounted; the one left empty is gone.
    shared = Article.objects.get(title="The recent-in-story report").story
    assert shared.article_count == 1 and shared.title == "The recent-in-story report"
    assert Story.objects.count() == 1  # the ancient one's story, left empty, is gone
    # Every address of a deleted article is remembered, so feeds do not bring it back.
    gone = aged["ancient"]
    assert {gone.canonical_url, "https://gazette.example.org/amp/0"} <= set(PrunedURL.objects.values_list("url", flat=True))
    assert not Comment.objects.filter(status=Comment.PENDING).exists()  # its article went


def test_keep_rules_can_be_turned_off(aged):
    prune(RetentionOptions(article_days=30, keep_discussed=False, keep_edited=False))
    assert titles() == {"The recent report", "The recent-in-story report"}


def test_forever_keeps_everything_and_raw_pages_go_on_their_own(aged):
    result = prune(RetentionOptions(article_days=0, raw_page_days=50))
    assert len(titles()) == 9 and result.articles == 0
    assert result.raw_pages == 7
    with_pages = set(Article.objects.filter(raw_page__isnull=False).values_list("title", flat=True))
    assert with_pages == {"The recent report", "The recent-in-story report"}


def test_pruned_articles_leave_search(aged, client):
    assert "The ancient report" in client.get("/search/?q=ancient").content.decode()
    prune(RetentionOptions(article_days=30))
    assert "The ancient report" not in client.get("/search/?q=ancient").content.decode()


def test_the_command_reports_and_takes_overrides(aged_committed, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "KEEP_ARTICLES_DAYS": 200, "KEEP_RAW_PAGES_DAYS": 0}
    out = StringIO()
    call_command("prune", stdout=out)
    assert "1 articles deleted, 0 stored pages dropped" in out.getvalue() and "The ancient report" not in titles()
    out = StringIO()
    call_command("prune", "--articles-days", "0", "--raw-pages-days", "1", "--vacuum", stdout=out)
    assert "0 articles deleted, 8 stored pages dropped" in out.getvalue()
    with pytest.raises(CommandError, match="0 or more"):
        call_command("prune", "--articles-days", "-1")


@pytest.mark.django_db(transaction=True)
def test_a_feed_still_listing_pruned_or_expired_entries_does_not_bring_them_back(server, fetcher, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "KEEP_ARTICLES_DAYS": 30}
    outlet = Outlet(server)
    now = timezone.now()
    outlet.add(story(1, updated=now - 2 * DAY))
    outlet.add(story(2, updated=now - 3 * DAY))
    source = Source.objects.create(name="gazette", allow_private=True)
    source.feeds.create(url=outlet.feed_url)
    tasks.poll_source(source.pk, fetcher)
    assert Article.objects.count() == 2
    # The first story ages past the cut-off: pruned, while its feed keeps listing it; a story
    # dated 40 days ago appears in the feed.
    Article.objects.filter(canonical_url__endswith="/news/story-1").update(published_at=now - 40 * DAY)
    assert prune().articles == 1
    outlet.add(story(3, updated=now - 40 * DAY))
    outlet.add(story(4, updated=now - DAY))
    Source.objects.filter(pk=source.pk).update(next_fetch_at=None)
    tasks.poll_source(source.pk, fetcher)
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == [
        server.url("/news/story-2"), server.url("/news/story-4")]
    assert server.hits("/news/story-1") == 1 and server.hits("/news/story-3") == 0


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_of_newsdesk_run_prunes_on_schedule(aged_committed, fetcher, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "KEEP_ARTICLES_DAYS": 200}
    scheduler = Scheduler(fetcher, workers=1, tick=0.1, prune_every=3600).start()
    try:
        deadline = time.monotonic() + 20
        while Article.objects.filter(title="The ancient report").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.stop()
    assert "The ancient report" not in titles() and "The old report" in titles()
    assert not scheduler.prune_if_due()  # the next run waits an hour


@pytest.fixture
def aged_committed(transactional_db, request):
    return request.getfixturevalue("aged")


def test_an_article_edited_in_the_admin_is_kept(aged, admin_client):
    old = aged["old"]
    response = admin_client.post(f"/admin/articles/article/{old.pk}/change/",
                                 {"title": "The old report, corrected", "category": old.category_id,
                                  "is_published": "on"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.edited_at is not None
    prune(RetentionOptions(article_days=30))
    assert "The old report, corrected" in titles() and "The ancient report" not in titles()
