"""The maps in a real browser, on the demo outlets' articles: /map/ draws the places of the news
with clustered markers and the article page its own places, with no request leaving the site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from newsdesk.demo import DemoServer
from newsdesk.ingest.demo import populate
from newsdesk.site.entities.models import Entity, Mention
from newsdesk.site.images.models import ArticleImage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(fetcher, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "ENTITIES": True}
    with DemoServer(host="127.0.0.1", port=0) as server:
        results = populate(server, fetcher)
        assert any(result.new for result in results), [result.error for result in results]
        yield server


def watch(page, site: str, *, images: bool = True) -> tuple[list[str], list[str]]:
    """Requests that left the site (``images=False``: other than images), and script errors."""
    outside, errors = [], []
    here = urlsplit(site).netloc

    def request(request) -> None:
        if urlsplit(request.url).netloc != here and not request.url.startswith("data:") and (
                images or request.resource_type != "image"):
            outside.append(request.url)

    page.on("request", request)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return outside, errors


def test_the_news_map_draws_the_demo_places_with_nothing_from_outside(live_server, browser, demo_site, artifacts):
    assert Entity.objects.filter(kind=Entity.PLACE, lat__isnull=False).count() >= 5
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    outside, errors = watch(page, live_server.url)
    page.goto(f"{live_server.url}/map/?period=all")
    page.wait_for_selector("#news-map[data-places]")
    assert int(page.get_attribute("#news-map", "data-places")) >= 5
    page.wait_for_selector("#news-map path.leaflet-interactive, #news-map svg path")  # the countries
    markers = page.locator("#news-map .marker-cluster, #news-map .map-pin")
    assert markers.count() >= 2
    # A marker opens a popup linking to its place's page.
    pin = page.locator("#news-map .map-pin").first
    if pin.count():
        link = page.locator(".leaflet-popup-content a").first
        for _ in range(5):
            # The map zooms to its places after it counted them, and the clusters regroup when the
            # zoom ends: a pin clicked meanwhile may be gone before its popup opens. Click once
            # nothing moves, and again if the pin was replaced all the same.
            page.wait_for_function("() => !document.querySelector("
                                   "'#news-map.leaflet-zoom-anim, #news-map .leaflet-cluster-anim')")
            pin.click()
            try:
                link.wait_for(timeout=3000)
                break
            except PlaywrightTimeoutError:
                continue
        assert link.get_attribute("href").startswith("/place/")
    page.screenshot(path=str(artifacts / "map.png"))
    # Filters: a section with no places shows an empty map, not an error.
    page.select_option("#map-period", "day")
    page.click(".map-filters button")
    page.wait_for_selector("#news-map[data-places]")
    assert outside == [] and errors == []


def test_an_article_page_draws_a_small_map_of_its_places(live_server, browser, demo_site):
    # An article with stored pictures and none that failed: its pictures, like the map and its
    # basemap, are the site's own.
    failed = ArticleImage.objects.filter(status=ArticleImage.FAILED).values("article_id")
    mention = (Mention.objects.filter(entity__kind=Entity.PLACE, entity__lat__isnull=False,
                                      article__is_published=True, article__is_copy=False,
                                      article__pictures__status=ArticleImage.STORED)
               .exclude(article_id__in=failed).select_related("article").first())
    page = browser.new_context().new_page()
    outside, errors = watch(page, live_server.url)
    loaded: list[str] = []
    page.on("response", lambda response: loaded.append(response.url)
            if response.request.resource_type == "image" and "/media/images/" in response.url
            and response.status == 200 else None)
    page.goto(f"{live_server.url}{mention.article.get_absolute_url()}")
    page.wait_for_selector(".entities .place-map .map-canvas .leaflet-interactive")
    assert page.locator(".entities .entity-list a[href^='/place/']").count() >= 1
    lead = page.locator(".lead-image picture img, .story-body picture img").first
    lead.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=lead.element_handle())
    assert loaded and all(url.endswith(".webp") for url in loaded)  # chromium takes the WebP source
    assert outside == [] and errors == []
