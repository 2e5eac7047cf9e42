"""Pages of a person, an organisation or a place (their articles, with feeds) and the news map."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from newsdesk.site.articles.models import Category
from newsdesk.site.context_processors import category_tree, site_info
from newsdesk.site.entities import queries
from newsdesk.site.entities.models import Entity
from newsdesk.site.pagecache import MAP, cached_page, depends, entity_tag

from .feeds import ITEMS, LatestAtomFeed, LatestFeed
from .paging import paginate

PER_PAGE = 20
TITLES = {Entity.PERSON: "People", Entity.ORGANISATION: "Organisations", Entity.PLACE: "Places"}


def entity_page(kind: str):
    @cached_page("page")
    def view(request, slug: str):
        entity = get_object_or_404(Entity, kind=kind, slug=slug)
        depends(request, entity_tag(entity.pk))
        page = paginate(request, queries.naming(entity), PER_PAGE)
        return render(request, "newsdesk/entity.html", {"entity": entity, "page": page,
                                                         "kind_title": TITLES[kind]})
    view.__name__ = f"{kind}_page"
    return view


class EntityFeed(LatestFeed):
    """The newest articles naming one person, organisation or place, as RSS 2.0."""

    kind = Entity.PERSON

    def get_object(self, request, slug):
        entity = get_object_or_404(Entity, kind=self.kind, slug=slug)
        depends(request, entity_tag(entity.pk))
        return entity

    def title(self, obj):
        return f"{obj.name} — {site_info()['name']}"

    def description(self, obj):
        return f"The newest articles naming {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return queries.naming(obj)[:ITEMS]


def entity_feeds(kind: str) -> tuple[EntityFeed, EntityFeed]:
    rss = type(f"{kind.title()}Feed", (EntityFeed,), {"kind": kind})()
    atom = type(f"{kind.title()}AtomFeed", (EntityFeed,), {"kind": kind, "feed_type": LatestAtomFeed.feed_type,
                                                            "subtitle": EntityFeed.description})()
    return rss, atom


def _filters(request) -> tuple[str, Category | None, list[int] | None]:
    period = request.GET.get("period", "week")
    if period not in queries.PERIODS:
        raise Http404("No such period.")
    slug = request.GET.get("category", "")
    if not slug:
        return period, None, None
    tree = category_tree(request)
    category = tree.by_slug(slug)
    if category is None:
        raise Http404("No such category.")
    return period, category, tree.subtree_ids(category)


@cached_page("period", "category", tags=(MAP,))
def news_map(request):
    period, category, _ = _filters(request)
    query = urlencode({"period": period, **({"category": category.slug} if category else {})})
    return render(request, "newsdesk/map.html", {
        "period": period, "periods": list(queries.PERIODS), "category": category,
        "categories": [c for _, c in category_tree(request).flat()], "geojson_url": f"{reverse('map-geojson')}?{query}",
    })


@cached_page("period", "category", tags=(MAP,))
def map_geojson(request):
    period, _, category_ids = _filters(request)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                 "properties": {"name": p["name"], "url": p["url"], "articles": p["articles"],
                                "country": p["country"]}}
                for p in queries.map_places(category_ids, period)]
    return HttpResponse(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                        content_type="application/geo+json; charset=utf-8")
