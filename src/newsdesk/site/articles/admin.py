"""Admin for articles, stories, the category tree and the banner."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import BigIntegerField, Case, Count, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsdesk.site.pagecache import invalidate

from .models import Article, Banner, Category, Story
from .tree import CategoryTree

# Addresses typed without a scheme are taken as https (Django 6 does the same by default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class CopiesFilter(admin.SimpleListFilter):
    title = "copies"
    parameter_name = "copies"

    def lookups(self, request, model_admin):
        return [("shown", "Shown for copies of it"), ("copy", "Copies of another"), ("none", "No copies")]

    def queryset(self, request, queryset):
        if self.value() == "shown":
            return queryset.filter(copy_group__isnull=False, is_copy=False)
        if self.value() == "copy":
            return queryset.filter(is_copy=True)
        if self.value() == "none":
            return queryset.filter(copy_group__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("title", "source", "category", "published_at", "is_published", "copies")
    list_filter = ("is_published", CopiesFilter, "category", "source")
    search_fields = ("title", "canonical_url")
    date_hierarchy = "published_at"
    fields = ("title", "category", "is_published", "source", "story", "story_pinned", "copies", "copy_pinned",
              "canonical_url", "url", "original_url", "published_at", "authors", "description", "lead_image_url",
              "extraction_notes", "fetched_at", "updated_at", "edited_at")
    readonly_fields = ("source", "story", "story_pinned", "copies", "copy_pinned", "canonical_url", "url",
                       "original_url", "published_at", "authors", "description", "lead_image_url", "extraction_notes",
                       "fetched_at", "updated_at", "edited_at")
    list_select_related = ("source", "category")
    actions = ["unpublish", "publish", "reextract", "group_together", "separate", "mark_copies", "show_for_copies",
               "split_copies"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw_page", "html", "text", "source__template")

    @admin.display(description="copies")
    def copies(self, article):
        if article.copy_group is None:
            return ""
        return "a copy (shown by another)" if article.is_copy else "shown for its copies"

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.edited_at = timezone.now()  # an editor's work: retention keeps it (NEWSDESK_KEEP_EDITED)
        super().save_model(request, obj, form, change)
        if "is_published" in form.changed_data:
            _elect_groups([obj.pk])  # a hidden article is not shown for its copies

    @admin.action(description="Unpublish (hide from the site)")
    def unpublish(self, request, queryset):
        ids = list(queryset.filter(is_published=True).values_list("pk", flat=True))
        changed = Article.objects.filter(pk__in=ids).update(is_published=False)
        _elect_groups(ids)
        invalidate.articles(ids)
        self.message_user(request, f"{changed} article(s) unpublished.", messages.SUCCESS)

    @admin.action(description="Publish")
    def publish(self, request, queryset):
        ids = list(queryset.filter(is_published=False).values_list("pk", flat=True))
        changed = Article.objects.filter(pk__in=ids).update(is_published=True)
        _elect_groups(ids)
        invalidate.articles(ids)
        self.message_user(request, f"{changed} article(s) published.", messages.SUCCESS)

    @admin.action(description="Mark as copies of one text (shown once)")
    def mark_copies(self, request, queryset):
        from newsdesk.ingest import copies

        shown = copies.group_as_copies(list(queryset.values_list("pk", flat=True)))
        if shown is not None:
            count = Article.objects.filter(copy_group=Article.objects.get(pk=shown).copy_group, is_copy=True).count()
            title = Article.objects.filter(pk=shown).values_list("title", flat=True).first()
            self.message_user(request, f"\u201c{title}\u201d is now shown for {count} copies; detection will "
                              "leave them together.", messages.SUCCESS)

    @admin.action(description="Show this one for its copies")
    def show_for_copies(self, request, queryset):
        from newsdesk.ingest import copies

        chosen = list(queryset.values_list("pk", flat=True))
        groups = set(queryset.values_list(Coalesce("copy_group", "pk", output_field=BigIntegerField()), flat=True))
        if len(chosen) != len(groups):
            self.message_user(request, "Choose one article per copy group.", messages.ERROR)
            return
        for pk in chosen:
            copies.show_for_copies(pk)
        self.message_user(request, f"{len(chosen)} article(s) now shown for their copies; detection will keep "
                          "them so.", messages.SUCCESS)

    @admin.action(description="Take out of its copy group (shown on its own)")
    def split_copies(self, request, queryset):
        from newsdesk.ingest import copies

        moved = copies.split_copies(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{moved} article(s) taken out of a copy group; detection will leave "
                          "the selected articles on their own.", messages.SUCCESS)

    @admin.action(description="Re-extract from the stored page")
    def reextract(self, request, queryset):
        from newsdesk.ingest import tasks
        from newsdesk.pipeline.errors import PipelineError

        outcomes: dict[str, int] = {}
        for pk in queryset.values_list("pk", flat=True):
            try:
                outcome = tasks.reextract_article(pk)
            except PipelineError as exc:
                self.message_user(request, f"Article {pk}: {exc}", messages.WARNING)
                continue
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcomes:
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
            self.message_user(request, f"Re-extracted: {summary}.", messages.SUCCESS)


    @admin.action(description="Group into one story")
    def group_together(self, request, queryset):
        from newsdesk.ingest import stories

        ids = list(queryset.values_list("pk", flat=True))
        story_id = stories.group_together(ids)
        if story_id is not None:
            title = Story.objects.filter(pk=story_id).values_list("title", flat=True).first()
            self.message_user(request, f"{len(ids)} article(s) now make up the story \u201c{title}\u201d; "
                              "grouping will leave them there.", messages.SUCCESS)

    @admin.action(description="Give each its own story")
    def separate(self, request, queryset):
        from newsdesk.ingest import stories

        moved = stories.separate(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{moved} article(s) taken out of a shared story; grouping will "
                          "leave the selected articles on their own.", messages.SUCCESS)


def _elect_groups(article_ids) -> None:
    """Choose again the article shown for each copy group these articles are in."""
    from newsdesk.ingest import copies

    groups = set(Article.objects.filter(pk__in=article_ids, copy_group__isnull=False)
                 .values_list("copy_group", flat=True))
    for group in sorted(groups):
        copies.elect(group)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "slug", "parent", "order")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk:
            tree = CategoryTree.load()
            if parent.pk in tree.subtree_ids(tree.by_id[self.instance.pk]):
                raise forms.ValidationError("A category cannot be placed under itself or one of its own sections.")
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("tree_name", "slug", "parent", "order", "article_count")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")

    def get_ordering(self, request):
        # Tree order (each category under its parent), unless a column header is clicked.
        flat = CategoryTree.load().flat()
        if not flat:
            return ["order", "name"]
        return [Case(*[When(pk=c.pk, then=Value(n)) for n, (_, c) in enumerate(flat)],
                     default=Value(len(flat)), output_field=IntegerField()).asc(), "pk"]

    @admin.display(description="category")
    def tree_name(self, category):
        return f"{'— ' * getattr(category, 'tree_depth', 0)}{category.name}"

    @admin.display(description="articles")
    def article_count(self, category):
        return category.article_total

    def get_queryset(self, request):
        depths = [When(pk=c.pk, then=Value(depth)) for depth, c in CategoryTree.load().flat()]
        return super().get_queryset(request).annotate(
            article_total=Count("articles"),
            tree_depth=Case(*depths, default=Value(0), output_field=IntegerField()) if depths else Value(0))


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("text", "label", "link", "enabled", "updated_at")
    list_editable = ("enabled",)


class StoryArticleInline(admin.TabularInline):
    model = Article
    fields = ("title", "source", "published_at", "is_published")
    readonly_fields = fields
    ordering = ("published_at", "id")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").only(
            "title", "source__name", "published_at", "is_published", "story_id")


class SeveralOutletsFilter(admin.SimpleListFilter):
    title = "coverage"
    parameter_name = "coverage"

    def lookups(self, request, model_admin):
        return [("several", "Covered by several outlets"), ("one", "One outlet")]

    def queryset(self, request, queryset):
        if self.value() == "several":
            return queryset.filter(outlet_total__gt=1)
        if self.value() == "one":
            return queryset.filter(outlet_total__lte=1)
        return queryset


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Stories are made by grouping; editors read them here and fix them from the articles list
    (the actions "Group into one story" and "Give each its own story")."""

    list_display = ("title", "article_count", "outlets", "updated_at")
    list_filter = (SeveralOutletsFilter,)
    search_fields = ("title",)
    date_hierarchy = "updated_at"
    fields = ("title", "article_count", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [StoryArticleInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            outlet_total=Count("articles__source", distinct=True))

    @admin.display(description="outlets", ordering="outlet_total")
    def outlets(self, story):
        return story.outlet_total
