"""Following the demo outlets: categories, sources and a first poll, for `newsdesk demo` and tests."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from newsdesk.pipeline.fetch import Fetcher
from newsdesk.site.articles.models import Category
from newsdesk.site.sources.models import Feed, Source

from .polling import PollResult, poll_source
from .sources import add_source

# The site's sections: "News" holds the hard-news desks, so a world story reads Home / News / World.
CATEGORY_TREE = {
    "News": {"Local": {}, "World": {"Europe": {}, "Africa": {}, "Asia": {}, "Americas": {}},
             "Politics": {}, "Business": {}},
    "Technology": {},
    "Science": {},
    "Sports": {},
    "Culture": {},
}


def ensure_categories(tree: dict | None = None, parent: Category | None = None) -> None:
    """Create the demo's category tree where it is missing."""
    with transaction.atomic():
        for order, (name, children) in enumerate((CATEGORY_TREE if tree is None else tree).items()):
            node, _ = Category.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "parent": parent, "order": order})
            ensure_categories(children, node)


def follow_outlets(server, fetcher: Fetcher) -> list[Source]:
    """Add every outlet of a running DemoServer as a source (private addresses allowed), or point
    the existing source of that name at the server's current feed URL."""
    ensure_categories()
    sources = []
    for outlet, _base_url, feed_url in server.outlets:
        source = Source.objects.filter(name=outlet.name).first()
        if source is None:
            source = add_source(feed_url, fetcher, name=outlet.name, allow_private=True)
        else:
            Feed.objects.filter(source=source).exclude(url=feed_url).delete()
            Feed.objects.get_or_create(source=source, url=feed_url)
        sources.append(source)
    return sources


def populate(server, fetcher: Fetcher) -> list[PollResult]:
    """Follow the demo outlets and poll each once; returns the poll results."""
    return [poll_source(source.pk, fetcher) for source in follow_outlets(server, fetcher)]
