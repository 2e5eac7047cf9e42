"""Keep derived data current when articles, categories, outlets or the banner change."""

from __future__ import annotations

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from newsdesk.site.sources.models import Source

from . import cacheversion, searchindex
from .models import Article, Banner, Category

# What a poll writes on its source; none of it is shown on public pages.
SOURCE_HEALTH_FIELDS = frozenset({"last_fetch_at", "last_success_at", "last_error", "consecutive_failures",
                                  "next_fetch_at", "template"})
SEARCH_INDEX_MIGRATION = ("articles", "0004_search_index")


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=Banner)
@receiver(post_delete, sender=Banner)
def content_changed(sender, **kwargs) -> None:
    """Cached pages show articles, the category menu and the banner: render them again."""
    cacheversion.bump_after_commit()


@receiver(post_delete, sender=Article)
def keep_copies_shown(sender, instance, **kwargs) -> None:
    """The copies of a deleted article stay one group, shown by another of them."""
    if instance.copy_group is None:
        return
    from newsdesk.ingest import copies  # ingest imports the models: import it only when needed

    copies.elect(instance.copy_group)


@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
def source_changed(sender, update_fields=None, **kwargs) -> None:
    """An outlet's name or address is on its articles' pages; its health is not."""
    if update_fields and set(update_fields) <= SOURCE_HEALTH_FIELDS:
        return
    cacheversion.bump_after_commit()


def repair_search_index(sender, using, **kwargs) -> None:
    """Reinstall the search index triggers when a migration rebuilt the articles table."""
    connection = connections[using]
    if SEARCH_INDEX_MIGRATION in MigrationRecorder(connection).applied_migrations():
        searchindex.ensure(connection)


def connect(app_config) -> None:
    """Connect the receivers that are sent per app."""
    post_migrate.connect(repair_search_index, sender=app_config, dispatch_uid="articles.repair_search_index")
