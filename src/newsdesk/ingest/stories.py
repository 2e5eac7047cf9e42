"""Grouping stored articles into stories: ``pipeline.cluster`` run against the database.

Every article belongs to a story, most to a story of their own; an article joins an older story
when ``cluster.assign`` finds it reports the same event. The newcomer decides, so storing an
article changes at most its own story and the one it leaves.

``cluster.assign`` only accepts an article that shares ``min_shared_names`` names with the
newcomer, so the newcomer is compared with just those, found through the ``StoryTerm`` index, and
the term weights come from counts over the whole window taken from the same index: the choice is
the one a comparison with every recent article would make, without reading every recent article.

An article whose byline credits another outlet newsdesk follows (``Article.credited_source``: a
paper carrying an agency's story) is grouped as that outlet's, not its carrier's: the carrier's
own report of the event can then join it, and the agency's own copy cannot join through it alone.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsdesk.pipeline import cluster
from newsdesk.pipeline.cluster import ClusterOptions, Corpus, Features, Item
from newsdesk.site.pagecache import invalidate
from newsdesk.site.articles.models import Article, Story, StoryTerm
from newsdesk.site.articles.queries import NEWEST

from . import coordination
from .bulk import insert_rows

__all__ = ["MAX_CANDIDATES", "assign_story", "gather_copies", "group_together", "regroup_stories", "separate"]

# Recent articles compared with a new one; a busy site stores a few hundred a day.
MAX_CANDIDATES = 3000
OLDEST_FIRST = (F("published_at").asc(nulls_last=True), F("fetched_at").asc(), F("id").asc())
# The term of an article's INDEXED or EMPTY row: which version of the features its rows hold.
INDEX_VERSION = f"v{cluster.VERSION}"
MARKERS = [f"v{version}" for version in range(cluster.VERSION + 1)]
PARAMETERS_PER_QUERY = 500  # well below every database's limit
STORY_LOCK = "stories"  # held by every transaction that puts articles in stories (PostgreSQL)


def assign_story(article_id: int, options: ClusterOptions | None = None) -> int | None:
    """Put one article in the story it reports, else in a story of its own, in one transaction.

    A copy of a text already grouped (``newsdesk.ingest.copies``) joins the story its copies are in.
    Idempotent: an article whose title and text have not changed since it was grouped keeps its
    story, and one an editor put in a story keeps that whatever it says. Returns the story's id,
    or None when there is no such article.
    """
    options = options or ClusterOptions()
    with transaction.atomic():
        article = (Article.objects.select_for_update().filter(pk=article_id)
                   .only("pk", "title", "text", "source_id", "credited_source_id", "published_at", "fetched_at",
                         "story_id", "story_pinned", "story_features", "copy_group").first())
        if article is None:
            return None
        found = cluster.features(article.title, article.text)
        # With several workers, articles are grouped one after the other (and after copy grouping,
        # which moves stories too), so that two reports of one event stored at once do not each
        # miss the other and split the story in two. A lock per shared name was tried first: six
        # reports of one event stored at once by three workers still made two stories.
        coordination.lock_names([STORY_LOCK])
        when = article.published_at or article.fetched_at
        stored = found.to_json()
        unchanged = article.story_features == stored
        if article.story_id is not None and (unchanged or article.story_pinned):
            # It stays: its text is as grouped, or an editor chose its story (others may still
            # join that story through its terms). Its terms or date may have changed, and the
            # index must say so.
            if not unchanged:
                Article.objects.filter(pk=article.pk).update(story_features=stored)
            if not unchanged or not StoryTerm.objects.filter(
                    article_id=article.pk, term=INDEX_VERSION, published=when).exists():
                _index({article.pk: (found, when)})
            return article.story_id
        Article.objects.filter(pk=article.pk).update(story_features=stored)
        copies_story = _story_of_copies(article)
        if copies_story is not None:
            _index({article.pk: (found, when)})
            return _move(article, copies_story)
        new = Item(found, when, article.credited_source_id or article.source_id)
        candidates, corpus = _candidates(article.pk, new, options)
        return _move(article, cluster.assign(new, candidates, options, corpus))


def _story_of_copies(article: Article) -> int | None:
    """The story most of the other articles of ``article``'s copy group are in (the oldest on a
    tie), or None when it has no copies in a story."""
    if article.copy_group is None:
        return None
    return _story_sizes(Article.objects.filter(copy_group=article.copy_group).exclude(pk=article.pk))[0]


def _story_sizes(articles) -> tuple[int | None, int]:
    """The story most of ``articles`` are in (the oldest on a tie; None: none is in a story), and
    how many stories they are in."""
    sizes = list(articles.filter(story__isnull=False).values("story_id").annotate(n=Count("id"))
                 .values_list("story_id", "n"))
    if not sizes:
        return None, 0
    return min(sizes, key=lambda row: (-row[1], row[0]))[0], len(sizes)


def gather_copies(article_id: int) -> int | None:
    """Put the copies of a text in one story: one text is one event, whatever the bylines say.
    The story is the one most of them are in already (the oldest on a tie), so a newcomer follows
    its group rather than the group the newcomer. Articles an editor put in a story stay.
    ``article_id`` is any article of the copy group; returns the story's id."""
    with transaction.atomic():
        label = Article.objects.filter(pk=article_id).values_list("copy_group", flat=True).first()
        if label is None:
            return None
        target, stories_held = _story_sizes(Article.objects.filter(copy_group=label))
        if stories_held <= 1:
            return target
        strays = (Article.objects.select_for_update().filter(copy_group=label, story_pinned=False)
                  .exclude(story_id=target).only("pk", "title", "story_id").order_by("pk"))
        for article in strays:
            _move(article, target)
        return target


