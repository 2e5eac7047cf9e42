"""Search: /search/?q=words, best matches first, with the words highlighted in snippets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString

from newsdesk.site.articles import queries, search as engine
from newsdesk.site.articles.models import Article
from newsdesk.site.articles.search import highlight
from newsdesk.site.prepared import prepared

from .paging import page_number

PER_PAGE = 10
MAX_PAGES = engine.MAX_RESULTS // PER_PAGE  # deep pages of a relevance ranking help no one
# What a result shows: its title, date and outlet, and the page it links to.
RESULT_FIELDS = ("id", "slug", "title", "published_at", "fetched_at", "source__name", "source__slug")


@dataclass(frozen=True)
class Result:
    """One search result as the page shows it."""

    url: str
    title: str
    source_name: str
    source_url: str
    date: datetime
    snippet: SafeString


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
        page = _page(results.total, number, offset, _results(results.hits))
        context.update(page=page, results=results)
    return render(request, "newsdesk/search.html", context)


def _results(hits: tuple[engine.Hit, ...]) -> list[Result]:
    """The hits as the page shows them, in their order; one query, a few columns of each row.

    Plain values rather than model instances: making those was a good part of a page's time.
    """
    rows = {row[0]: row for row in _result_rows([h.article_id for h in hits])}
    source_urls: dict[str, str] = {}
    results = []
    for hit in hits:
        if hit.article_id not in rows:
            continue  # unpublished since the search
        pk, slug, title, published_at, fetched_at, source_name, source_slug = rows[hit.article_id]
        article = Article(pk=pk, slug=slug, published_at=published_at, fetched_at=fetched_at)
        if source_slug not in source_urls:
            source_urls[source_slug] = reverse("source", args=[source_slug])
        results.append(Result(article.get_absolute_url(), title, source_name, source_urls[source_slug],
                              article.date, highlight(hit.snippet)))
    return results


@prepared
def _result_rows(ids: list[int]):
    return queries.shown().filter(pk__in=ids).values_list(*RESULT_FIELDS)


def _page(total: int, number: int, offset: int, rows: list) -> Page:
    paginator = Paginator(_Counted(total, offset, rows), PER_PAGE, allow_empty_first_page=True)
    if number > paginator.num_pages:
        raise Http404("No such page.")
    return paginator.page(number)
