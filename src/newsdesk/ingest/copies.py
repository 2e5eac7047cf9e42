"""Copies: ``pipeline.copies`` run against the database, so that one text is shown once.

Articles whose texts are one (an agency's story on several sites, a piece republished under a new
headline) form a copy group (``Article.copy_group``, a label). One of them is shown for all in
every listing, search, feed and sitemap; the others (``Article.is_copy``) keep their own pages,
which name it. Choosing another one to show rewrites two rows, however big the group.

The shown article is, in this order: the one an editor chose; the one the others name as their
original (an agency byline or credit naming its outlet, or a rel=canonical pointing at its site);
the earliest. Only a published article is shown while the group has one.

Band keys of every article's text live in ``CopyKey`` rows, so every process and worker looks in
the same index, and a new article reads only the few recent ones that share keys with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Count, Q, Subquery
from django.db.models.functions import Coalesce, Left, Right

from newsdesk.pipeline import copies
from newsdesk.pipeline.copies import CopyOptions, Fingerprint
from newsdesk.pipeline.urls import same_site
from newsdesk.site.pagecache import invalidate
from newsdesk.site.articles.models import Article, CopyKey

from . import coordination
from .bulk import insert_rows
from .stories import OLDEST_FIRST, STORY_LOCK, gather_copies

__all__ = ["choose_shown", "configured_options", "detect_copy", "elect", "group_as_copies", "regroup_copies",
           "show_for_copies", "shown_in_group", "split_copies"]

GROUP_READ = 4  # rows read per candidate wanted, so that a big copy group does not crowd out the rest
SHOWN_FIELDS = ("pk", "source_id", "copy_group", "is_copy", "copy_pinned", "is_published", "published_at",
                "fetched_at")


def configured_options() -> CopyOptions | None:
    """The options the settings ask for (``NEWSDESK_COPY_WINDOW_DAYS``); None: detection is off."""
    days = int(settings.NEWSDESK.get("COPY_WINDOW_DAYS", 7))
    return CopyOptions(window=timedelta(days=days)) if days else None


def shown_in_group(group: int | None) -> int | None:
    """The id of the article a copy group is shown by (None: no such group)."""
    if group is None:
        return None
    return Article.objects.filter(copy_group=group, is_copy=False).order_by("pk").values_list("pk", flat=True).first()


def detect_copy(article_id: int, options: CopyOptions | None = None) -> int | None:
    """Index one article's text and put it in the copy group of the text it copies, if any, in one
    transaction. Returns the id of the article shown for it (its own when it is shown), or None
    when there is no such article. ``options``: ``configured_options()`` when not given; with
    detection off, nothing is done and the article's own id is returned.

    Idempotent. An article an editor placed stays where they put it; a copy stays in its group
    while it still copies the article shown for it, and leaves it when its text changed so that
    it no longer does; the article shown for a group stays with it.
    """
    options = options or configured_options()
    if options is None:
        return article_id if Article.objects.filter(pk=article_id).exists() else None
    with transaction.atomic():
        article = (Article.objects.select_for_update().filter(pk=article_id)
                   .only("pk", "text", "published_at", "fetched_at", "copy_group", "is_copy", "copy_pinned").first())
        if article is None:
            return None
        found = copies.fingerprint(article.text, options)
        # Two copies stored at once by two workers would each miss the other: texts that could
        # match share a band key, and those are locked until this transaction ends; and copies
        # join their group's story, so story grouping waits too.
        coordination.lock_names([STORY_LOCK, *(f"copy:{key}" for key in (found.keys if found else ()))])
        when = article.published_at or article.fetched_at
        _index(article.pk, found, when)
        current = article.copy_group
        if current is not None and (article.copy_pinned or not article.is_copy):
            return shown_in_group(current) or article.pk
        if article.copy_pinned:
            return article.pk  # an editor took it out of its group: it stands alone
        shown = shown_in_group(current)
        if found is not None and shown is not None and _still_copies(found, when, shown, options):
            return shown
        match = None
        if found is not None:
            match = copies.find_copy(article.text, _DatabaseIndex(article.pk, when, options), options, found)
        if match is None:
            if current is None:
                return article.pk
            Article.objects.filter(pk=article.pk).update(copy_group=None, is_copy=False)
            invalidate.copy_groups([current])  # before it leaves: its old mates' pages change too
            invalidate.articles([article.pk])
            elect(current)  # the group it leaves shows another, or is no group with one article left
            return article.pk
        target = _group_of(match.id)
        if target == current:
            return shown or article.pk
        Article.objects.filter(pk=article.pk).update(copy_group=target, is_copy=True)
        invalidate.copy_groups([current, target])
        if current is not None:
            elect(current)
        return elect(target, newcomer=article.pk)


def elect(group: int, newcomer: int | None = None) -> int | None:
    """Choose again the article shown for a copy group (a ``copy_group`` label); returns its id
    (None: no such group). Run after a member joins, is published, unpublished or removed;
    ``newcomer``: the one member that just joined, when that is all that changed."""
    with transaction.atomic():
        rows = Article.objects.select_for_update().filter(copy_group=group)
        shown_rows = list(rows.filter(is_copy=False).only(*SHOWN_FIELDS).order_by("pk"))
        current = shown_rows[0] if len(shown_rows) == 1 else None
        if (newcomer is not None and current is not None and current.is_published and current.copy_pinned):
            return current.pk  # an editor's choice stays whoever joins
        if rows.exclude(source_id=Subquery(rows.values("source_id")[:1])).exists():
            members = list(_with_credit_fields(rows).order_by("pk"))
        elif newcomer is not None and current is not None and current.is_published:
            # One outlet, one newcomer: nothing to weigh but the newcomer's date against the shown one's.
            members = [current, *rows.filter(pk=newcomer).only(*SHOWN_FIELDS)]
        else:
            members = list(rows.only(*SHOWN_FIELDS).order_by("pk"))
        if not members:
            return None
        if len(members) == 1 and newcomer is None:
            Article.objects.filter(pk=members[0].pk).update(copy_group=None, is_copy=False)
            return members[0].pk
        chosen = choose_shown(members)
        changed = rows.exclude(pk=chosen.pk).filter(is_copy=False).update(is_copy=True)
        if chosen.is_copy:
            Article.objects.filter(pk=chosen.pk).update(is_copy=False)
        if changed or chosen.is_copy:
            invalidate.copy_groups([group])
        return chosen.pk


def choose_shown(group: Sequence[Article]) -> Article:
    """The article of a copy group to show: an editor's choice, else the one the others name as
    their original, else the earliest; a published one while there is one.

    ``group``'s articles need ``source_id``, ``is_copy``, ``copy_pinned``, ``is_published`` and the
    dates; when they are of several outlets, also ``source``, ``authors``, ``url``,
    ``canonical_url``, ``original_url`` and the ``head``/``tail`` of their text."""
    candidates = [a for a in group if a.is_published] or list(group)
    chosen = [a for a in candidates if a.copy_pinned and not a.is_copy]
    if chosen:
        return min(chosen, key=_age)
    named = _named(group) if len({a.source_id for a in group}) > 1 else {}
    most = max((named.get(a.pk, 0) for a in candidates), default=0)
    if most:
        return min((a for a in candidates if named.get(a.pk, 0) == most), key=_age)
    return min(candidates, key=_age)


def split_copies(article_ids: Iterable[int]) -> int:
    """An editor's fix: take these articles out of their copy groups, each shown on its own from
    then on. Returns how many left a group."""
    moved = 0
    ids = sorted(set(article_ids))
    with transaction.atomic():
        for pk in ids:
            group = Article.objects.select_for_update().filter(pk=pk).values_list("copy_group", flat=True).first()
            Article.objects.filter(pk=pk).update(copy_group=None, is_copy=False, copy_pinned=True)
            if group is not None:
                invalidate.copy_groups([group])
                elect(group)
                moved += 1
        invalidate.articles(ids)
    return moved


def group_as_copies(article_ids: Iterable[int], shown_id: int | None = None) -> int | None:
    """An editor's fix: make these articles (and the groups they are in) one copy group, shown by
    ``shown_id`` when given (else as ``choose_shown`` decides), and keep it so. Returns the id of
    the shown article (None: no such articles)."""
    ids = set(article_ids) | ({shown_id} if shown_id else set())
    with transaction.atomic():
        rows = list(Article.objects.filter(pk__in=ids).values_list("pk", "copy_group"))
        if not rows:
            return None
        groups = {group for _, group in rows if group is not None}
        members = Article.objects.select_for_update().filter(Q(pk__in=[pk for pk, _ in rows]) | Q(copy_group__in=groups))
        everyone = list(members.order_by("pk").values_list("pk", flat=True))
        label = min(groups) if groups else everyone[0]
        if shown_id not in everyone:
            shown_id = choose_shown(list(_with_credit_fields(Article.objects.filter(pk__in=everyone)))).pk
        Article.objects.filter(pk__in=everyone).update(copy_group=label, is_copy=True, copy_pinned=True)
        Article.objects.filter(pk=shown_id).update(is_copy=False)
        gather_copies(shown_id)
        invalidate.copy_groups([label])
        return shown_id


def show_for_copies(article_id: int) -> int | None:
    """An editor's choice: show this article for its copy group, and keep it shown. Returns the
    id of the article shown before (None: no such article)."""
    with transaction.atomic():
        group = Article.objects.filter(pk=article_id).values_list("copy_group", flat=True).first()
        before = shown_in_group(group) if group is not None else article_id
        if group is not None:
            Article.objects.select_for_update().filter(copy_group=group).exclude(pk=article_id).update(
                is_copy=True, copy_pinned=False)
        Article.objects.filter(pk=article_id).update(is_copy=False, copy_pinned=True)
        if group is not None:
            invalidate.copy_groups([group])
        invalidate.articles([article_id])
        return before


def regroup_copies(options: CopyOptions | None = None) -> int:
    """Detect every article's copies again, oldest first, as if each had just been stored; returns
    the number of articles shown (copy groups and articles with no copy). Editors' choices stay:
    the groups they made or chose the shown article of, and the articles they took out."""
    with transaction.atomic():
        kept = set(Article.objects.filter(copy_pinned=True, copy_group__isnull=False)
                   .values_list("copy_group", flat=True))
        Article.objects.filter(copy_pinned=False).exclude(copy_group__in=kept).update(copy_group=None, is_copy=False)
        for group in kept:
            elect(group)
        for article_id in list(Article.objects.filter(copy_pinned=False).exclude(copy_group__in=kept)
                               .order_by(*OLDEST_FIRST).values_list("pk", flat=True)):
            detect_copy(article_id, options)
        invalidate.site()
        return Article.objects.filter(is_copy=False).count()


def _group_of(article_id: int) -> int:
    """The copy group of an article, made for it when it has none."""
    group = Article.objects.filter(pk=article_id).values_list("copy_group", flat=True).first()
    if group is None:
        Article.objects.filter(pk=article_id).update(copy_group=article_id, is_copy=False)
        group = article_id
    return group


class _DatabaseIndex:
    """``copies.CopyIndex`` over the ``CopyKey`` rows of the articles dated within the window."""

    def __init__(self, article_id: int, when: datetime, options: CopyOptions):
        self.article_id = article_id
        self.span = (when - options.window, when + options.window)

    def candidates(self, keys: Sequence[int], limit: int) -> list[tuple[int, str]]:
        """The articles sharing the most keys, one per copy group: the others of a group hold the
        same text, and a text found a copy of one is found a copy of its group."""
        ranked = (CopyKey.objects.filter(key__in=list(keys), published__range=self.span)
                  .exclude(article_id=self.article_id).values("article_id").annotate(shared=Count("id"))
                  .order_by("-shared", "article_id").values_list("article_id", flat=True)[:limit * GROUP_READ])
        ranked = list(ranked)
        # An article an editor took out of its group stands alone: nothing joins it by detection.
        groups = dict(Article.objects.filter(pk__in=ranked).exclude(copy_pinned=True, copy_group__isnull=True)
                      .values_list("pk", Coalesce("copy_group", "pk", output_field=BigIntegerField())))
        best, seen = [], set()
        for pk in ranked:
            if pk in groups and groups[pk] not in seen:
                seen.add(groups[pk])
                best.append(pk)
                if len(best) == limit:
                    break
        texts = dict(Article.objects.filter(pk__in=best).values_list("pk", "text"))
        return [(pk, texts[pk]) for pk in best if pk in texts]


def _still_copies(found: Fingerprint, when: datetime, head_id: int, options: CopyOptions) -> bool:
    """Whether a text of this date is still a copy of the article shown for its group."""
    row = Article.objects.filter(pk=head_id).values_list("text", Coalesce("published_at", "fetched_at")).first()
    if row is None or abs(row[1] - when) > options.window:
        return False
    return copies.is_copy(found.shingles, copies.shingles(row[0], options), options)


def _index(article_id: int, found: Fingerprint | None, when: datetime) -> None:
    """Make the article's CopyKey rows those of ``found`` (none when it is None)."""
    keys = set(found.keys) if found else set()
    stored = CopyKey.objects.filter(article_id=article_id)
    held = set(stored.values_list("key", "published"))
    if held == {(key, when) for key in keys}:
        return
    stored.delete()
    insert_rows(CopyKey, ("article", "key", "published"), [(article_id, key, when) for key in sorted(keys)])


