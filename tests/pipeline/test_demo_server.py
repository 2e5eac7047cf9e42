"""The demo outlets and their loopback server: content, templates, feeds, HTTP behaviour, scaling."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsdesk.demo import DemoServer, load_outlets, render_article_page

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def fetch(url: str, headers: dict[str, str] | None = None):
    assert urlsplit(url).hostname == "127.0.0.1"
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def feed_links(kind: str, body: bytes) -> list[str]:
    """Article links of a feed, in feed order."""
    if kind == "jsonfeed":
        document = json.loads(body)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        return [item["url"] for item in document["items"]]
    root = ET.fromstring(body)
    if kind == "rss":
        return [item.findtext("link") for item in root.iter("item")]
    if kind == "atom":
        return [entry.find(f"{ATOM}link[@rel='alternate']").get("href") for entry in root.iter(f"{ATOM}entry")]
    return [url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")]


def without_query(url: str) -> str:
    return url.split("?", 1)[0]


@pytest.fixture(scope="module")
def server():
    with DemoServer() as running:
        yield running


@pytest.fixture(scope="module")
def outlets():
    return load_outlets()


def test_content_volume_and_shared_stories(outlets):
    assert len(outlets) >= 3
    articles = [a for o in outlets for a in o.articles]
    assert len(articles) >= 36
    assert len({o.feed_kind for o in outlets}) == len(outlets)
    assert len({o.theme for o in outlets}) == len(outlets)
    story_outlets = defaultdict(set)
    for outlet in outlets:
        for article in outlet.articles:
            assert 4 <= sum(b.kind == "p" for b in article.blocks) <= 12, article.slug
            assert article.published.tzinfo is not None
            if article.story:
                story_outlets[article.story].add(outlet.slug)
    assert sum(len(slugs) >= 2 for slugs in story_outlets.values()) >= 5
    all_slugs = [(o.slug, a.slug) for o in outlets for a in o.articles]
    assert len(all_slugs) == len(set(all_slugs))


def test_every_outlet_serves_home_feed_article_robots_and_image(server):
    for outlet, base_url, feed_url in server.outlets:
        status, headers, body = fetch(base_url + "/")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        home = body.decode()
        if outlet.feed_kind != "sitemap":
            assert 'rel="alternate"' in home and feed_url.replace("&", "&amp;") in home

        status, headers, body = fetch(feed_url)
        assert status == 200 and headers["ETag"] and headers["Last-Modified"]
        links = feed_links(outlet.feed_kind, body)
        assert len(links) == len(outlet.articles)
        expected = [server.article_url(outlet.slug, a.slug) for a in outlet.articles]
        assert [without_query(link) for link in links] == expected  # newest first

        article = outlet.articles[0]
        status, headers, body = fetch(links[0])
        assert status == 200
        page = body.decode()
        canonical = server.article_url(outlet.slug, article.slug)
        assert LexborHTMLParser(page).css_first('link[rel="canonical"]').attributes["href"] == canonical
        assert 'property="og:title"' in page and 'property="article:published_time"' in page
        assert f'datetime="{article.published.isoformat()}"' in page

        status, headers, body = fetch(base_url + "/robots.txt")
        assert status == 200 and "User-agent: *" in body.decode() and "Disallow: /" in body.decode()

        image = LexborHTMLParser(page).css_first('meta[property="og:image"]').attributes["content"]
        status, headers, body = fetch(image)
        assert status == 200 and headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")


def test_feeds_answer_conditional_requests_with_304(server):
    for outlet, _, feed_url in server.outlets:
        _, headers, _ = fetch(feed_url)
        status, again, body = fetch(feed_url, {"If-None-Match": headers["ETag"]})
        assert (status, body) == (304, b"")
        assert again["ETag"] == headers["ETag"]
        status, _, _ = fetch(feed_url, {"If-Modified-Since": headers["Last-Modified"]})
        assert status == 304
        status, _, _ = fetch(feed_url, {"If-None-Match": '"something-else"'})
        assert status == 200


def test_feeds_carry_tracking_parameters_on_some_links(server):
    tracked = 0
    for outlet, _, feed_url in server.outlets:
        tracked += sum("utm_source=" in link for link in feed_links(outlet.feed_kind, fetch(feed_url)[2]))
    assert tracked >= 3


def test_every_article_page_has_the_body_and_template_but_bodies_never_contain_template_text(server, outlets):
    bodies = [f"{a.title}\n{a.summary}\n{a.lead.caption}\n{a.body_text()}".casefold()
              for o in outlets for a in o.articles]
    for outlet in outlets:
        assert outlet.template_phrases
        texts = []
        for article in outlet.articles:
            status, _, body = fetch(server.article_url(outlet.slug, article.slug))
            assert status == 200
            html = body.decode()
            container = LexborHTMLParser(html).css(outlet.body_selector)
            assert len(container) == 1
            first = next(b for b in article.blocks if b.kind == "p").text()
            assert re.sub(r"\s+", " ", first)[:60] in re.sub(r"\s+", " ", container[0].text())
            texts.append(page_text(html))
        for phrase in outlet.template_phrases:
            assert any(phrase in text for text in texts), (outlet.slug, phrase)
            assert not any(phrase.casefold() in body for body in bodies), (outlet.slug, phrase)


def test_inline_markup_of_the_articles(outlets):
    paragraphs = [b.html for o in outlets for a in o.articles for b in a.blocks if b.kind == "p"]
    assert any(re.search(r"<a [^>]*>[^<]* </a>\w", p) for p in paragraphs)  # link text ending in a space
    assert any("<em>" in p for p in paragraphs) and any("<strong>" in p for p in paragraphs)
    assert any("<span" in p for p in paragraphs)
    assert sum(b.kind == "figure" for o in outlets for a in o.articles for b in a.blocks) >= 5


def test_render_hook_puts_extra_blocks_inside_the_body(outlets):
    for outlet in outlets:
        article = outlet.articles[0]
        promo = '<div class="promo-box"><h3>Check Also</h3><a href="/elsewhere/">Another story</a></div>'
        html = render_article_page(outlet.slug, article.slug, extra_body_blocks_html=[promo, promo])
        container = LexborHTMLParser(html).css_first(outlet.body_selector)
        assert len(container.css("div.promo-box")) == 2
        html = outlet.render_article(article, body_html_override="<p>Only this.</p>")
        text = LexborHTMLParser(html).css_first(outlet.body_selector).text()
        assert "Only this." in text and article.blocks[0].text()[:40] not in text


def test_unknown_paths_are_404_and_missing_slashes_redirect(server):
    outlet, base_url, _ = server.outlets[0]
    assert fetch(base_url + "/no-such-page/")[0] == 404
    article_url = server.article_url(outlet.slug, outlet.articles[0].slug)
    if article_url.endswith("/"):
        status, headers, _ = fetch(article_url.rstrip("/"))
        assert status == 200 and headers["Content-Type"].startswith("text/html")


def test_scale_multiplies_articles_with_unique_urls():
    base = {o.slug: len(o.articles) for o in load_outlets()}
    with DemoServer(scale=10) as server:
        urls = []
        for outlet, _, feed_url in server.outlets:
            assert len(outlet.articles) == 10 * base[outlet.slug]
            links = feed_links(outlet.feed_kind, fetch(feed_url)[2])
            assert len(links) == len(outlet.articles)
            urls += [without_query(link) for link in links]
            assert fetch(links[-1])[0] == 200
        assert len(urls) == len(set(urls)) == 10 * sum(base.values())
        titles = [a.title for o in server.outlets for a in o.outlet.articles]
        assert len(set(titles)) == len(titles)
