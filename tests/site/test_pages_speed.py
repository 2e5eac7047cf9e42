"""Bounded queries whatever the number of articles, and a page cache that follows every change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.site import pagecache
from newsdesk.site.articles import related
from newsdesk.site.comments.models import Comment
from tests.site.conftest import build_article, paragraphs

pytestmark = pytest.mark.django_db

# The most each page may take when it is not cached: its lists, counts and local images (the
# category tree and banner are kept by each process until they change). The article page reads
# the most: the article, its comments, its Check Also (chosen when it was stored), its people,
# organisations and places, its images, and its story's other outlets (that one only when the
# article belongs to a story).
# The home page: top stories, one short query per top-level section (four here), the cards' images.
BUDGET = {"home": 6, "category": 4, "outlet": 5, "latest": 4, "article": 8, "search": 6}


def urls(newsroom) -> dict[str, str]:
    article = newsroom.article("Ferry report 6")
    return {"home": "/", "category": "/category/news/", "outlet": "/source/gazette/", "latest": "/latest/",
            "article": article.get_absolute_url()}


def count_queries(client, url: str) -> int:
    """Queries of a page not in the cache (the article's Check Also chosen already, as at store
    time; the category tree and banner read by an earlier page, as on a running site)."""
    pagecache.store().clear()
    client.get(url)
    pagecache.store().clear(pages_only=True)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(newsroom, extra: int) -> None:
    """Add articles in every category and approved comments with replies on the measured article."""
    categories = list(newsroom.categories.values())
    sources = list(newsroom.sources.values())
    for n in range(extra):
        build_article(sources[n % 3], categories[n % len(categories)], f"Extra {n} ferry harbour budget", "ferry",
                      1000 + n, timezone.now() - timezone.timedelta(minutes=n))
    target = newsroom.article("Ferry report 6")
    for n in range(extra):
        top = Comment.objects.create(article=target, name=f"R{n}", email=f"r{n}@example.org", text=f"Top {n}",
                                     status=Comment.APPROVED, fingerprint=f"top-{n}")
        Comment.objects.create(article=target, parent=top, name=f"S{n}", email=f"s{n}@example.org",
                               text=f"Reply {n}", status=Comment.APPROVED, fingerprint=f"reply-{n}")


def test_query_counts_do_not_grow_with_the_number_of_articles(client, newsroom):
    before = {name: count_queries(client, url) for name, url in urls(newsroom).items()}
    grow(newsroom, 60)
    after = {name: count_queries(client, url) for name, url in urls(newsroom).items()}
    assert after == before
    for name, count in after.items():
        assert count <= BUDGET[name], (name, count)


def test_a_cached_page_reads_nothing_from_the_database(client, newsroom, django_assert_num_queries):
    for url in urls(newsroom).values():
        client.get(url)
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200


def test_search_queries_are_bounded(client, newsroom, django_assert_max_num_queries):
    grow(newsroom, 40)
    with django_assert_max_num_queries(BUDGET["search"]):
        assert client.get("/search/", {"q": "ferry harbour"}).status_code == 200


def test_the_cache_follows_article_changes(client, newsroom):
    article = newsroom.articles[0]
    assert article.title in client.get("/").content.decode()
    article.title = "A corrected headline"
    article.save()
    for url in ("/", "/category/world/", "/source/gazette/", "/feed/", article.get_absolute_url()):
        assert "A corrected headline" in client.get(url).content.decode(), url


def test_a_new_article_appears_at_once(client, newsroom):
    client.get("/")
    build_article(newsroom.sources["ledger"], newsroom.categories["business"], "Breaking: markets rally", "market",
                  777, timezone.now() + timezone.timedelta(minutes=1))
    assert "Breaking: markets rally" in client.get("/").content.decode()


def test_a_pending_comment_leaves_the_cache_alone_and_approval_refreshes_it(client, newsroom):
    article = newsroom.articles[0]
    client.get(article.get_absolute_url())
    sequence = pagecache.clock().sequence()
    comment = Comment.objects.create(article=article, name="Quiet", email="q@example.org", text="Held back",
                                     fingerprint="held")
    assert pagecache.clock().sequence() == sequence  # nothing public changed
    comment.status = Comment.APPROVED
    comment.save()
    assert pagecache.clock().sequence() != sequence
    assert "Held back" in client.get(article.get_absolute_url()).content.decode()


def test_category_and_outlet_renames_refresh_pages(client, newsroom):
    client.get("/")
    world = newsroom.categories["world"]
    world.name = "Abroad"
    world.save()
    assert "Abroad" in client.get(newsroom.article("Ferry report 6").get_absolute_url()).content.decode()
    gazette = newsroom.sources["gazette"]
    gazette.name = "Harbour Times"
    gazette.save()
    assert "Harbour Times" in client.get("/").content.decode()


def test_a_poll_that_only_records_health_keeps_the_cache(newsroom):
    sequence = pagecache.clock().sequence()
    source = newsroom.sources["gazette"]
    source.last_fetch_at = timezone.now()
    source.save(update_fields=["last_fetch_at", "consecutive_failures", "next_fetch_at"])
    assert pagecache.clock().sequence() == sequence


def test_query_parameters_other_than_page_do_not_make_new_cache_entries(client, newsroom):
    client.get("/latest/")
    entries = len(pagecache.store())
    for n in range(5):
        client.get("/latest/", {"utm_source": f"x{n}"})
    assert len(pagecache.store()) == entries
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/latest/", {"utm_source": "y"}).status_code == 200
    assert len(queries) == 0  # served from the one entry


def test_long_articles_render_in_bounded_queries(client, newsroom, django_assert_max_num_queries):
    long = build_article(newsroom.sources["gazette"], newsroom.categories["world"], "A very long ferry article",
                         "ferry", 3000, timezone.now(), text="\n\n".join(paragraphs("ferry", 3000, 2000)))
    related.choose(long.pk)  # as the stage after storing does
    with django_assert_max_num_queries(BUDGET["article"]):
        assert client.get(long.get_absolute_url()).status_code == 200


def test_on_postgresql_the_list_indexes_keep_undated_articles_last_as_the_lists_do(db):
    """PostgreSQL's descending indexes put NULLs first, and a list ordered NULLS LAST could not be
    read along them (a category page read and sorted all its articles); SQLite's put them last."""
    from importlib import import_module

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's descending indexes put NULLs last already")
    indexes = import_module("newsdesk.site.articles.migrations.0015_postgresql_nulls_last").INDEXES
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_article'")
        definitions = dict(cursor.fetchall())
    for name in indexes:
        assert "published_at DESC NULLS LAST" in definitions[name], definitions[name]
