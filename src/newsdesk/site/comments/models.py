"""Readers' comments on articles, held for moderation by default."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Comment(models.Model):
    """A reader's comment, or a reply to one (replies go one level deep).

    The email is stored for the moderators only; no public page, feed or sitemap shows it.
    """

    PENDING, APPROVED, SPAM = "pending", "approved", "spam"
    STATUSES = [(PENDING, "Pending"), (APPROVED, "Approved"), (SPAM, "Spam")]

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    website = models.URLField(max_length=200, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Hash of (article, email, normalised text): the same comment posted twice is refused.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["status", "-created_at"], name="comment_queue"),
            models.Index(fields=["ip_address", "created_at"], name="comment_address_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:60]}"

    @property
    def is_public(self) -> bool:
        return self.status == self.APPROVED
