"""Articles and the category tree they are published under."""

from __future__ import annotations

import re
import zlib

from django.db import models
from django.db.models import F, Q
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.text import slugify


class Category(models.Model):
    """A section of the site; categories form a tree (News > World)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    order = models.IntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def get_absolute_url(self) -> str:
        """The category's page: /category/<slug>/, written out like an article's address (the
        sections menu links every top-level category on every page)."""
        return f"{get_script_prefix()}category/{self.slug}/"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100] or "category"
        super().save(*args, **kwargs)

    def ancestors(self) -> list["Category"]:
        """Categories from the root down to this one's parent."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain[::-1]


class Story(models.Model):
    """One event as the outlets covered it: the articles grouped by ``newsdesk.ingest.stories``."""

    title = models.CharField(max_length=500)  # its first article's title
    article_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


_CLEAN_SLUG = re.compile(r"[-a-z0-9_]+")  # what slugify() gives, as the route's slug accepts it

# The articles lists show: published, and each copy group by one article (see ``queries.shown``).
SHOWN = Q(is_published=True, is_copy=False)


class Article(models.Model):
    """One article, unique by canonical URL; updated in place when its outlet changes it."""

    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="articles")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    url = models.URLField(max_length=2000)  # the URL it was fetched from
    canonical_url = models.URLField(max_length=2000, unique=True)
    slug = models.SlugField(max_length=200)

    title = models.CharField(max_length=500)
    authors = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # sanitized by the pipeline; the only HTML the site renders
    lead_image_url = models.URLField(max_length=2000, blank=True)
    lead_image_caption = models.TextField(blank=True)
    images = models.JSONField(default=list, blank=True)  # [{"src", "caption", "alt"}]

    content_hash = models.CharField(max_length=64, db_index=True)
    extraction_notes = models.TextField(blank=True)
    raw_page = models.BinaryField(null=True, blank=True, editable=False)  # zlib-compressed page bytes
    is_published = models.BooleanField(default=True)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    # Put in its story by an editor (admin actions): grouping leaves it there from then on.
    story_pinned = models.BooleanField("story chosen by an editor", default=False)
    # What story grouping compares (newsdesk.pipeline.cluster.Features), kept so that grouping a
    # new article does not read the text of every recent one.
    story_features = models.JSONField(null=True, blank=True, editable=False)
    # Copies (newsdesk.ingest.copies): the copy group of articles holding one text (a label: the
    # id of the article that started it; NULL when no copy of it was found), and whether this one
    # is a copy that lists leave out, the group being shown by another of its articles.
    copy_group = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    is_copy = models.BooleanField("copy shown by another article", default=False, editable=False)
    # Put in or out of a copy group, or made its shown article, by an editor: detection keeps it so.
    copy_pinned = models.BooleanField("copy group chosen by an editor", default=False)
    # The original's address on another site, when the page names one (rel=canonical): a copy
    # naming its original is how the original is told from the copies.
    original_url = models.URLField(max_length=2000, blank=True)
    # The outlet its byline names when that is another outlet newsdesk follows (an agency's story
    # carried by a member paper): story grouping hears it in that outlet's voice.
    credited_source = models.ForeignKey("sources.Source", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", editable=False)

    fetched_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When an editor last changed it in the admin; retention keeps such articles (NEWSDESK_KEEP_EDITED).
    edited_at = models.DateTimeField("edited by an editor", null=True, blank=True, editable=False)
    # Check Also, chosen when the article is stored (ids, most similar first): its page then
    # renders without a full-text query. None: not chosen yet (chosen on the first view).
    related_ids = models.JSONField(null=True, blank=True, editable=False)
    # Stored or changed, and the stages that follow (``ingest.stages.AFTER_STORE``) have not all
    # run yet: set in the transaction that stores it, cleared when they end, so a process killed
    # in between leaves a mark that the scheduler finds (``ingest.stages.unfinished``).
    stages_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at"], condition=Q(stages_pending=True), name="article_stages_pending"),
            models.Index(fields=["is_published", "-published_at"], name="article_latest"),
            models.Index(fields=["category", "-published_at"], name="article_category_latest"),
            models.Index(fields=["source", "-published_at"], name="article_source_latest"),
            # The rows search leaves out for being copies.
            models.Index(fields=["id"], condition=models.Q(is_copy=True), name="article_copies"),
            # What lists show, newest first: read in order, as far as a page needs, at any size.
            models.Index(F("published_at").desc(), F("id").desc(), condition=SHOWN, name="article_shown_latest"),
            models.Index(F("category_id"), F("published_at").desc(), F("id").desc(), condition=SHOWN,
                         name="article_shown_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "article"
        super().save(*args, **kwargs)

    @property
    def date(self):
        return self.published_at or self.fetched_at

    def get_absolute_url(self) -> str:
        """The article's page on this site: /<yyyy>/<mm>/<dd>/<slug>-<id>/ (the date in the site's time zone).

        Written out rather than reversed (the route in ``newsdesk.site.urls`` matches it; a test
        checks both agree): a page links dozens of articles, and reversing each costs more than
        the rest of its card."""
        day = timezone.localtime(self.date)
        slug = self.slug if _CLEAN_SLUG.fullmatch(self.slug or "") else (slugify(self.slug) or "article")
        return f"{get_script_prefix()}{day.year:04d}/{day.month:02d}/{day.day:02d}/{slug}-{self.pk}/"

    def page_bytes(self) -> bytes | None:
        """The stored page as fetched, or None. Raises PipelineError (TooLarge, DecodeError) for
        a stored value that inflates past the body size limit or is not whole zlib data."""
        from django.conf import settings

        from newsdesk.pipeline.inflate import inflate

        if not self.raw_page:
            return None
        return inflate(bytes(self.raw_page), max_bytes=int(settings.NEWSDESK["MAX_BODY_BYTES"]))

    @staticmethod
    def pack_page(content: bytes) -> bytes:
        return zlib.compress(content, 6)


class StoryTerm(models.Model):
    """One term of an article's story features, so that grouping a new article reads only the
    recent articles that share a name with it and counts in SQL how many recent ones hold a term.

    Written with ``Article.story_features`` by ``newsdesk.ingest.stories``: one row per distinct
    name or word, and one more, of kind INDEXED (or EMPTY when the features hold no term), whose
    term is the version of ``newsdesk.pipeline.cluster.features`` they come from.
    """

    NAME, WORD, INDEXED, EMPTY = 1, 2, 3, 4
    KINDS = [(NAME, "name"), (WORD, "word"), (INDEXED, "indexed"), (EMPTY, "empty")]

    # The unique constraint below leads with the article, so it serves as the foreign key's index.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="story_terms", db_index=False)
    term = models.CharField(max_length=200)
    kind = models.PositiveSmallIntegerField(choices=KINDS)
    published = models.DateTimeField()  # the article's date, so that the window is read from this table

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="story_term_unique")]
        # Holds every column that grouping reads, so that its queries stay in the index.
        indexes = [models.Index(fields=["term", "kind", "published", "article"], name="story_term_window")]

    def __str__(self) -> str:
        return self.term


