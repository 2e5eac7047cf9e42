"""RSS 2.0 and Atom feeds of the site and of each category, and a JSON Feed 1.1 of the site."""

from __future__ import annotations

import html
import json
from html import escape

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed, rfc3339_date

from newsdesk.site.articles import queries, sanitize
from newsdesk.site.articles.text import listing_excerpt
from newsdesk.site.articles.tree import CategoryTree
from newsdesk.site.context_processors import site_info

ITEMS = 30


class JSONFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) through Django's feed framework."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = self.feed
        data = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(data, ensure_ascii=False, indent=1).encode(encoding))

    @staticmethod
    def _item(item: dict) -> dict:
        text = html.unescape(item["description"])  # JSON Feed's fields are plain text
        entry = {"id": item["unique_id"] or item["link"], "url": item["link"], "title": item["title"],
                 "content_text": text, "summary": text}
        if item.get("external_url"):
            entry["external_url"] = item["external_url"]
        if item.get("image"):
            entry["image"] = item["image"]
        if item["pubdate"]:
            entry["date_published"] = rfc3339_date(item["pubdate"])
        if item["updateddate"]:
            entry["date_modified"] = rfc3339_date(item["updateddate"])
        if item["author_name"]:
            entry["authors"] = [{"name": item["author_name"]}]
        if item["categories"]:
            entry["tags"] = list(item["categories"])
        return entry


class LatestFeed(Feed):
    """The newest articles of the whole site, as RSS 2.0."""

    def title(self):
        return site_info()["name"]

    def description(self):
        return site_info()["tagline"]

    def link(self):
        return reverse("home")

    def items(self):
        return queries.latest()[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS descriptions and Atom summaries (type="html") are read as HTML: an excerpt that
        # quotes markup must reach the reader as text.
        return escape(listing_excerpt(item, 300))

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return max(item.date, item.updated_at)

    def item_author_name(self, item):
        return ", ".join(str(a) for a in item.authors) or item.source.name

    def item_categories(self, item):
        return [item.category.name] if item.category_id else []

    def item_extra_kwargs(self, item):
        return {"external_url": sanitize.http_url(item.canonical_url), "image": sanitize.http_url(item.lead_image_url)}


class LatestAtomFeed(LatestFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class LatestJSONFeed(LatestFeed):
    feed_type = JSONFeed


class CategoryFeed(LatestFeed):
    """The newest articles of one category and the categories below it, as RSS 2.0."""

    def get_object(self, request, slug):
        tree = CategoryTree.load()
        category = tree.by_slug(slug)
        if category is None:
            raise Http404("No such category.")
        return tree, category

    def title(self, obj):
        return f"{obj[1].name} — {site_info()['name']}"

    def description(self, obj):
        return f"The newest articles in {obj[1].name}."

    def link(self, obj):
        return reverse("category", args=[obj[1].slug])

    def items(self, obj):
        tree, category = obj
        return queries.in_category(tree, category)[:ITEMS]


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
