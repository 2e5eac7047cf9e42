"""Category and outlet pages: one section or one outlet's articles, a page at a time."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from newsdesk.site.articles import queries
from newsdesk.site.context_processors import category_tree
from newsdesk.site.pagecache import cached_page, category_tag, depends, source_tag
from newsdesk.site.sources.models import Source

from .paging import paginate

PER_PAGE = 20


@cached_page("page")
def category(request, slug: str):
    """A category's articles, including those of the categories below it."""
    tree = category_tree(request)
    current = tree.by_slug(slug)
    if current is None:
        raise Http404("No such category.")
    depends(request, category_tag(current.pk))
    page = paginate(request, queries.in_category(tree, current), PER_PAGE)
    return render(request, "newsdesk/category.html", {
        "category": current, "ancestors": tree.ancestors(current),
        "subcategories": tree.children.get(current.pk, []), "page": page,
    })


@cached_page("page")
def source(request, slug: str):
    """One outlet's articles."""
    outlet = get_object_or_404(Source.objects.defer("template"), slug=slug)
    depends(request, source_tag(outlet.pk))
    page = paginate(request, queries.from_source(outlet), PER_PAGE)
    return render(request, "newsdesk/source.html", {"source": outlet, "page": page})
