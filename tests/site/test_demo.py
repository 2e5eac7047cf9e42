"""The demo as a user gets it: outlets on 127.0.0.1, followed, fetched, stored clean."""

from __future__ import annotations

import pytest

from newsdesk.demo import DemoServer
from newsdesk.ingest.demo import populate
from newsdesk.site.articles.models import Article, Category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def outlets():
    with DemoServer(host="127.0.0.1", port=0) as server:
        yield server


def test_demo_stores_every_article_without_template_text_and_refetch_adds_nothing(outlets, fetcher):
    results = populate(outlets, fetcher)
    assert all(result.ok for result in results), [result.error for result in results]
    assert sum(result.failed for result in results) == 0, [r.failures for r in results]
    articles = list(Article.objects.select_related("source", "category"))
    assert len(articles) >= 36
    assert len({article.source_id for article in articles}) >= 3

    phrases = {outlet.name: outlet.template_phrases for outlet, _, _ in outlets.outlets}
    leaks = [(article.source.name, article.title, phrase)
             for article in articles for phrase in phrases[article.source.name]
             if phrase.lower() in article.text.lower() or phrase.lower() in article.html.lower()]
    assert leaks == []
    assert all(article.title and article.text and article.published_at for article in articles)
    assert all(article.category is not None for article in articles)
    # Each lands in the section its outlet filed it under, when the site has that section: from
    # the feed's categories, or from the page itself for the outlet that publishes a sitemap.
    filed = {(outlet.name, demo.title): outlet.category(demo.category).name
             for outlet, _, _ in outlets.outlets for demo in outlet.articles}
    known = {name.lower() for name in Category.objects.values_list("name", flat=True)}
    misfiled = [(a.source.name, a.title, a.category.name, filed[a.source.name, a.title]) for a in articles
                if filed[a.source.name, a.title].lower() in known
                and a.category.name.lower() != filed[a.source.name, a.title].lower()]
    assert misfiled == []

    again = populate(outlets, fetcher)
    assert sum(r.new + r.updated for r in again) == 0
    assert Article.objects.count() == len(articles)