def regroup_stories(options: ClusterOptions | None = None) -> int:
    """Group every article again, oldest first, as if each had just been stored; returns the
    number of stories. For a new version of the grouping or after a bulk import. Articles an
    editor put in a story stay there."""
    with transaction.atomic():
        Article.objects.filter(story__isnull=False, story_pinned=False).update(story=None)
        Story.objects.exclude(articles__story_pinned=True).delete()
        recount(set(Story.objects.values_list("pk", flat=True)))
        for article_id in list(Article.objects.filter(story_pinned=False).order_by(*OLDEST_FIRST)
                               .values_list("pk", flat=True)):
            assign_story(article_id, options)
        firsts = (Article.objects.filter(copy_group__isnull=False).values("copy_group")
                  .annotate(first=Min("pk")).values_list("first", flat=True))
        for member in list(firsts):
            gather_copies(member)
        invalidate.site()
        return Story.objects.count()


def group_together(article_ids: list[int]) -> int | None:
    """An editor's fix: put these articles in one story, the one most of them are in already
    (the oldest on a tie), and keep them there. Returns the story's id (None: no such articles)."""
    with transaction.atomic():
        rows = list(Article.objects.select_for_update().filter(pk__in=article_ids)
                    .order_by(*OLDEST_FIRST).values_list("pk", "story_id", "title"))
        if not rows:
            return None
        sizes = Counter(story_id for _, story_id, _ in rows if story_id is not None)
        if sizes:
            target = min(sizes, key=lambda pk: (-sizes[pk], pk))
        else:
            target = Story.objects.create(title=rows[0][2][:500]).pk
        Article.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(story_id=target, story_pinned=True)
        recount({target} | set(sizes))
        invalidate.stories({target} | set(sizes))
        invalidate.article_pages([pk for pk, _, _ in rows])
        return target


def separate(article_ids: list[int]) -> int:
    """An editor's fix: give each of these articles a story of its own and keep it there.
    Returns how many moved out of a story they shared."""
    with transaction.atomic():
        rows = list(Article.objects.select_for_update().filter(pk__in=article_ids).values_list("pk", "story_id", "title"))
        changed, moved = set(), 0
        for pk, story_id, title in rows:
            shared = story_id is not None and Article.objects.filter(story_id=story_id).exclude(pk=pk).exists()
            if shared or story_id is None:
                own = Story.objects.create(title=title[:500])
                Article.objects.filter(pk=pk).update(story=own, story_pinned=True)
                changed |= {story_id, own.pk}
                moved += shared
            else:
                Article.objects.filter(pk=pk).update(story_pinned=True)
        recount(changed - {None})
        invalidate.stories(changed)
        invalidate.article_pages([pk for pk, _, _ in rows])
        return moved


def _candidates(article_id: int, new: Item, options: ClusterOptions) -> tuple[list[Item], Corpus | None]:
    """The articles of ``new``'s window that might join it, newest first, and the corpus of the
    whole window with ``new`` (None: the candidates are the whole window, or none). Indexes
    ``new`` first."""
    _index({article_id: (new.features, new.published)})  # its rows count it in the corpus
    if new.features.is_empty:
        return [], None  # it joins nothing
    window = _Window.around(article_id, new.published, options)
    if options.min_shared_names < 1:
        # Any article may join without a name in common: compare with the whole window.
        return _items(window.ids, new.published, window.loose), None
    # Only articles with that many names in common can join (cluster.shared_names counts no more).
    rows = window.rows.filter(kind=StoryTerm.NAME, term__in=[_key(name) for name in new.features.names])
    if not options.same_source and new.source is not None:
        # An outlet's own articles, and those it carries in the voice of another outlet (the agency).
        rows = rows.exclude(Q(article__source_id=new.source, article__credited_source__isnull=True)
                            | Q(article__credited_source_id=new.source))
    counted = window.counted
    sharing = set(window.loose).union(
        pk for pk in (rows.values("article_id").annotate(shared=Count("id"))
                      .filter(shared__gte=options.min_shared_names).values_list("article_id", flat=True))
        if pk in counted)
    candidates = [item for item in _items([pk for pk in window.ids if pk in sharing], new.published, window.loose)
                  if cluster.might_join(new, item, options)]
    if not candidates:
        return [], None
    return candidates, window.corpus(article_id, [new.features, *(item.features for item in candidates)])