class CopyKey(models.Model):
    """One band key of an article's text (``newsdesk.pipeline.copies.Fingerprint.keys``), so that
    a new article finds the recent ones whose text it may copy in one indexed query."""

    # The unique constraint below leads with the article, so it serves as the foreign key's index.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="copy_keys", db_index=False)
    key = models.BigIntegerField()
    published = models.DateTimeField()  # the article's date: copies are looked for within a window

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "key"], name="copy_key_unique")]
        indexes = [models.Index(fields=["key", "published", "article"], name="copy_key_window")]

    def __str__(self) -> str:
        return str(self.key)


class ArticleURL(models.Model):
    """Every URL known to lead to an article, so a feed entry is recognised without a fetch."""

    url = models.URLField(max_length=2000, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="known_urls")
    entry_stamp = models.CharField(max_length=100, blank=True)  # the feed entry's updated/published time

    def __str__(self) -> str:
        return self.url


class PrunedURL(models.Model):
    """The address of an article that retention deleted, so that a feed or sitemap still listing it
    does not bring it back."""

    url = models.URLField(max_length=2000, unique=True)
    pruned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url


class Banner(models.Model):
    """A line above the site header for a sponsor or an announcement; the newest enabled one is shown."""

    enabled = models.BooleanField(default=False)
    label = models.CharField(max_length=40, blank=True, help_text="Shown before the text, e.g. Sponsored.")
    text = models.CharField(max_length=300)
    link = models.URLField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.text
