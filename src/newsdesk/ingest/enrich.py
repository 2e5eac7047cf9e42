"""Enrichment: the people, organisations and places an article names, stored as mentions.

Run after an article is stored (``newsdesk.ingest.stages``) and by ``newsdesk enrich``. The spaCy
model and the gazetteer are loaded once per process, on first use, and shared by its threads.
What an editor did stays: a corrected entity keeps its name and place, and a merged or corrected
entity's old key (``EntityAlias``) leads new mentions to where the editor put them.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from newsdesk.pipeline import entities as entity_stage
from newsdesk.pipeline import places as place_stage
from newsdesk.site.articles.models import Article
from newsdesk.site.entities.models import Entity, EntityAlias, Mention
from newsdesk.site.pagecache import invalidate

# Mentions stored per article: the names an article repeats most are what it is about.
MAX_MENTIONS = 200


@dataclass(frozen=True)
class Models:
    nlp: object
    gazetteer: place_stage.Gazetteer


_models: Models | None = None
_lock = threading.Lock()


def models() -> Models:
    """The process's spaCy model and gazetteer, loaded on first use."""
    global _models
    with _lock:
        if _models is None:
            _models = Models(nlp=entity_stage.load_model(), gazetteer=place_stage.Gazetteer.load())
        return _models


def enrich_article(article_id: int, loaded: Models | None = None) -> int:
    """Find the article's entities and store its mentions in one transaction, replacing earlier
    ones; returns how many mentions it has. An article gone meanwhile has none."""
    row = Article.objects.filter(pk=article_id).values_list("title", "text", "language").first()
    if row is None:
        return 0
    title, text, language = row
    if language and not language.lower().startswith("en"):
        found = place_stage.Geoparse(places=(), entities=())  # the model reads English
    else:
        loaded = loaded or models()
        found = place_stage.geoparse(f"{title}\n\n{text}", loaded.nlp, loaded.gazetteer,
                                     place_stage.PlaceOptions())
    offset = len(title) + 2
    mentions = _mentions(found)[:MAX_MENTIONS]
    with transaction.atomic():
        before = set(Mention.objects.filter(article_id=article_id).values_list("entity_id", flat=True))
        Mention.objects.filter(article_id=article_id).delete()
        known = _known({(kind, key) for kind, key, *_ in mentions})
        rows = []
        for kind, key, name, place, start, end, surface in mentions:
            entity = known.get((kind, key)) or _new_entity(kind, key, name, place)
            known[(kind, key)] = entity
            # Offsets into the article's text; a name in the title has a negative start.
            rows.append(Mention(article_id=article_id, entity=entity, start=max(0, start - offset),
                                end=max(0, end - offset), text=surface[:300]))
        Mention.objects.bulk_create(_unique(rows), ignore_conflicts=True)
        after = {m.entity_id for m in rows}
        _count_changes(before, after)
        if before != after:
            invalidate.article_pages([article_id])
            invalidate.entities(before | after)
    return len(rows)


def _known(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Entity]:
    """The entities these (kind, key) pairs already lead to, through an editor's alias or their own key."""
    wanted = {key for _, key in keys}
    found: dict[tuple[str, str], Entity] = {}
    for alias in EntityAlias.objects.filter(key__in=wanted).select_related("entity"):
        if (alias.kind, alias.key) in keys:
            found[(alias.kind, alias.key)] = alias.entity
    for entity in Entity.objects.filter(key__in=wanted - {key for _, key in found}):
        if (entity.kind, entity.key) in keys:
            found.setdefault((entity.kind, entity.key), entity)
    return found


def _count_changes(before: set[int], after: set[int]) -> None:
    """Article counts after one article's mentions changed from naming ``before`` to ``after``."""
    if after - before:
        Entity.objects.filter(pk__in=after - before).update(article_count=F("article_count") + 1)
    if before - after:
        Entity.objects.filter(pk__in=before - after, article_count__gt=0).update(article_count=F("article_count") - 1)
        _drop_unnamed(before - after)


def _mentions(found: place_stage.Geoparse) -> list[tuple]:
    """(kind, key, name, gazetteer entry or None, start, end, surface text) for every name found."""
    resolved = {(p.start, p.end): p.entry for p in found.places if p.entry is not None}
    full_names = _full_names(found.entities)
    out = []
    for entity in found.entities:
        entry = resolved.get((entity.start, entity.end))
        if entity.kind == "place":
            if entry is None:
                continue  # a place newsdesk cannot put on the map is not listed as one
            out.append((Entity.PLACE, f"geo:{entry.geonameid}", entry.name, entry, entity.start, entity.end,
                        entity.text))
        elif entity.kind in (Entity.PERSON, Entity.ORGANISATION):
            name = " ".join(entity.text.split())
            if len(name) < 2:
                continue
            kind = entity.kind
            if name in full_names:
                # "Idris" after "Amir Idris" is the same person, also where the model took the
                # lone surname for an organisation.
                kind, name = Entity.PERSON, full_names[name]
            out.append((kind, name_key(name), name, None, entity.start, entity.end, entity.text))
    return out


def _full_names(entities) -> dict[str, str]:
    """A surname (or given name) alone -> the one full name of the article it belongs to; a
    part that belongs to two full names ("Smith" of Anna and of John Smith) is left alone."""
    parts: dict[str, set[str]] = {}
    for entity in entities:
        words = entity.text.split()
        if entity.kind == Entity.PERSON and len(words) > 1:
            full = " ".join(words)
            for word in (words[0], words[-1]):
                parts.setdefault(word, set()).add(full)
    return {part: next(iter(names)) for part, names in parts.items() if len(names) == 1}


def name_key(name: str) -> str:
    """A person's or organisation's key: its name without accents, case or punctuation."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    return " ".join("".join(c if c.isalnum() else " " for c in folded.lower()).split())[:300] or name[:300]


def _new_entity(kind: str, key: str, name: str, entry) -> Entity:
    """The entity of a key ``_known`` did not find: created, or the one another worker created meanwhile."""
    fields = {"name": name[:300]}
    if entry is not None:
        fields.update(geonameid=entry.geonameid, lat=entry.lat, lon=entry.lon, country=entry.country[:2],
                      region=entry.admin1[:100], population=entry.population or None, place_kind=entry.kind[:20])
    with transaction.atomic():  # a savepoint: another worker may create the same entity meanwhile
        entity, _ = Entity.objects.get_or_create(kind=kind, key=key,
                                                 defaults={**fields, "slug": _free_slug(kind, name, key)})
    return entity


def _free_slug(kind: str, name: str, key: str) -> str:
    base = (slugify(name) or slugify(key) or "entity")[:180]
    slug, n = base, 1
    while Entity.objects.filter(kind=kind, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _unique(rows: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for row in rows:
        if (row.start, row.entity_id) not in seen:
            seen.add((row.start, row.entity_id))
            out.append(row)
    return out


def recount(entity_ids: set[int]) -> None:
    """Each entity's article count again; an entity no article names any more is deleted,
    unless an editor corrected it."""
    articles = (Mention.objects.filter(entity=OuterRef("pk")).values("entity")
                .annotate(n=Count("article_id", distinct=True)).values("n")[:1])
    Entity.objects.filter(pk__in=entity_ids).update(article_count=Coalesce(Subquery(articles), 0))
    _drop_unnamed(entity_ids)


def _drop_unnamed(entity_ids: set[int]) -> None:
    """Delete those of these entities no article names, unless an editor corrected or aliased them."""
    Entity.objects.filter(pk__in=entity_ids, article_count=0, corrected=False, aliases__isnull=True).delete()


