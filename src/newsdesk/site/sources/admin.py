"""Admin for outlets: their health at a glance, their feeds, and "fetch now"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.text import Truncator

from .models import Feed, Source

# Addresses typed without a scheme are taken as https (Django 6 does the same by default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class FeedInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS
    model = Feed
    extra = 0
    fields = ("url", "kind", "title", "last_status", "last_fetch_at", "etag", "last_modified")
    readonly_fields = ("last_status", "last_fetch_at", "etag", "last_modified")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("name", "active", "healthy", "last_fetch_at", "last_success_at", "consecutive_failures",
                    "next_fetch_at", "article_count", "short_error")
    list_filter = ("active",)
    search_fields = ("name", "homepage")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("last_fetch_at", "last_success_at", "last_error", "consecutive_failures", "next_fetch_at",
                       "created_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "homepage", "language", "default_category", "active", "poll_interval",
                           "allow_private")}),
        ("Health", {"fields": ("last_fetch_at", "last_success_at", "consecutive_failures", "next_fetch_at",
                               "last_error", "created_at")}),
    )
    inlines = [FeedInline]
    actions = ["fetch_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("template").annotate(article_total=Count("articles"))

    @admin.display(boolean=True, description="healthy")
    def healthy(self, source):
        return source.healthy

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, source):
        return source.article_total

    @admin.display(description="last error")
    def short_error(self, source):
        return Truncator(source.last_error).chars(80)

    @admin.action(description="Fetch now")
    def fetch_now(self, request, queryset):
        from newsdesk.ingest import tasks
        from newsdesk.ingest.fetching import distributed

        if distributed():  # the workers poll; the request does not wait for them
            from newsdesk.ingest import worker

            names = list(queryset.values_list("name", flat=True))
            worker.enqueue_polls(list(queryset.values_list("pk", flat=True)))
            self.message_user(request, f"Queued for the workers: {', '.join(names)}.", messages.SUCCESS)
            return
        for source in queryset:
            result = tasks.poll_source(source.pk)
            if result.ok:
                self.message_user(request, f"{source.name}: {result.new} new, {result.updated} updated, "
                                           f"{result.failed} failed.", messages.SUCCESS)
            else:
                self.message_user(request, f"{source.name}: {result.error}", messages.ERROR)
