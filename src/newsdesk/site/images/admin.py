"""Admin for pictures: which articles' pictures could not be stored and why, and fetching them again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from .models import ArticleImage, StoredImage


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ("article", "role", "position", "status", "short_error", "original_url", "fetched_at")
    list_filter = ("status", "role")
    search_fields = ("original_url", "article__title", "error")
    list_select_related = ("article",)
    raw_id_fields = ("article", "image")
    readonly_fields = ("article", "role", "position", "original_url", "status", "error", "image", "fetched_at")
    fields = ("article", "role", "position", "original_url", "alt", "caption", "credit", "status", "error",
              "image", "fetched_at")
    actions = ["fetch_again"]

    @admin.display(description="error")
    def short_error(self, obj: ArticleImage) -> str:
        return obj.error[:120]

    @admin.action(description="Fetch again the selected pictures' articles' failed pictures")
    def fetch_again(self, request, queryset):
        from newsdesk.ingest.images import store_images  # ingest imports the models: only when used

        ids = sorted(set(queryset.values_list("article_id", flat=True)))
        stored = sum(store_images(pk, retry_failed=True).stored for pk in ids)
        self.message_user(request, f"{len(ids)} articles: {stored} pictures stored.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(StoredImage)
class StoredImageAdmin(admin.ModelAdmin):
    list_display = ("sha256", "format", "width", "height", "size", "created_at")
    list_filter = ("format",)
    search_fields = ("sha256",)
    readonly_fields = ("sha256", "format", "width", "height", "size", "created_at", "preview", "files")
    exclude = ("renditions",)

    @admin.display(description="preview")
    def preview(self, obj: StoredImage):
        from .render import Picture

        picture = Picture.from_renditions(obj.renditions)
        if picture is None:
            return "-"
        smallest = picture.jpeg[0]
        return format_html('<img src="{}" width="{}" height="{}" alt="">', smallest.url, smallest.width,
                           smallest.height)

    @admin.display(description="rendition files")
    def files(self, obj: StoredImage) -> str:
        return ", ".join(obj.file_names())

    def has_add_permission(self, request) -> bool:
        return False