def _age(article: Article):
    return (article.published_at or article.fetched_at, article.fetched_at, article.pk)


def _with_credit_fields(queryset):
    """The columns ``choose_shown`` reads, with the start and end of each text."""
    return (queryset.select_related("source")
            .only(*SHOWN_FIELDS, "source__id", "source__name", "source__homepage", "authors", "url", "canonical_url",
                  "original_url")
            .annotate(head=Left("text", copies.HEAD_CHARS), tail=Right("text", copies.TAIL_CHARS)))


def _named(group: Sequence[Article]) -> dict[int, int]:
    """For each article of a copy group, how many articles of other outlets in it name it as their
    original: by its outlet's name in their byline or credit, or by a rel=canonical at its site."""
    outlets = {a.source_id: a.source.name for a in group}
    addresses: dict[int, set[str]] = {}
    for a in group:
        addresses.setdefault(a.source_id, set()).update(u for u in (a.url, a.canonical_url, a.source.homepage) if u)
    named_outlets: dict[int, set[int]] = {}
    for a in group:
        others = {k: v for k, v in outlets.items() if k != a.source_id}
        credited = copies.credits(others, a.authors or [], f"{a.head}\n{a.tail}")
        if a.original_url:
            # The site test the store used to record it as another site's (urls.same_site).
            credited |= {k for k in others if any(same_site(a.original_url, u) for u in addresses[k])}
        named_outlets[a.pk] = credited
    # An article's own outlet is never among those it names, so every count is of other outlets'.
    votes = Counter(outlet for credited in named_outlets.values() for outlet in credited)
    return {a.pk: votes[a.source_id] for a in group}

