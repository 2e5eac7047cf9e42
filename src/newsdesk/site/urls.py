"""URLs of the published site."""

from django.contrib import admin
from django.urls import path, re_path

from newsdesk.site.views import article, entities, feeds, home, listing, media, robots, search, sitemaps
from newsdesk.site.pagecache import FEEDS, SITEMAPS, cached_page

handler500 = "newsdesk.site.views.errors.server_error"


def _entity_routes(kind: str) -> list:
    """A person's, organisation's or place's page and its two feeds."""
    rss, atom = entities.entity_feeds(kind)
    return [path(f"{kind}/<slug:slug>/", entities.entity_page(kind), name=f"entity-{kind}"),
            path(f"{kind}/<slug:slug>/feed/", cached_page(tags=(FEEDS,))(rss), name=f"entity-{kind}-feed"),
            path(f"{kind}/<slug:slug>/feed/atom/", cached_page(tags=(FEEDS,))(atom), name=f"entity-{kind}-feed-atom")]


urlpatterns = [
    path("", home.home, name="home"),
    path("latest/", home.latest, name="latest"),
    path("category/<slug:slug>/", listing.category, name="category"),
    path("category/<slug:slug>/feed/", cached_page(tags=(FEEDS,))(feeds.CategoryFeed()), name="category-feed"),
    path("category/<slug:slug>/feed/atom/", cached_page(tags=(FEEDS,))(feeds.CategoryAtomFeed()), name="category-feed-atom"),
    path("source/<slug:slug>/", listing.source, name="source"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)-(?P<pk>[0-9]{1,18})/$",
            article.article, name="article"),
    path("search/", search.search, name="search"),
    path("feed/", cached_page(tags=(FEEDS,))(feeds.LatestFeed()), name="feed"),
    path("feed/atom/", cached_page(tags=(FEEDS,))(feeds.LatestAtomFeed()), name="feed-atom"),
    path("feed.json", cached_page(tags=(FEEDS,))(feeds.LatestJSONFeed()), name="feed-json"),
    path("sitemap.xml", cached_page(tags=(SITEMAPS,))(sitemaps.index), name="sitemap"),
    path("sitemap-<slug:section>.xml", cached_page("p", tags=(SITEMAPS,))(sitemaps.section), name="sitemap-section"),
    path("map/", entities.news_map, name="map"),
    path("map.geojson", entities.map_geojson, name="map-geojson"),
    *[route for kind in ("person", "organisation", "place") for route in _entity_routes(kind)],
    path("robots.txt", robots.robots_txt, name="robots"),
    re_path(media.PATTERN, media.image, name="media-image"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = admin.site.site_title = "newsdesk administration"
admin.site.site_url = "/"
