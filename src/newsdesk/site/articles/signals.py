"""Keep derived data current when articles, categories, outlets or the banner change."""

from __future__ import annotations

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from newsdesk.site.pagecache import invalidate
from newsdesk.site.sources.models import Source

from . import searchindex
from .models import Article, Banner, Category

# What a poll writes on its source; none of it is shown on public pages.
SOURCE_HEALTH_FIELDS = frozenset({"last_fetch_at", "last_success_at", "last_error", "consecutive_failures",
                                  "next_fetch_at", "template"})
SEARCH_INDEX_MIGRATION = ("articles", "0004_search_index")


@receiver(post_save, sender=Article)
@receiver(pre_delete, sender=Article)
def article_changed(sender, instance, **kwargs) -> None:
    """An article's page and the lists it is on render again (before a delete, while its
    mentions still say which entity pages list it)."""
    invalidate.article(instance)


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=Banner)
@receiver(post_delete, sender=Banner)
def layout_changed(sender, **kwargs) -> None:
    """The category menu and the banner are on every page."""
    invalidate.site()


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
    """An outlet's name or address is on its articles' pages and in every list; its health is not."""
    if update_fields and set(update_fields) <= SOURCE_HEALTH_FIELDS:
        return
    invalidate.site()


def repair_search_index(sender, using, **kwargs) -> None:
    """Reinstall the search index triggers when a migration rebuilt the articles table."""
    connection = connections[using]
    if SEARCH_INDEX_MIGRATION in MigrationRecorder(connection).applied_migrations():
        searchindex.ensure(connection)


def connect(app_config) -> None:
    """Connect the receivers that are sent per app."""
    post_migrate.connect(repair_search_index, sender=app_config, dispatch_uid="articles.repair_search_index")
