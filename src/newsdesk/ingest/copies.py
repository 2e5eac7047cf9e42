"""Copies: ``pipeline.copies`` run against the database, so that one text is shown once.

Articles whose texts are one (an agency's story on several sites, a piece republished under a new
headline) form a copy group. One of them is shown for all in every listing, search, feed and
sitemap; the others keep their own pages, which name it. Every member of a group points at the
shown one (``Article.copy_of``); the shown one, like an article with no copy, points at nothing.

The shown article is, in this order: the one an editor chose; the one the others name as their
original (an agency byline or credit naming its outlet, or a rel=canonical pointing at its site);
the earliest. Only a published article is shown while the group has one.

Band keys of every article's text live in ``CopyKey`` rows, so every process and worker looks in
the same index, and a new article reads only the few recent ones that share keys with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Left, Right

from newsdesk.pipeline import copies
from newsdesk.pipeline.copies import CopyOptions, Fingerprint
from newsdesk.site.articles import cacheversion
from newsdesk.site.articles.models import Article, CopyKey

from .stories import gather_copies

__all__ = ["choose_shown", "configured_options", "detect_copy", "elect", "group_as_copies", "regroup_copies", "show_for_copies",
           "split_copies"]

OLDEST_FIRST = (F("published_at").asc(nulls_last=True), F("fetched_at").asc(), F("id").asc())
GROUP_READ = 4  # rows read per candidate wanted, so that a big copy group does not crowd out the rest


def configured_options() -> CopyOptions | None:
    """The options the settings ask for (``NEWSDESK_COPY_WINDOW_DAYS``); None: detection is off."""
    days = int(settings.NEWSDESK.get("COPY_WINDOW_DAYS", 7))
    return CopyOptions(window=timedelta(days=days)) if days else None


def detect_copy(article_id: int, options: CopyOptions | None = None) -> int | None:
    """Index one article's text and put it in the copy group of the text it copies, if any, in one
    transaction. Returns the id of the article shown for it (its own when it is shown), or None
    when there is no such article. ``options``: ``configured_options()`` when not given; with
    detection off, nothing is done and the article's own id is returned.

    Idempotent. An article an editor placed stays where they put it; one that is shown for copies
    of it stays with them; a copy whose text changed so that it no longer copies its group leaves it.
    """
    options = options or configured_options()
    if options is None:
        return article_id if Article.objects.filter(pk=article_id).exists() else None
    with transaction.atomic():
        article = (Article.objects.select_for_update().filter(pk=article_id)
                   .only("pk", "text", "published_at", "fetched_at", "copy_of_id", "copy_pinned").first())
        if article is None:
            return None
        found = copies.fingerprint(article.text, options)
        when = article.published_at or article.fetched_at
        _index(article.pk, found, when)
        current = article.copy_of_id
        if article.copy_pinned or Article.objects.filter(copy_of=article.pk).exists():
            return current or article.pk
        if found is not None and current is not None and _still_copies(found, when, current, options):
            return current  # it stays with the copies it was found among
        match = None
        if found is not None:
            match = copies.find_copy(article.text, _DatabaseIndex(article.pk, when, options), options, found)
        target = None
        if match is not None:
            target = Article.objects.filter(pk=match.id).values_list("copy_of_id", flat=True).first() or match.id
        if target == current:
            return current or article.pk
        Article.objects.filter(pk=article.pk).update(copy_of=target)
        if current is not None:
            elect(current)
        cacheversion.bump_after_commit()
        return elect(target) if target is not None else article.pk


def elect(article_id: int) -> int:
    """Choose again the article shown for the copy group of ``article_id`` and point its members at
    it; returns its id. Run after a member is published, unpublished or removed."""
    with transaction.atomic():
        head = Article.objects.filter(pk=article_id).values_list("copy_of_id", flat=True).first() or article_id
        rows = Article.objects.select_for_update().filter(Q(pk=head) | Q(copy_of=head))
        if rows.values("source_id").distinct().count() > 1:
            group = list(_with_credit_fields(rows).order_by("pk"))
        else:
            # One outlet: no credits to weigh, so the text is not read.
            group = list(rows.only("pk", "source_id", "copy_of_id", "copy_pinned", "is_published", "published_at",
                                   "fetched_at").order_by("pk"))
        if not group:
            return article_id
        shown = choose_shown(group)
        others = [a.pk for a in group if a.pk != shown.pk and a.copy_of_id != shown.pk]
        if others:
            Article.objects.filter(pk__in=others).update(copy_of=shown.pk)
        if shown.copy_of_id is not None:
            Article.objects.filter(pk=shown.pk).update(copy_of=None)
        if others or shown.copy_of_id is not None:
            cacheversion.bump_after_commit()
        return shown.pk


def choose_shown(group: Sequence[Article]) -> Article:
    """The article of a copy group to show: an editor's choice, else the one the others name as
    their original, else the earliest; a published one while there is one.

    ``group``'s articles need ``source``, ``copy_of_id``, ``copy_pinned``, ``is_published``, the dates,
    ``authors``, ``url``, ``canonical_url``, ``original_url`` and the ``head``/``tail`` of their text."""
    candidates = [a for a in group if a.is_published] or list(group)
    chosen = [a for a in candidates if a.copy_pinned and a.copy_of_id is None]
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
    with transaction.atomic():
        for pk in sorted(set(article_ids)):
            row = Article.objects.select_for_update().filter(pk=pk).values_list("copy_of_id", flat=True)
            if not row.exists():
                continue
            head = row.first()
            followers = list(Article.objects.filter(copy_of=pk).values_list("pk", flat=True))
            Article.objects.filter(pk=pk).update(copy_of=None, copy_pinned=True)
            if followers:
                # It was shown for the group: the rest stay together under another of them.
                Article.objects.filter(pk__in=followers).update(copy_of=followers[0])
                Article.objects.filter(pk=followers[0]).update(copy_of=None)
                elect(followers[0])
                moved += 1
            elif head is not None:
                elect(head)
                moved += 1
        cacheversion.bump_after_commit()
    return moved


def group_as_copies(article_ids: Iterable[int], shown_id: int | None = None) -> int | None:
    """An editor's fix: make these articles (and the groups they are in) one copy group, shown by
    ``shown_id`` when given (else as ``choose_shown`` decides), and keep it so. Returns the id of
    the shown article (None: no such articles)."""
    ids = set(article_ids) | ({shown_id} if shown_id else set())
    with transaction.atomic():
        heads = set(Article.objects.filter(pk__in=ids).values_list(Coalesce("copy_of_id", "pk"), flat=True))
        if not heads:
            return None
        group_q = Q(pk__in=heads) | Q(copy_of__in=heads)
        everyone = list(Article.objects.select_for_update().filter(group_q).order_by("pk").values_list("pk", flat=True))
        if shown_id not in everyone:
            shown_id = choose_shown(list(_with_credit_fields(Article.objects.filter(pk__in=everyone)))).pk
        Article.objects.filter(pk__in=everyone).update(copy_of=shown_id, copy_pinned=True)
        Article.objects.filter(pk=shown_id).update(copy_of=None)
        gather_copies(shown_id)
        cacheversion.bump_after_commit()
        return shown_id


def show_for_copies(article_id: int) -> int | None:
    """An editor's choice: show this article for its copy group, and keep it shown. Returns the
    id of the article shown before (None: no such article)."""
    with transaction.atomic():
        head = Article.objects.filter(pk=article_id).values_list(Coalesce("copy_of_id", "pk"), flat=True).first()
        if head is None:
            return None
        group = Article.objects.select_for_update().filter(Q(pk=head) | Q(copy_of=head))
        ids = list(group.order_by("pk").values_list("pk", flat=True))
        Article.objects.filter(pk__in=ids).exclude(pk=article_id).update(copy_of=article_id, copy_pinned=False)
        Article.objects.filter(pk=article_id).update(copy_of=None, copy_pinned=True)
        cacheversion.bump_after_commit()
        return head


def regroup_copies(options: CopyOptions | None = None) -> int:
    """Detect every article's copies again, oldest first, as if each had just been stored; returns
    the number of articles shown (copy groups and articles with no copy). Editors' choices stay."""
    with transaction.atomic():
        pinned_heads = set(Article.objects.filter(copy_pinned=True).values_list(Coalesce("copy_of_id", "pk"), flat=True))
        Article.objects.filter(copy_pinned=False).exclude(copy_of__in=pinned_heads).update(copy_of=None)
        for article_id in list(Article.objects.filter(copy_pinned=False).order_by(*OLDEST_FIRST)
                               .values_list("pk", flat=True)):
            detect_copy(article_id, options)
        cacheversion.bump_after_commit()
        return Article.objects.filter(copy_of__isnull=True).count()


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
        alone = Q(copy_pinned=True, copy_of__isnull=True) & ~Exists(Article.objects.filter(copy_of=OuterRef("pk")))
        groups = dict(Article.objects.filter(pk__in=ranked).exclude(alone)
                      .values_list("pk", Coalesce("copy_of_id", "pk")))
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
    CopyKey.objects.bulk_create([CopyKey(article_id=article_id, key=key, published=when) for key in keys])


