"""Grouping through the StoryTerm index chooses exactly what comparing with every recent article
would: no article that ``cluster.assign`` accepts is left out, and term weights are the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F, Q

from newsdesk.demo import DemoServer
from newsdesk.ingest import stories
from newsdesk.ingest.demo import populate
from newsdesk.pipeline import cluster
from newsdesk.pipeline.cluster import ClusterOptions, Corpus, Item
from newsdesk.site.articles.models import Article, Story, StoryTerm

pytestmark = pytest.mark.django_db(transaction=True)

# Options, and the most recent articles compared (None: stories.MAX_CANDIDATES).
VARIANTS = [
    (ClusterOptions(), None),
    (ClusterOptions(threshold=0.05), None),  # many stories within reach: the weights decide between them
    (ClusterOptions(threshold=0.05), 25),  # windows cut short: the newest 25 count, the others not
    (ClusterOptions(threshold=0.05, min_shared_names=1, same_source=True), None),
    (ClusterOptions(min_shared_names=3, window=timedelta(hours=30)), None),
    (ClusterOptions(threshold=0.1, min_shared_names=0), 40),  # no name needed: the whole window is compared
]


@pytest.fixture(scope="module")
def outlets():
    # Three copies of every demo article, hours apart: the same outlet repeats the same names.
    with DemoServer(host="127.0.0.1", port=0, scale=3) as server:
        yield server


class Reference:
    """Grouping as it was before the index: every published article of the window, each one's
    features computed from its text, given to ``cluster.assign``, each in its outlet's voice (the
    outlet its byline credits, else its own)."""

    def __init__(self):
        self.features = {pk: cluster.features(title, text)
                         for pk, title, text in Article.objects.values_list("pk", "title", "text")}

    def window(self, pk: int, options: ClusterOptions) -> tuple[Item, list[Item]]:
        article = Article.objects.get(pk=pk)
        when = article.date
        span = (when - options.window, when + options.window)
        rows = (Article.objects.filter(is_published=True)
                .filter(Q(published_at__range=span) | Q(published_at__isnull=True, fetched_at__range=span))
                .exclude(pk=pk).order_by(F("published_at").desc(nulls_last=True), "-id")
                .values_list("pk", "source_id", "credited_source_id", "story_id", "published_at", "fetched_at"))
        items = []
        for other, source_id, credited, story_id, published_at, fetched_at in rows[:stories.MAX_CANDIDATES]:
            published = published_at or fetched_at
            story = story_id if story_id is not None or published > when else ("article", other)
            items.append(Item(self.features[other], published, credited or source_id, story))
        return Item(self.features[pk], when, article.credited_source_id or article.source_id), items


def shake_the_index(step: int) -> None:
    """What a live database holds besides freshly indexed articles: articles stored before the
    index, features of an older version, dates changed after grouping, an unpublished article."""
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    StoryTerm.objects.filter(article_id__in=pks[step % 4::4]).delete()  # grouped before the index
    StoryTerm.objects.filter(article_id__in=pks[(step + 1) % 5::5]).delete()  # stored before stories
    Article.objects.filter(pk__in=pks[(step + 1) % 5::5]).update(story_features=None)
    # Indexed by an older version of the features, which found other terms.
    older, wrong = f"v{cluster.VERSION - 1}", {"greyhaven mole": 1, "greyhaven": 1, "mole": 1}
    old = pks[(step + 2) % 7::7]
    StoryTerm.objects.filter(article_id__in=old).delete()
    Article.objects.filter(pk__in=old).update(story_features={"v": cluster.VERSION - 1, "names": wrong})
    StoryTerm.objects.bulk_create([StoryTerm(article_id=pk, term=term, kind=kind, published=when)
                                   for pk, when in Article.objects.filter(pk__in=old).values_list("pk", "fetched_at")
                                   for term, kind in [*((t, StoryTerm.NAME) for t in wrong),
                                                      (older, StoryTerm.INDEXED)]])
    Article.objects.filter(pk__in=pks[(step + 3) % 9::9]).update(published_at=F("published_at") + timedelta(hours=7))
    Article.objects.filter(pk__in=pks[step::13]).update(published_at=None)
    Article.objects.filter(pk=pks[(step * 11) % len(pks)]).update(is_published=False)


def seen(item: Item) -> tuple:
    return item.story, item.published, item.source, item.features.to_json()


def test_the_index_finds_every_article_assign_accepts_with_the_same_weights(outlets, fetcher, monkeypatch):
    populate(outlets, fetcher)
    assert Article.objects.count() > 100
    chosen = contested = 0
    largest = stories.MAX_CANDIDATES
    for step, (options, cap) in enumerate(VARIANTS):
        monkeypatch.setattr(stories, "MAX_CANDIDATES", cap or largest)
        shake_the_index(step)
        # Copies join the story of their copies without a comparison (tests/site/test_copies.py);
        # here every article is compared.
        Article.objects.update(story=None, copy_group=None, is_copy=False)
        Story.objects.all().delete()
        reference = Reference()
        for pk in Article.objects.order_by(*stories.OLDEST_FIRST).values_list("pk", flat=True):
            new, window = reference.window(pk, options)
            expected = cluster.assign(new, window, options)
            joinable = [item for item in window if cluster.might_join(new, item, options)]

            with transaction.atomic():
                candidates, corpus = stories._candidates(pk, new, options)
            if options.min_shared_names < 1:
                assert corpus is None and list(map(seen, candidates)) == list(map(seen, window))
            else:
                assert list(map(seen, candidates)) == list(map(seen, joinable))
                assert (corpus is None) == (not candidates)
            if corpus is not None:
                full = Corpus.of([new.features, *(i.features for i in window if not i.features.is_empty)])
                assert corpus.size == full.size
                for item in [new, *candidates]:
                    for term in (*item.features.names, *item.features.words):
                        assert corpus.counts[term] == full.counts[term], term

            story_id = stories.assign_story(pk, options)
            assert Article.objects.get(pk=pk).story_id == story_id
            if expected is None:
                assert Article.objects.filter(story_id=story_id).count() == 1
            elif isinstance(expected, tuple):
                assert story_id == Article.objects.get(pk=expected[1]).story_id
            else:
                assert story_id == expected
            chosen += expected is not None
            contested += len({item.story for item in joinable}) > 1
        assert StoryTerm.objects.filter(term=stories.INDEX_VERSION).count() == Article.objects.count()
    # The corpus gave the grouping real choices to make.
    assert chosen > 100 and contested > 100


def test_the_index_follows_changed_and_deleted_articles(outlets, fetcher):
    populate(outlets, fetcher)
    article = Article.objects.exclude(text="").order_by("pk").first()
    indexed = set(StoryTerm.objects.filter(article=article).values_list("term", flat=True))
    found = cluster.features(article.title, article.text)
    assert indexed == {*found.names, *found.words, stories.INDEX_VERSION}

    # A name longer than the index holds is kept by its start and a digest.
    long_name = " ".join(["Greyhaven Harbour Commissioners Extraordinary Standing Committee"] * 5)
    Article.objects.filter(pk=article.pk).update(
        title="Ferry timetable changes",
        text=f"The Halloway ferry timetable changes in spring, Dana Whitcombe told the {long_name} on Monday.")
    stories.assign_story(article.pk)
    names = set(StoryTerm.objects.filter(article=article, kind=StoryTerm.NAME).values_list("term", flat=True))
    assert {"halloway", "dana whitcombe", "dana", "whitcombe", "greyhaven"} <= names
    assert max(map(len, names)) == 200 and long_name.lower() not in names

    moved = article.date + timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(published_at=moved)
    stories.assign_story(article.pk)
    assert set(StoryTerm.objects.filter(article=article).values_list("published", flat=True)) == {moved}

    article.delete()
    assert not StoryTerm.objects.filter(article_id=article.pk).exists()
