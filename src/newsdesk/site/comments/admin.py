"""Admin for comments: the moderation queue with counts, and bulk approve, spam and delete."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.text import Truncator

from . import actions
from .models import Comment

# Addresses typed without a scheme are taken as https (Django 6 does the same by default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class StatusFilter(admin.SimpleListFilter):
    """Status with the number of comments in each; the pending queue is the first choice."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        counts = dict(Comment.objects.values_list("status").annotate(n=Count("id")).order_by())
        return [(value, f"{label} ({counts.get(value, 0)})") for value, label in Comment.STATUSES]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("short_text", "name", "email", "article_title", "status", "created_at", "ip_address")
    list_filter = (StatusFilter, "created_at")
    list_select_related = ("article",)
    search_fields = ("name", "email", "text", "ip_address")
    date_hierarchy = "created_at"
    readonly_fields = ("article", "parent", "created_at", "ip_address", "user_agent")
    fields = ("article", "parent", "name", "email", "website", "text", "status", "created_at", "ip_address",
              "user_agent")
    actions = ["approve", "mark_spam"]  # and Django's "delete selected", whose signals refresh cached pages

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__raw_page", "article__html", "article__text")

    def changelist_view(self, request, extra_context=None):
        pending = Comment.objects.filter(status=Comment.PENDING).count()
        extra_context = {"title": f"Comments — {pending} awaiting moderation", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="comment")
    def short_text(self, comment):
        return Truncator(comment.text).chars(80)

    @admin.display(description="article", ordering="article__title")
    def article_title(self, comment):
        return Truncator(comment.article.title).chars(60)

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        self.message_user(request, f"{actions.approve(queryset)} comment(s) approved.", messages.SUCCESS)

    @admin.action(description="Mark selected comments as spam")
    def mark_spam(self, request, queryset):
        self.message_user(request, f"{actions.mark_spam(queryset)} comment(s) marked as spam.", messages.SUCCESS)
