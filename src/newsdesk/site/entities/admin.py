"""Admin for people, organisations and places: rename, correct a place, merge duplicates.

Whatever an editor does here stays when articles are enriched again: a renamed or corrected entity
is marked ``corrected`` (enrichment never rewrites an existing entity), a place moved to another
GeoNames id keeps an alias from that id, and a merge leaves aliases from the merged keys.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from newsdesk.site.pagecache import invalidate

from .models import Entity, EntityAlias, Mention

CORRECTIONS = {"name", "slug", "geonameid", "lat", "lon", "country", "region", "place_kind", "population"}


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "article_count", "country", "place_kind", "corrected")
    list_filter = ("kind", "corrected", "place_kind")
    search_fields = ("name", "slug")
    fields = ("name", "slug", "kind", "article_count", "geonameid", "lat", "lon", "country", "region",
              "place_kind", "population", "corrected")
    readonly_fields = ("kind", "article_count")
    actions = ["merge"]

    def save_model(self, request, obj, form, change):
        if change and CORRECTIONS & set(form.changed_data):
            obj.corrected = True
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if obj.kind == Entity.PLACE and obj.geonameid and "geonameid" in form.changed_data:
                key = f"geo:{obj.geonameid}"
                if key != obj.key and not Entity.objects.filter(kind=obj.kind, key=key).exists():
                    EntityAlias.objects.update_or_create(kind=obj.kind, key=key, defaults={"entity": obj})
            invalidate.site()  # its name is on every page that lists it

    @admin.action(description="Merge into one (the one most articles name)")
    def merge(self, request, queryset):
        chosen = list(queryset.order_by("-article_count", "pk"))
        if len(chosen) < 2 or len({e.kind for e in chosen}) > 1:
            self.message_user(request, "Select two or more entities of one kind to merge.", messages.ERROR)
            return
        target, others = chosen[0], chosen[1:]
        merge(target, others)
        self.message_user(request, f"Merged {len(others)} into {target.name}.", messages.SUCCESS)


def merge(target: Entity, others: list[Entity]) -> None:
    """Move the others' mentions and aliases to ``target``, leave aliases from their keys, delete them."""
    with transaction.atomic():
        ids = [e.pk for e in others]
        for mention in Mention.objects.filter(entity_id__in=ids):
            if not Mention.objects.filter(article_id=mention.article_id, start=mention.start, entity=target).exists():
                Mention.objects.filter(pk=mention.pk).update(entity=target)
        EntityAlias.objects.filter(entity_id__in=ids).update(entity=target)
        for other in others:
            EntityAlias.objects.update_or_create(kind=other.kind, key=other.key, defaults={"entity": target})
        Entity.objects.filter(pk__in=ids).delete()
        target.corrected = True
        target.article_count = Mention.objects.filter(entity=target).values("article_id").distinct().count()
        target.save(update_fields=["corrected", "article_count"])
        invalidate.site()


@admin.register(EntityAlias)
class EntityAliasAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "entity")
    list_filter = ("kind",)
    search_fields = ("key", "entity__name")
    raw_id_fields = ("entity",)
