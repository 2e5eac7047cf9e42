"""Search: /search/?q=words, best matches first, with the words highlighted in snippets."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render

from newsdesk.site.articles import queries, search as engine
from newsdesk.site.articles.search import highlight

from .paging import page_number

PER_PAGE = 10
MAX_PAGES = 100  # deep pages of a relevance ranking help no one and cost a long scan


class _Counted:
    """A sequence of known length holding only the current page's rows, for Django's Paginator."""

    def __init__(self, total: int, offset: int, rows: list):
        self.total, self.offset, self.rows = total, offset, rows

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list:
        return self.rows[window.start - self.offset: window.stop - self.offset]


def search(request):
    """The search form and, when there is a query, one page of results."""
    query = request.GET.get("q", "")[:engine.MAX_QUERY_CHARS].replace("\x00", "")
    terms = engine.query_terms(query)
    context = {"query": query, "terms": terms, "page": None, "results": None}
    if terms:
        number = page_number(request)
        if number > MAX_PAGES:
            raise Http404("No such page.")
        offset = (number - 1) * PER_PAGE
        results = engine.search(terms, offset, PER_PAGE)
        articles = {a.pk: a for a in queries.latest().filter(pk__in=[h.article_id for h in results.hits])}
        rows = [(articles[h.article_id], highlight(h.snippet)) for h in results.hits if h.article_id in articles]
        page = _page(results.total, number, offset, rows)
        context.update(page=page, results=results)
    return render(request, "newsdesk/search.html", context)


def _page(total: int, number: int, offset: int, rows: list) -> Page:
    paginator = Paginator(_Counted(min(total, MAX_PAGES * PER_PAGE), offset, rows), PER_PAGE,
                          allow_empty_first_page=True)
    if number > paginator.num_pages:
        raise Http404("No such page.")
    return paginator.page(number)
