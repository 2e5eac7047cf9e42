"""Stories on the demo outlets: one event's articles grouped across outlets, Check Also one per story."""

from __future__ import annotations

import io
import itertools
import re
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.core.management import call_command

from newsdesk.demo import DemoServer
from newsdesk.ingest.demo import populate
from newsdesk.ingest.stories import assign_story, group_together, regroup_stories, separate
from newsdesk.site.articles.models import Article, Story
from tests.site.conftest import build_article

pytestmark = pytest.mark.django_db(transaction=True)

CHECK_ALSO = re.compile(r'<aside class="check-also".*?</aside>', re.S)
ARTICLE_ID = re.compile(r'href="/\d{4}/\d\d/\d\d/[^"/]*-(\d+)/"')


@pytest.fixture(scope="module")
def outlets():
    with DemoServer(host="127.0.0.1", port=0) as server:
        yield server


def story_keys(server) -> dict[int, str]:
    """Stored article id -> the demo's story key ("" for an article no other outlet covered)."""
    by_url = {server.article_url(outlet.slug, article.slug): article.story
              for outlet, _, _ in server.outlets for article in outlet.articles}
    keys = {pk: by_url.get(url) for pk, url in Article.objects.values_list("pk", "canonical_url")}
    assert None not in keys.values(), "every stored article is one of the demo's"
    return keys


def pairs(keys: dict[int, str]) -> tuple[float, float, list]:
    """Pairwise precision and recall of the stored stories against the demo's keys, and the wrong pairs."""
    story = dict(Article.objects.values_list("pk", "story_id"))
    grouped = true = both = 0
    wrong = []
    for a, b in itertools.combinations(sorted(keys), 2):
        same_key = bool(keys[a]) and keys[a] == keys[b]
        same_story = story[a] is not None and story[a] == story[b]
        true += same_key
        grouped += same_story
        both += same_key and same_story
        if same_story and not same_key:
            wrong.append((a, b))
    return (both / grouped if grouped else 1.0), (both / true if true else 1.0), wrong


def assert_stories_consistent() -> None:
    assert not Article.objects.filter(story__isnull=True).exists()
    members = defaultdict(list)
    for pk, story_id, title, date in Article.objects.values_list("pk", "story_id", "title", "published_at"):
        members[story_id].append((date, pk, title))
    stories = {s.pk: s for s in Story.objects.all()}
    assert set(stories) == set(members)
    for story_id, rows in members.items():
        assert stories[story_id].article_count == len(rows)
        assert stories[story_id].title == min(rows)[2]


def test_demo_articles_of_one_event_are_grouped_and_no_others(outlets, fetcher):
    populate(outlets, fetcher)
    keys = story_keys(outlets)
    precision, recall, wrong = pairs(keys)
    assert wrong == [] and precision == 1.0
    assert recall >= 0.8
    # Most multi-outlet stories are found whole or in part.
    story = dict(Article.objects.values_list("pk", "story_id"))
    found = {keys[a] for a, b in itertools.combinations(keys, 2) if keys[a] and keys[a] == keys[b]
             and story[a] == story[b]}
    assert len(found) >= len({k for k in keys.values() if k}) - 1
    assert_stories_consistent()

    # Grouping again changes nothing, article by article or all at once.
    before = dict(Article.objects.values_list("pk", "story_id"))
    for pk in before:
        assign_story(pk)
    assert dict(Article.objects.values_list("pk", "story_id")) == before
    again = populate(outlets, fetcher)
    assert sum(r.new + r.updated for r in again) == 0
    assert dict(Article.objects.values_list("pk", "story_id")) == before

    regroup_stories()
    precision, recall, wrong = pairs(keys)
    assert wrong == [] and recall >= 0.8
    assert_stories_consistent()


def test_check_also_never_shows_the_page_story_or_one_story_twice(outlets, fetcher, client):
    populate(outlets, fetcher)
    story = dict(Article.objects.values_list("pk", "story_id"))
    grouped = [pk for pk, s in story.items() if list(story.values()).count(s) > 1]
    assert grouped
    for pk in story:
        cache.clear()
        response = client.get(Article.objects.get(pk=pk).get_absolute_url())
        assert response.status_code == 200
        box = CHECK_ALSO.search(response.content.decode())
        shown = [int(i) for i in ARTICLE_ID.findall(box.group(0))] if box else []
        assert 1 <= len(shown) <= 4
        assert pk not in shown
        assert all(story[other] != story[pk] for other in shown), (pk, shown)
        assert len({story[other] for other in shown}) == len(shown), (pk, shown)


