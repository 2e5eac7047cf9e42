"""Pagination that answers 404 for a page that does not exist, whatever was typed."""

from __future__ import annotations

import re

from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404

_PAGE = re.compile(r"[1-9][0-9]{0,5}")


def page_number(request) -> int:
    """The ``page`` query parameter as a number; 404 unless it is a plain positive number."""
    raw = request.GET.get("page", "1")
    if not _PAGE.fullmatch(raw):
        raise Http404("No such page.")
    return int(raw)


def paginate(request, items, per_page: int) -> Page:
    """The requested page of ``items``; 404 past the last page (page 1 always exists)."""
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
    try:
        return paginator.page(page_number(request))
    except EmptyPage:
        raise Http404("No such page.") from None
