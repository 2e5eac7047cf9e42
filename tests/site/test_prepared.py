"""Querysets compiled once (``newsdesk.site.prepared``) give what Django's own evaluation gives."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.site.articles import queries
from newsdesk.site.articles.models import Article
from newsdesk.site.prepared import prepared

pytestmark = pytest.mark.django_db


def cards(ids: list[int]):
    """A list's cards: joins, deferred columns, a text annotation and a subquery annotation."""
    return queries.cards(queries.shown().filter(pk__in=ids)).annotate(opening=Substr("title", 1, 12))


def state(article: Article) -> dict:
    """What a page reads of a card, related objects included."""
    return {"fields": {k: v for k, v in article.__dict__.items() if not k.startswith("_")},
            "deferred": article.get_deferred_fields(), "source": article.source.name,
            "category": article.category.slug if article.category else None}


def test_a_prepared_queryset_gives_the_same_objects_as_django(newsroom):
    prepared_cards = prepared(cards)
    ids = [a.pk for a in newsroom.articles[3:9]]
    expected = [state(a) for a in cards(ids)]
    assert prepared_cards(ids) and [state(a) for a in prepared_cards(ids)] == expected  # compiled, then replayed
    assert list(prepared_cards.compiled_shapes) == [(6,)]
    got = prepared_cards(ids)
    assert [state(a) for a in got] == expected
    assert all(timezone.is_aware(a.published_at) for a in got)  # the database's converters ran
    with CaptureQueriesContext(connection) as seen:
        for article in got:
            article.source.name, article.category  # joined, not read again
    assert len(seen) == 0


def test_each_call_reads_the_database_again_in_one_query(newsroom):
    @prepared
    def article(pk: int):
        return Article.objects.select_related("source").filter(pk=pk, is_published=True)[:1]

    first, second = newsroom.articles[0], newsroom.articles[1]
    article(first.pk)
    with CaptureQueriesContext(connection) as seen:
        assert article(second.pk)[0].title == second.title
    assert len(seen) == 1
    Article.objects.filter(pk=second.pk).update(title="A corrected title")
    assert article(second.pk)[0].title == "A corrected title"
    Article.objects.filter(pk=second.pk).update(is_published=False)
    assert article(second.pk) == []
    assert article("%d" % first.pk)[0].pk == first.pk  # an id given as text


def test_lists_of_other_lengths_are_shapes_of_their_own_and_an_empty_one_reads_nothing(newsroom):
    prepared_cards = prepared(cards)
    pks = [a.pk for a in newsroom.articles]
    for n in (1, 3, 5, 3, 1):
        assert [a.pk for a in prepared_cards(pks[:n])] == [a.pk for a in cards(pks[:n])]
    assert sorted(prepared_cards.compiled_shapes) == [(1,), (3,), (5,)]
    with CaptureQueriesContext(connection) as seen:
        assert prepared_cards([]) == []
    assert len(seen) == 0


def test_values_lists_and_aggregates_are_replayed_too(newsroom):
    @prepared
    def dates(source_id: int, ids: list[int]):
        return (Article.objects.filter(source_id=source_id, pk__in=ids).order_by("pk")
                .values_list("pk", "published_at", "authors"))

    @prepared
    def per_category(source_id: int):
        return (Article.objects.filter(source_id=source_id).values("category_id").annotate(n=Count("pk"))
                .order_by("category_id").values_list("category_id", "n"))

    source = newsroom.sources["gazette"]
    ids = [a.pk for a in newsroom.articles]
    for _ in range(2):
        rows = dates(source.pk, ids)
        assert rows == list(Article.objects.filter(source=source, pk__in=ids).order_by("pk")
                            .values_list("pk", "published_at", "authors"))
        assert rows and rows[0][2] == ["Ada Reporter"]  # JSON decoded
        assert per_category(source.pk) == list(Article.objects.filter(source=source).values("category_id")
                                               .annotate(n=Count("pk")).order_by("category_id")
                                               .values_list("category_id", "n"))


def test_a_parameter_folded_into_the_sql_is_never_replayed_with_the_wrong_value(newsroom):
    @prepared
    def newest(limit: int):
        return queries.shown().order_by(*queries.NEWEST)[:limit]

    assert [len(newest(n)) for n in (2, 5, 3)] == [2, 5, 3]  # a LIMIT is in the SQL's text
    assert [a.pk for a in newest(4)] == [a.pk for a in queries.shown().order_by(*queries.NEWEST)[:4]]


def test_what_cannot_be_replayed_is_evaluated_by_django(newsroom):
    @prepared
    def as_dicts(source_id: int):
        return Article.objects.filter(source_id=source_id).order_by("pk").values("pk", "title")

    @prepared
    def with_prefetch(source_id: int):
        return Article.objects.filter(source_id=source_id).prefetch_related("comments").order_by("pk")

    source = newsroom.sources["ledger"]
    assert as_dicts(source.pk) == list(Article.objects.filter(source=source).order_by("pk").values("pk", "title"))
    assert [a.pk for a in with_prefetch(source.pk)] == [a.pk for a in Article.objects.filter(source=source)
                                                        .order_by("pk")]
    with CaptureQueriesContext(connection) as seen:
        [list(a.comments.all()) for a in with_prefetch(source.pk)]
    assert len(seen) == 2  # the articles and their comments, prefetched as Django does


@pytest.mark.django_db(transaction=True)
def test_threads_share_the_compiled_sql_and_each_uses_its_own_connection(newsroom):
    prepared_cards = prepared(cards)
    ids = [a.pk for a in newsroom.articles[:4]]
    expected = [state(a) for a in cards(ids)]
    results, errors = [], []

    def read():
        try:
            for _ in range(20):
                results.append([state(a) for a in prepared_cards(ids)])
        except Exception as error:  # reported below, with the thread's own failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 80 and all(r == expected for r in results)
    assert list(prepared_cards.compiled_shapes) == [(4,)]
