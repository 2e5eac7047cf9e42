"""robots.txt: where crawlers may go and where the sitemap is."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse


def robots_txt(request):
    """Crawlers may read everything but the admin and search results."""
    context = {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
