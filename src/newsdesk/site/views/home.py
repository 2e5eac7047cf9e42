"""The home page and the list of all latest articles."""

from __future__ import annotations

from django.shortcuts import render

from newsdesk.site.articles import queries
from newsdesk.site.context_processors import category_tree
from newsdesk.site.pagecache import HOME, cached_page

from .paging import paginate

TOP_STORIES = 5
PER_SECTION = 4
PER_PAGE = 20


@cached_page(tags=(HOME,))
def home(request):
    """Top stories, then the newest articles of each top-level category."""
    tree = category_tree(request)
    top = queries.top_stories(TOP_STORIES)
    by_root = queries.latest_by_root(tree, PER_SECTION, exclude=[a.pk for a in top])
    sections = [(root, by_root[root.pk]) for root in tree.roots() if by_root.get(root.pk)]
    return render(request, "newsdesk/home.html", {"top": top, "sections": sections})


@cached_page("page", tags=(HOME,))
def latest(request):
    """Every published article, newest first, a page at a time."""
    page = paginate(request, queries.latest(), PER_PAGE)
    return render(request, "newsdesk/latest.html", {"page": page})