@dataclass(frozen=True)
class _Window:
    """The published articles within ``options.window`` of a date, at most MAX_CANDIDATES, newest
    first, as the index holds them."""

    span: tuple[datetime, datetime]
    ids: list[int]  # newest first, those without a date of publication last
    marked: dict[int, int]  # article -> kind of its marker row within the span, of any version
    refreshed: dict[int, Features]  # articles of the window the index lacked, as found now
    loose: dict[int, Features]  # those of them another grouping holds: compared by these features

    @classmethod
    def around(cls, article_id: int, when: datetime, options: ClusterOptions) -> "_Window":
        """The window of ``when`` but ``article_id``, with every article of it indexed that can be."""
        span = (when - options.window, when + options.window)
        # IN rather than a plain boolean, which SQLite does not look up in the article_latest index.
        published = Article.objects.filter(is_published__in=[True]).exclude(pk=article_id)
        ids = list(published.filter(published_at__range=span).order_by(*NEWEST)
                   .values_list("pk", flat=True)[:MAX_CANDIDATES])
        if len(ids) < MAX_CANDIDATES:
            ids += published.filter(published_at__isnull=True).filter(fetched_at__range=span).order_by(
                "-id").values_list("pk", flat=True)[:MAX_CANDIDATES - len(ids)]
        markers = (StoryTerm.objects.filter(published__range=span, term__in=MARKERS,
                                            kind__in=(StoryTerm.INDEXED, StoryTerm.EMPTY))
                   .values_list("article_id", "term", "kind"))
        marked, current = {}, set()
        for pk, term, kind in markers:
            marked[pk] = kind
            if term == INDEX_VERSION:
                current.add(pk)
        refreshed, indexed = _index_missing(set(ids) - current)
        loose = {pk: found for pk, found in refreshed.items() if pk not in indexed}
        return cls(span, ids, marked, refreshed, loose)

    @property
    def rows(self):
        """The index rows dated within the window's span."""
        return StoryTerm.objects.filter(published__range=self.span)

    @property
    def counted(self) -> set[int]:
        """The articles of the window whose rows count."""
        return set(self.ids) - set(self.loose)

    def corpus(self, article_id: int, features: list[Features]) -> Corpus:
        """Counts of the terms of ``features`` over the window and the article ``article_id``
        (indexed, not in the window): from the rows within the span, less those of articles
        outside the window (unpublished, beyond MAX_CANDIDATES, or of a stale date or version),
        plus the loose articles' features."""
        terms = {_key(term): term for found in features for term in (*found.names, *found.words)}
        counts: dict[str, int] = {}
        counted = self.counted
        outside = sorted(set(self.marked) - counted - {article_id})
        queries = [(1, self.rows)]
        queries += [(-1, self.rows.filter(article_id__in=chunk)) for chunk in _chunks(outside)]
        for sign, rows in queries:
            for chunk in _chunks(list(terms)):
                held = (rows.filter(kind__in=(StoryTerm.NAME, StoryTerm.WORD), term__in=chunk)
                        .values("term").annotate(held=Count("id")).values_list("term", "held"))
                for key, held_by in held:
                    counts[terms[key]] = counts.get(terms[key], 0) + sign * held_by
        size = 1  # the article itself
        for pk in counted:
            found = self.refreshed.get(pk)
            size += (not found.is_empty) if found else self.marked[pk] == StoryTerm.INDEXED
        for found in self.loose.values():
            if not found.is_empty:
                size += 1
                for term in set(found.names) | set(found.words):
                    counts[term] = counts.get(term, 0) + 1
        return Corpus(size, counts)