def test_a_changed_article_leaves_its_story_and_an_ungrouped_one_is_joined(newsroom):
    gazette, courier = newsroom.sources["gazette"], newsroom.sources["courier"]
    world = newsroom.categories["world"]
    text = ("Forty firefighters fought a blaze at the Halloway Grain Terminal in Brackwater on Tuesday. "
            "Chief Fire Officer Dana Whitcombe said 1,200 tonnes of barley were lost at the Corrigan Agri site, "
            "and residents of Tanner's Row were told to keep their windows shut.")
    first = build_article(gazette, world, "Fire at Halloway Grain Terminal", "ferry", 500, None, text=text)
    # Stored before grouping existed: no story and no features yet.
    assert first.story_id is None
    other = ("A grain store run by Corrigan Agri in Brackwater burned on Tuesday night; Dana Whitcombe, "
             "chief fire officer, said crews saved the depot while 1,200 tonnes of barley burned at the "
             "Halloway Grain Terminal. People near Tanner's Row stayed indoors.")
    second = build_article(courier, world, "Barley lost in Brackwater silo fire", "ferry", 501, None, text=other)
    story_id = assign_story(second.pk)
    first.refresh_from_db()
    assert first.story_id == story_id and Story.objects.get(pk=story_id).article_count == 2

    Article.objects.filter(pk=second.pk).update(text="The ferry timetable changes in spring, the operator said.",
                                                title="Ferry timetable changes")
    moved = assign_story(second.pk)
    assert moved != story_id
    assert Story.objects.get(pk=story_id).article_count == 1
    assert Story.objects.get(pk=moved).title == "Ferry timetable changes"
    assert assign_story(second.pk) == moved
    assert assign_story(10**9) is None


FIRE = ("Forty firefighters fought a blaze at the Halloway Grain Terminal in Brackwater on Tuesday. "
        "Chief Fire Officer Dana Whitcombe said 1,200 tonnes of barley were lost at the Corrigan Agri site, "
        "and residents of Tanner's Row were told to keep their windows shut.")
FIRE_AGAIN = ("A grain store run by Corrigan Agri in Brackwater burned on Tuesday night; Dana Whitcombe, "
              "chief fire officer, said crews saved the depot while 1,200 tonnes of barley burned at the "
              "Halloway Grain Terminal. People near Tanner's Row stayed indoors.")


def test_editors_group_and_separate_and_grouping_respects_it(newsroom):
    gazette, courier = newsroom.sources["gazette"], newsroom.sources["courier"]
    world = newsroom.categories["world"]
    fire = build_article(gazette, world, "Fire at Halloway Grain Terminal", "ferry", 600, None, text=FIRE)
    again = build_article(courier, world, "Barley lost in Brackwater silo fire", "ferry", 601, None,
                          text=FIRE_AGAIN)
    ferry = build_article(courier, world, "Ferry timetable changes", "ferry", 602, None,
                          text="The ferry timetable changes in spring, the operator said.")
    for article in (fire, again, ferry):
        assign_story(article.pk)
    fire.refresh_from_db(), again.refresh_from_db(), ferry.refresh_from_db()
    assert fire.story_id == again.story_id != ferry.story_id

    # The editor says the ferry piece is part of the fire story after all.
    story_id = group_together([ferry.pk, fire.pk])
    assert story_id == fire.story_id
    assert Story.objects.get(pk=story_id).article_count == 3
    assert not Story.objects.filter(pk=ferry.story_id).exists()  # left empty, so gone
    assert assign_story(ferry.pk) == story_id  # grouping again changes nothing
    assert regroup_stories() == Story.objects.count()
    ferry.refresh_from_db(), fire.refresh_from_db()
    assert ferry.story_id == fire.story_id and ferry.story_pinned

    # And then that the second fire report is a different event.
    assert separate([again.pk]) == 1
    again.refresh_from_db()
    assert again.story_id != fire.story_id and again.story_pinned
    assert Story.objects.get(pk=again.story_id).article_count == 1
    assert Story.objects.get(pk=fire.story_id).article_count == 2
    assert assign_story(again.pk) == again.story_id
    regroup_stories()
    again.refresh_from_db(), fire.refresh_from_db()
    assert again.story_id != fire.story_id
    assert separate([again.pk]) == 0  # already alone
    assert group_together([10**9]) is None
    assert_stories_consistent()

    out = io.StringIO()
    call_command("regroup", stdout=out)
    shown = Article.objects.filter(is_copy=False).count()
    assert (f"{Article.objects.count()} articles: {shown} shown (the rest are copies), in "
            f"{Story.objects.count()} stories") in out.getvalue()
    again.refresh_from_db()
    assert again.story_id != fire.story_id


def test_near_copies_tell_one_story_and_other_articles_do_not():
    from newsdesk.site.articles.stories import same_story

    opening = ("Forty firefighters fought a blaze at the Halloway Grain Terminal in Brackwater on Tuesday, "
               "and 1,200 tonnes of barley were lost at the Corrigan Agri site.")
    original = Article(pk=1, title="Fire at Halloway Grain Terminal", text=opening, content_hash="a")
    retitled = Article(pk=2, title="Barley lost in terminal blaze", text=opening + " Nobody was hurt.",
                       content_hash="b")
    # Underscores separate words as any other punctuation does.
    same_title = Article(pk=3, title="Fire at Halloway_Grain_Terminal!", text="Smoke over Tanner's Row.",
                         content_hash="c")
    other = Article(pk=4, title="Council approves cycle lanes for Mill Road", text="Councillors in Brackwater "
                    "voted on Tuesday to build protected cycle lanes along Mill Road.", content_hash="d")
    assert same_story(original, retitled) and same_story(original, same_title)
    assert not same_story(original, other) and not same_story(retitled, same_title)
