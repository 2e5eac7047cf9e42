"""People, organisations and places the articles name, and where each article names them.

Enrichment (``newsdesk.ingest.enrich``) finds an entity by its kind and ``key``: a place by its
GeoNames id, a person or organisation by its name folded to lower case. An editor's merge or
correction leaves an ``EntityAlias`` from the old key, so that later enrichment puts new mentions
where the editor did.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone


class Entity(models.Model):
    PERSON, ORGANISATION, PLACE = "person", "organisation", "place"
    KINDS = [(PERSON, "person"), (ORGANISATION, "organisation"), (PLACE, "place")]

    kind = models.CharField(max_length=16, choices=KINDS)
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200)
    key = models.CharField(max_length=300, editable=False)
    # Places: the gazetteer entry (GeoNames) the name was resolved to.
    geonameid = models.BigIntegerField("GeoNames id", null=True, blank=True)
    lat = models.FloatField("latitude", null=True, blank=True)
    lon = models.FloatField("longitude", null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. FR")
    region = models.CharField("first-level region", max_length=100, blank=True)
    population = models.BigIntegerField(null=True, blank=True)
    place_kind = models.CharField(max_length=20, blank=True, help_text="country, region, city, ...")
    corrected = models.BooleanField("corrected by an editor", default=False,
                                    help_text="Enrichment keeps its name and place as they are.")
    article_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["-article_count", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="entity_kind_slug"),
                       models.UniqueConstraint(fields=["kind", "key"], name="entity_kind_key")]
        indexes = [models.Index(fields=["kind", "-article_count"], name="entity_kind_count")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(f"entity-{self.kind}", args=[self.slug])

    @property
    def on_map(self) -> bool:
        return self.lat is not None and self.lon is not None


class EntityAlias(models.Model):
    """A key that leads to another entity than its own: left by an editor's merge or correction."""

    kind = models.CharField(max_length=16, choices=Entity.KINDS)
    key = models.CharField(max_length=300)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name_plural = "entity aliases"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="entity_alias_kind_key")]

    def __str__(self) -> str:
        return f"{self.key} → {self.entity}"


class Mention(models.Model):
    """One place in an article's text where it names an entity."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "start", "entity"], name="mention_unique")]
        # An entity's page lists its articles: from the entity to the article in the index.
        indexes = [models.Index(fields=["entity", "article"], name="mention_entity_article")]

    def __str__(self) -> str:
        return self.text