def _items(ids: list[int], when, loose: dict[int, Features]) -> list[Item]:
    """Items for these articles, in this order, with the features of the loose ones from ``loose``."""
    rows = {}
    for chunk in _chunks(ids):
        for pk, *row in (Article.objects.filter(pk__in=chunk)
                         .values_list("pk", Coalesce("credited_source_id", "source_id"), "story_id", "published_at",
                                      "fetched_at", "story_features", "stages_pending")):
            rows[pk] = row
    items = []
    for pk in ids:
        source_id, story_id, published_at, fetched_at, stored, pending = rows[pk]
        published = published_at or fetched_at
        story = story_id
        if story is None and not pending and published <= when:
            # Stored before stories existed: joining it makes a story for both. One whose stages
            # are still to run waits its turn, whatever its date: pulled into a newcomer's story
            # now, it would keep that story and never choose among those grouped before it
            # (with several workers, six reports of one event made two stories that way).
            story = ("article", pk)
        items.append(Item(loose.get(pk) or Features.from_json(stored), published, source_id, story))
    return items


def _index_missing(article_ids: set[int]) -> tuple[dict[int, Features], set[int]]:
    """Index these articles, computing their features where those stored are missing or of an
    older version, except where another grouping holds the row: waiting for one could deadlock.
    Returns the features of them all and the ids of those indexed."""
    if not article_ids:
        return {}, set()
    rows = Article.objects.filter(pk__in=article_ids).values_list("pk", "published_at", "fetched_at", "story_features")
    stored = {pk: (Features.from_json(data), published_at or fetched_at) for pk, published_at, fetched_at, data in rows}
    stale = {pk for pk, (found, _) in stored.items() if found.version != cluster.VERSION}
    texts = Article.objects.filter(pk__in=stale).values_list("pk", "title", "text")
    for pk, title, text in texts.iterator(chunk_size=200):
        stored[pk] = (cluster.features(title, text), stored[pk][1])
    free = set(Article.objects.select_for_update(skip_locked=True).filter(pk__in=stored).values_list("pk", flat=True))
    Article.objects.bulk_update([Article(pk=pk, story_features=stored[pk][0].to_json()) for pk in free & stale],
                                ["story_features"], batch_size=500)
    _index({pk: stored[pk] for pk in free})
    return {pk: found for pk, (found, _) in stored.items()}, free


def _chunks(items: list, size: int = PARAMETERS_PER_QUERY):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _index(features: dict) -> None:
    """Replace the StoryTerm rows of these articles: {article id: (Features, date)}."""
    StoryTerm.objects.filter(article_id__in=features).delete()
    rows = []
    for pk, (found, when) in features.items():
        names = set(found.names)
        rows += [(pk, _key(term), StoryTerm.NAME, when) for term in names]
        rows += [(pk, _key(term), StoryTerm.WORD, when) for term in set(found.words) - names]
        rows.append((pk, INDEX_VERSION, StoryTerm.EMPTY if found.is_empty else StoryTerm.INDEXED, when))
    insert_rows(StoryTerm, ("article", "term", "kind", "published"), rows)


def _key(term: str) -> str:
    """The term as the index stores it, in at most 200 characters: a longer name keeps its start
    and a digest of the whole."""
    if len(term) <= 200:
        return term
    return f"{term[:135]}#{hashlib.sha256(term.encode()).hexdigest()}"


def _move(article: Article, target) -> int:
    """Put ``article`` in story ``target`` (None: a story of its own) and recount what changed."""
    current = article.story_id
    if isinstance(target, tuple):
        target = _story_of(target[1])
    if target is None:
        if current is not None and not Article.objects.filter(story_id=current).exclude(pk=article.pk).exists():
            return current
        target = Story.objects.create(title=article.title[:500]).pk
    if target == current:
        return current
    invalidate.stories([current])  # before it leaves: the mates it had list it
    Article.objects.filter(pk=article.pk).update(story_id=target)
    recount({current, target} - {None})
    invalidate.stories([target])
    return target


def _story_of(article_id: int) -> int | None:
    """The story of an article that had none a moment ago: a new one for it, or the one it got
    meanwhile, or None while its own grouping holds it (it will find the newcomer then, or not)."""
    free = Article.objects.select_for_update(skip_locked=True).filter(pk=article_id, story__isnull=True)
    if not free.exists():
        return Article.objects.filter(pk=article_id).values_list("story_id", flat=True).first()
    story = Story.objects.create(title="")
    Article.objects.filter(pk=article_id).update(story=story)
    return story.pk


def recount(story_ids: set[int]) -> None:
    """Each story's article count and first title again; a story left empty is deleted."""
    for story_id in sorted(story_ids):  # one order in every transaction, so none waits in a circle
        members = Article.objects.filter(story_id=story_id)
        count = members.count()
        if not count:
            Story.objects.filter(pk=story_id).delete()
            continue
        title = members.order_by(*OLDEST_FIRST).values_list("title", flat=True).first()
        Story.objects.filter(pk=story_id).update(article_count=count, title=title[:500], updated_at=timezone.now())
