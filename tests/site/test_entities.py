"""People, organisations and places: found when articles are stored, on their own pages with
feeds, on the map's GeoJSON, in the export, and kept as editors corrected them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from newsdesk.ingest import tasks
from newsdesk.site.articles.models import Article
from newsdesk.site.entities.models import Entity, EntityAlias, Mention
from newsdesk.site.sources.models import Source
from tests.site.outlet import Outlet, story

SUMMIT = [
    "President Joe Biden met Prime Minister Mohammed Shia al-Sudani in Baghdad on Tuesday, officials said, "
    "in talks that lasted most of the afternoon and ended with a short statement.",
    "The United Nations and the World Health Organization welcomed the talks. Later the delegation flew to "
    "Paris and then to Berlin, where the chancellor hosted a dinner for the visitors.",
    "Joe Biden told reporters in Berlin that the meetings in Baghdad had been useful and that further talks "
    "would follow in the spring, after the elections.",
]
HARBOUR = [
    "The harbour master of Rotterdam said on Monday that the port would reopen after the storm, and that "
    "ships waiting off the coast of the Netherlands could enter from the evening.",
    "Officials in Amsterdam and in Brussels said the closure had cost the region several million euros, "
    "a figure the port authority did not dispute.",
    "The World Health Organization was not involved, a spokesperson for the port said, answering a question "
    "from reporters about the crews.",
]


@pytest.fixture
def enriched(transactional_db, server, fetcher, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "ENTITIES": True}
    outlet = Outlet(server)
    outlet.add(story(1, title="Biden and al-Sudani meet in Baghdad", paragraphs=SUMMIT))
    outlet.add(story(2, title="Rotterdam port to reopen after the storm", paragraphs=HARBOUR))
    source = Source.objects.create(name="Harbour Gazette", slug="gazette", allow_private=True)
    source.feeds.create(url=outlet.feed_url)
    tasks.poll_source(source.pk, fetcher)
    assert Article.objects.count() == 2
    return outlet


def entity(kind: str, name: str) -> Entity:
    return Entity.objects.get(kind=kind, name=name)


def test_storing_an_article_finds_its_people_organisations_and_places(enriched):
    summit = Article.objects.get(title__startswith="Biden")
    names = {(m.entity.kind, m.entity.name) for m in Mention.objects.filter(article=summit).select_related("entity")}
    assert {("person", "Joe Biden"), ("organisation", "World Health Organization")} <= names
    baghdad = entity("place", "Baghdad")
    assert baghdad.country == "IQ" and abs(baghdad.lat - 33.34) < 0.5 and abs(baghdad.lon - 44.4) < 0.5
    assert {"Paris", "Berlin"} <= {n for k, n in names if k == "place"}
    assert entity("place", "Paris").country == "FR"  # the capital, not Paris, Texas
    # Counted per article, not per mention.
    assert entity("person", "Joe Biden").article_count == 1
    assert entity("organisation", "World Health Organization").article_count == 2
    # Offsets point into the article's text.
    mention = Mention.objects.filter(article=summit, entity__name="Joe Biden", start__gt=0).first()
    assert summit.text[mention.start:mention.end] == "Joe Biden"


def test_the_article_page_links_its_entities_and_their_pages_list_articles(enriched, client):
    summit = Article.objects.get(title__startswith="Biden")
    page = client.get(summit.get_absolute_url()).content.decode()
    biden = entity("person", "Joe Biden")
    baghdad = entity("place", "Baghdad")
    assert f'href="/person/{biden.slug}/"' in page and f'href="/place/{baghdad.slug}/"' in page
    assert 'data-lat="33.' in page  # the small map's points
    listing = client.get(f"/organisation/{entity('organisation', 'World Health Organization').slug}/").content.decode()
    assert "Biden and al-Sudani meet in Baghdad" in listing and "Rotterdam port to reopen" in listing
    place = client.get(f"/place/{baghdad.slug}/").content.decode()
    assert "Biden and al-Sudani meet in Baghdad" in place and "Rotterdam port" not in place
    assert "GeoNames" in place  # credited where places are shown
    feed = client.get(f"/person/{biden.slug}/feed/")
    assert feed.status_code == 200 and b"Biden and al-Sudani meet in Baghdad" in feed.content
    assert client.get(f"/place/{baghdad.slug}/feed/atom/").status_code == 200
    assert client.get("/person/nobody-at-all/").status_code == 404
    assert client.get(f"/organisation/{biden.slug}/").status_code == 404  # a person is not an organisation


def test_the_map_geojson_counts_articles_per_place_and_filters(enriched, client):
    data = json.loads(client.get("/map.geojson?period=all").content)
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    assert {"Baghdad", "Rotterdam", "Paris"} <= set(by_name)
    lon, lat = by_name["Baghdad"]["geometry"]["coordinates"]
    assert abs(lat - 33.34) < 0.5 and abs(lon - 44.4) < 0.5
    assert by_name["Baghdad"]["properties"]["articles"] == 1
    assert by_name["Baghdad"]["properties"]["url"].startswith("/place/")
    assert client.get("/map.geojson?period=fortnight").status_code == 404
    assert client.get("/map.geojson?category=no-such-section").status_code == 404
    news = json.loads(client.get("/map.geojson?period=all&category=news").content)["features"]
    other = Article.objects.first().category
    assert news == [] or other.slug == "news"
    page = client.get("/map/").content.decode()
    assert 'data-geojson="/map.geojson?period=week"' in page and "leaflet.js" in page


def test_export_names_entities_and_places(enriched):
    out = StringIO()
    call_command("export", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    summit = next(r for r in rows if r["title"].startswith("Biden"))
    assert {"name": "Joe Biden", "kind": "person"} in summit["entities"]
    baghdad = next(p for p in summit["places"] if p["name"] == "Baghdad")
    assert baghdad["country"] == "IQ" and isinstance(baghdad["lat"], float)


def test_editors_corrections_survive_enrichment_again(enriched, admin_client):
    biden = entity("person", "Joe Biden")
    response = admin_client.post(f"/admin/entities/entity/{biden.pk}/change/", {
        "name": "Joseph R. Biden", "slug": "joseph-biden", "geonameid": "", "lat": "", "lon": "", "country": "",
        "region": "", "place_kind": "", "population": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    who, un = entity("organisation", "World Health Organization"), entity("organisation", "United Nations")
    admin_client.post("/admin/entities/entity/", {"action": "merge", "_selected_action": [who.pk, un.pk]})
    paris = entity("place", "Paris")
    admin_client.post(f"/admin/entities/entity/{paris.pk}/change/", {
        "name": "Paris", "slug": paris.slug, "geonameid": paris.geonameid, "lat": "48.85", "lon": "2.35",
        "country": "FR", "region": "Île-de-France", "place_kind": "city", "population": ""})

    call_command("enrich", stdout=StringIO())

    renamed = Entity.objects.get(pk=biden.pk)
    assert renamed.name == "Joseph R. Biden" and renamed.corrected and renamed.article_count == 1
    assert not Entity.objects.filter(kind="person", name="Joe Biden").exists()
    assert not Entity.objects.filter(pk=un.pk).exists()
    assert EntityAlias.objects.filter(key=un.key, entity=who).exists()
    assert Mention.objects.filter(entity=who, text__icontains="United Nations").exists()
    assert Entity.objects.get(pk=paris.pk).lat == 48.85


def test_pruned_articles_take_their_entities_with_them_unless_corrected(enriched):
    from newsdesk.ingest.retention import RetentionOptions, prune

    kept = entity("person", "Joe Biden")
    Entity.objects.filter(pk=kept.pk).update(corrected=True)
    assert Entity.objects.count() > 5
    prune(RetentionOptions(article_days=5))  # the outlet's stories are dated 20 November
    assert Article.objects.count() == 0 and Mention.objects.count() == 0
    assert list(Entity.objects.values_list("name", flat=True)) == ["Joe Biden"]
    assert Entity.objects.get().article_count == 0


def test_a_surname_alone_is_the_person_named_in_full_earlier(transactional_db, server, fetcher, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "ENTITIES": True}
    outlet = Outlet(server)
    outlet.add(story(3, title="Council vote on the harbour budget", paragraphs=[
        "The harbour budget will be cut by a tenth, Margaret Holloway said on Monday, in a vote that "
        "split the council along familiar lines for the third year running.",
        "Holloway told reporters that the cut was painful but necessary, and that the ferry service "
        "would not be touched. Her rival, Peter Smith, called the plan reckless.",
        "Smith said he would ask for a second vote in the spring, when the accounts are published.",
    ]))
    source = Source.objects.create(name="Harbour Gazette", slug="gazette", allow_private=True)
    source.feeds.create(url=outlet.feed_url)
    tasks.poll_source(source.pk, fetcher)
    people = set(Entity.objects.filter(kind="person").values_list("name", flat=True))
    assert {"Margaret Holloway", "Peter Smith"} <= people and not {"Holloway", "Smith"} & people
    holloway = entity("person", "Margaret Holloway")
    assert {m.text for m in holloway.mentions.all()} >= {"Margaret Holloway", "Holloway"}