def _age(article: Article):
    return (article.published_at or article.fetched_at, article.fetched_at, article.pk)


def _with_credit_fields(queryset):
    """The columns ``choose_shown`` reads, with the start and end of each text."""
    return (queryset.select_related("source")
            .only("pk", "source__id", "source__name", "source__homepage", "copy_of_id", "copy_pinned", "is_published",
                  "published_at", "fetched_at", "authors", "url", "canonical_url", "original_url")
            .annotate(head=Left("text", copies.HEAD_CHARS), tail=Right("text", copies.TAIL_CHARS)))


def _named(group: Sequence[Article]) -> dict[int, int]:
    """For each article of a copy group, how many articles of other outlets in it name it as their
    original: by its outlet's name in their byline or credit, or by a rel=canonical at its site."""
    outlets = {a.source_id: a.source.name for a in group}
    hosts = {a.source_id: {_host(a.url), _host(a.canonical_url), _host(a.source.homepage)} - {""} for a in group}
    named_outlets: dict[int, set[int]] = {}
    for a in group:
        others = {k: v for k, v in outlets.items() if k != a.source_id}
        credited = copies.credits(others, a.authors or [], f"{a.head}\n{a.tail}")
        if a.original_url:
            credited |= {k for k in others if _host(a.original_url) in hosts[k]}
        named_outlets[a.pk] = credited
    return {a.pk: sum(a.source_id in named_outlets[b.pk] for b in group if b.source_id != a.source_id)
            for a in group}


def _host(url: str) -> str:
    """The site of an address: its host and port, without "www."."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if host and port and port != default else host
