"""What runs after an article is stored, in order: each stage takes the article's id, is
idempotent and writes in its own transaction, so a later one can be added here, run again by a
command (``newsdesk regroup``, ``newsdesk enrich``) or by a distributed worker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from newsdesk.site.articles import related
from newsdesk.site.articles.models import Article

from . import coordination, enrich, images
from .copies import detect_copy
from .stories import assign_story

ATTEMPTS = 3
LEASE_SECONDS = 300.0  # longest one article's stages hold their lease (pictures fetched included)


def _entities(article_id: int) -> None:
    if settings.NEWSDESK["ENTITIES"]:
        enrich.enrich_article(article_id)  # loads spaCy and the gazetteer on its first call


def _images(article_id: int) -> None:
    if settings.NEWSDESK["IMAGES"]:
        images.store_images(article_id)


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[int], object]


# Entities first: the story may use them. Copies before the story: a copy joins the story of its
# copies. Check Also after the story: it shows one article per story.
# Images last: they fetch over the network, and nothing else waits for them.
AFTER_STORE: tuple[Stage, ...] = (
    Stage("entities", _entities),
    Stage("copies", detect_copy),
    Stage("story", assign_story),
    Stage("related", related.choose),
    Stage("images", _images),
)
# Stages run for one article at a time across processes (PostgreSQL), from the first to the last
# of these: an article's copy group and story are then settled before the next article's are
# looked for, as in one process. With each stage locked on its own, six reports of one event
# stored at once by three workers still made two stories.
GROUPING = ("copies", "story")


def after_store(article_id: int, holder: str | None = None) -> None:
    """Run every stage on a new or changed article, then clear its ``stages_pending`` mark
    (unless the article changed again meanwhile: its stages are then due once more).

    One run per article at a time, across processes: a second run (a template's re-extraction
    meeting the article's own stages) waits for the first. ``holder``: a task's id, the same when
    the broker delivers it again, so the task of a killed worker takes its lease over at once.
    """
    holder = holder or coordination.holder_id()
    with coordination.waited(f"after-store:{article_id}", holder, LEASE_SECONDS, LEASE_SECONDS):
        seen = Article.objects.filter(pk=article_id).values_list("updated_at", flat=True).first()
        if seen is None:
            return
        grouping = [stage for stage in AFTER_STORE if stage.name in GROUPING]
        for stage in AFTER_STORE:
            if stage is grouping[0]:
                with coordination.grouping_lock():
                    for step in grouping:
                        retried(step.run, article_id)
            elif stage not in grouping:
                retried(stage.run, article_id)
        Article.objects.filter(pk=article_id, updated_at=seen, stages_pending=True).update(stages_pending=False)


def unfinished(older_than: float = 300.0, limit: int = 1000) -> list[int]:
    """Articles whose stages did not end (the process running them was killed, or their task was
    lost) and that were stored at least ``older_than`` seconds ago, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    return list(Article.objects.filter(stages_pending=True, updated_at__lte=cutoff)
                .order_by("updated_at").values_list("pk", flat=True)[:limit])


def retried(step: Callable[[int], object], article_id: int):
    """Run a derived step, again when two writers locked each other's rows (PostgreSQL ends one
    of them with a deadlock error), SQLite was busy, or another writer inserted the same row
    first: the step is idempotent, and its second run finds what the other wrote."""
    for attempt in range(ATTEMPTS):
        try:
            return step(article_id)
        except (OperationalError, IntegrityError):
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
