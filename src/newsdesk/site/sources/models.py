"""Sources (the outlets newsdesk follows), their feeds, and their health."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.text import slugify


class Source(models.Model):
    """An outlet: a news site polled through one or more feeds or sitemaps."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, blank=True)
    default_category = models.ForeignKey(
        "articles.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    poll_interval = models.DurationField(default=timedelta(minutes=30))
    allow_private = models.BooleanField(
        default=False, help_text="Allow fetching from loopback and private addresses (an intranet or test outlet)."
    )

    # Health, written by every poll.
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Learned template of this outlet's pages (JSON from the extractor), refreshed after polls.
    template = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "source"
        super().save(*args, **kwargs)

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures == 0


class Feed(models.Model):
    """One feed or sitemap of a source, with what conditional GET needs."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    kind = models.CharField(max_length=16, blank=True)  # rss, atom, json, sitemap
    title = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url
