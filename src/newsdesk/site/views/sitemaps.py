"""sitemap.xml: an index of sections for articles, categories and outlets, and a news sitemap.

Copies are left out: their pages name the article shown for them as canonical.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from newsdesk.site.articles import queries
from newsdesk.site.articles.models import Category
from newsdesk.site.sources.models import Source

NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000  # the most a news sitemap may list


def _lastmod(item):
    return max(item.date, item.updated_at)


def _latest_change(queryset):
    # One aggregate instead of Sitemap's default of reading every item for the index page.
    found = queryset.aggregate(published=Max("published_at"), fetched=Max("fetched_at"), updated=Max("updated_at"))
    return max((value for value in found.values() if value is not None), default=None)


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return queries.shown().only("id", "slug", "published_at", "fetched_at", "updated_at").order_by("-id")

    def lastmod(self, item):
        return _lastmod(item)

    def get_latest_lastmod(self):
        return _latest_change(queries.shown())


class NewsSitemap(Sitemap):
    """Articles of the last two days, with the news:news elements (template sitemaps/news.xml)."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        recent = Q(published_at__gte=since) | Q(published_at__isnull=True, fetched_at__gte=since)
        return (queries.shown().filter(recent)
                .only("id", "slug", "title", "language", "published_at", "fetched_at", "updated_at")
                .order_by(*queries.NEWEST))

    def lastmod(self, item):
        return _lastmod(item)

    def get_latest_lastmod(self):
        return _latest_change(self.items())


class CategorySitemap(Sitemap):
    def items(self):
        return Category.objects.order_by("order", "name", "pk")

    def location(self, item):
        return reverse("category", args=[item.slug])


class SourceSitemap(Sitemap):
    def items(self):
        return Source.objects.only("id", "slug").order_by("name")

    def location(self, item):
        return reverse("source", args=[item.slug])


SECTIONS = {"news": NewsSitemap, "articles": ArticleSitemap, "categories": CategorySitemap,
            "sources": SourceSitemap}


def index(request):
    """The sitemap index, listing each section (and each page of a long one)."""
    return sitemap_views.index(request, SECTIONS, sitemap_url_name="sitemap-section")


def section(request, section: str):
    """One section; the news section has its own template for the news:news elements."""
    template = "sitemaps/news.xml" if section == "news" else "sitemap.xml"
    return sitemap_views.sitemap(request, SECTIONS, section=section, template_name=template,
                                 content_type="application/xml")
