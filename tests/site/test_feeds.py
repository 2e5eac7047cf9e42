"""Feeds (RSS 2.0, Atom, JSON Feed 1.1), sitemaps with a news sitemap, and robots.txt."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from tests.site.conftest import build_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def xml(client, url: str, content_type: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(content_type), response["Content-Type"]
    return ElementTree.fromstring(response.content)


def test_site_rss_lists_the_newest_articles_with_links_to_our_pages(client, newsroom):
    channel = xml(client, "/feed/", "application/rss+xml").find("channel")
    assert channel.findtext("title") == "newsdesk"
    items = channel.findall("item")
    assert len(items) == 30
    first, newest = items[0], newsroom.articles[0]
    assert first.findtext("title") == newest.title
    assert first.findtext("link") == "http://testserver" + newest.get_absolute_url()
    assert first.findtext("description").endswith("…")
    assert first.findtext("category") == "World"
    assert first.findtext("pubDate")


def test_site_atom_feed(client, newsroom):
    feed = xml(client, "/feed/atom/", "application/atom+xml")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 30
    assert entries[0].findtext(f"{ATOM}title") == newsroom.articles[0].title
    assert entries[0].find(f"{ATOM}link").get("href").endswith(newsroom.articles[0].get_absolute_url())
    assert entries[0].findtext(f"{ATOM}updated")


def test_json_feed_follows_version_1_1(client, newsroom):
    response = client.get("/feed.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "newsdesk" and feed["home_page_url"] == "http://testserver/"
    assert feed["feed_url"] == "http://testserver/feed.json"
    item, newest = feed["items"][0], newsroom.articles[0]
    assert item["id"] and item["url"].endswith(newest.get_absolute_url())
    assert item["external_url"] == newest.canonical_url
    assert item["title"] == newest.title and item["content_text"]
    assert item["date_published"].startswith(newest.published_at.strftime("%Y-%m-%dT%H:%M"))
    assert item["authors"] == [{"name": "Ada Reporter"}] and item["tags"] == ["World"]
    assert item["image"] == newest.lead_image_url


def test_category_feeds_hold_the_category_and_its_subcategories(client, newsroom):
    titles = [i.findtext("title") for i in xml(client, "/category/news/feed/", "application/rss+xml").iter("item")]
    assert titles and all(t.startswith(("Ferry", "Budget", "Storm")) for t in titles)
    atom = xml(client, "/category/world/feed/atom/", "application/atom+xml")
    assert all(e.findtext(f"{ATOM}title").startswith("Ferry") for e in atom.findall(f"{ATOM}entry"))
    assert client.get("/category/nope/feed/").status_code == 404
    assert client.get("/category/nope/feed/atom/").status_code == 404


def test_sitemap_index_lists_every_section(client, newsroom):
    index = xml(client, "/sitemap.xml", "application/xml")
    locations = [loc.text for loc in index.iter(f"{SM}loc")]
    assert locations == [f"http://testserver/sitemap-{s}.xml" for s in ("news", "articles", "categories", "sources")]


def test_article_category_and_source_sitemaps(client, newsroom):
    articles = [loc.text for loc in xml(client, "/sitemap-articles.xml", "application/xml").iter(f"{SM}loc")]
    assert len(articles) == 30 and f"http://testserver{newsroom.articles[0].get_absolute_url()}" in articles
    categories = [loc.text for loc in xml(client, "/sitemap-categories.xml", "application/xml").iter(f"{SM}loc")]
    assert "http://testserver/category/world/" in categories
    sources = [loc.text for loc in xml(client, "/sitemap-sources.xml", "application/xml").iter(f"{SM}loc")]
    assert sorted(sources) == [f"http://testserver/source/{s}/" for s in ("courier", "gazette", "ledger")]


def test_news_sitemap_covers_the_last_two_days_only(client, newsroom):
    old = build_article(newsroom.sources["gazette"], newsroom.categories["news"], "Three days old", "budget", 800,
                        timezone.now() - timedelta(days=3))
    root = xml(client, "/sitemap-news.xml", "application/xml")
    urls = root.findall(f"{SM}url")
    assert len(urls) == 30  # the newsroom's articles are all from the last 30 hours
    assert all(old.get_absolute_url() not in u.findtext(f"{SM}loc") for u in urls)
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "newsdesk"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == newsroom.articles[0].title
    assert news.findtext(f"{NEWS}publication_date").startswith(newsroom.articles[0].published_at.strftime("%Y-%m-%d"))


@pytest.mark.parametrize("url", ["/sitemap-nope.xml", "/sitemap-articles.xml?p=abc", "/sitemap-articles.xml?p=99"])
def test_unknown_sitemap_sections_and_pages_are_404(client, newsroom, url):
    assert client.get(url).status_code == 404


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body and "Sitemap: http://testserver/sitemap.xml" in body


def test_feeds_escape_whatever_an_outlet_wrote(client, newsroom):
    build_article(newsroom.sources["gazette"], None, 'Tags <b>&</b> "quotes" ]]>', "storm", 600, timezone.now(),
                  text="Text with <script>alert(1)</script> & more.")
    channel = xml(client, "/feed/", "application/rss+xml").find("channel")
    assert channel.find("item").findtext("title") == 'Tags <b>&</b> "quotes" ]]>'
    assert json.loads(client.get("/feed.json").content)["items"][0]["title"] == 'Tags <b>&</b> "quotes" ]]>'


def test_feeds_carry_quoted_markup_as_text_and_only_http_links(client, newsroom):
    article = newsroom.articles[-1]
    article.text = 'Officials typed <script>alert(1)</script> and <img src=x onerror=alert(2)> into the form.'
    article.lead_image_url = "javascript:alert(3)"
    article.published_at = timezone.now() + timedelta(minutes=5)  # the newest, first in every feed
    article.save()
    rss = xml(client, "/feed/", "application/rss+xml").find("channel").find("item")
    # RSS readers read the description as HTML: once parsed, it is still the text, not a script.
    assert rss.findtext("description").startswith("Officials typed &lt;script&gt;alert(1)&lt;/script&gt;")
    atom = xml(client, "/feed/atom/", "application/atom+xml").find(f"{ATOM}entry")
    summary = atom.find(f"{ATOM}summary")
    assert summary.get("type") == "html" and "&lt;img src=x" in summary.text
    item = json.loads(client.get("/feed.json").content)["items"][0]
    assert item["content_text"].startswith("Officials typed <script>alert(1)</script>")  # plain text there
    assert "image" not in item
