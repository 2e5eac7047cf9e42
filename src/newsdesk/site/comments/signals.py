"""Cached article pages show approved comments: render them again when a comment changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from newsdesk.site.pagecache import invalidate

from .models import Comment


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def comment_changed(sender, instance, **kwargs) -> None:
    """Only a change to what is shown matters; a new comment held for moderation changes nothing."""
    if kwargs.get("created") and instance.status != Comment.APPROVED:
        return
    invalidate.article_pages([instance.article_id])
