"""Pictures the site serves: one ``StoredImage`` per distinct picture (by the SHA-256 of the bytes
the outlet sent), shared by every article that shows it, and per article its ``ArticleImage``
rows: where the picture came from, its caption and credit, and whether it could be stored.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from newsdesk.site.articles.models import Article


class StoredImage(models.Model):
    """One picture as fetched, with its rendition files under the data directory's ``media/images/``.

    ``renditions``: ``[{"width", "height", "type" ("webp" or "jpeg"), "name"}]``, narrowest first;
    ``name`` is the file's path below ``media/images/``, named by the hash of its own bytes.
    """

    sha256 = models.CharField("SHA-256 of the original", max_length=64, unique=True, editable=False)
    format = models.CharField("original format", max_length=8, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size = models.PositiveIntegerField("original bytes", editable=False)
    renditions = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "stored picture"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.format}, {self.width}x{self.height})"

    def file_names(self) -> list[str]:
        return [r["name"] for r in self.renditions]


class ArticleImage(models.Model):
    """A picture of one article: its lead picture or one in its body, stored or failed."""

    LEAD, BODY = "lead", "body"
    ROLES = [(LEAD, "lead picture"), (BODY, "in the body")]
    STORED, FAILED = "stored", "failed"
    STATUSES = [(STORED, "stored"), (FAILED, "failed: the outlet's address is shown")]

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="pictures")
    role = models.CharField(max_length=8, choices=ROLES)
    position = models.PositiveSmallIntegerField(default=0)
    original_url = models.URLField("outlet's address", max_length=2000)
    alt = models.TextField(blank=True)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES)
    error = models.TextField(blank=True, help_text="Why the picture could not be stored.")
    # PROTECT: a stored picture goes only once no article shows it (``signals``).
    image = models.ForeignKey(StoredImage, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="uses")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "article picture"
        ordering = ["article", "position"]
        constraints = [models.UniqueConstraint(fields=["article", "original_url"], name="article_image_url")]
        indexes = [models.Index(fields=["status", "fetched_at"], name="article_image_status")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of article {self.article_id}: {self.original_url[:80]}"
