"""Fixtures for the site's tests: a small newsroom of categories, outlets and articles in the real database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsdesk.site import pagecache
from newsdesk.site.articles.models import Article, Category
from newsdesk.site.sources.models import Source

# Topics with their own vocabulary, so that text similarity has something to find.
TOPICS = {
    "ferry": ("ferry", "harbour", "crossing", "timetable", "passengers", "terminal", "crew", "island"),
    "budget": ("budget", "council", "tax", "spending", "deficit", "treasurer", "services", "reserves"),
    "storm": ("storm", "flood", "rain", "warning", "rivers", "evacuation", "wind", "forecast"),
    "football": ("match", "goal", "league", "striker", "coach", "stadium", "season", "penalty"),
    "market": ("shares", "market", "investors", "index", "earnings", "bank", "inflation", "rates"),
    "science": ("telescope", "galaxy", "astronomers", "observatory", "light", "stars", "survey", "orbit"),
}
FILLER = ("officials said on Tuesday", "according to people familiar with the plans",
          "the figures were published in the morning", "a spokesperson declined to comment further",
          "residents gathered to hear the details", "the decision is expected to be reviewed next month")


def paragraphs(topic: str, seed: int, count: int = 5) -> list[str]:
    """Sentence-like paragraphs built mostly from one topic's words."""
    words = TOPICS[topic]
    out = []
    for i in range(count):
        w = [words[(seed + i + k) % len(words)] for k in range(6)]
        out.append(f"The {w[0]} and the {w[1]} dominated the day, as the {w[2]} report showed; "
                   f"{FILLER[(seed + i) % len(FILLER)]}. Questions about the {w[3]}, the {w[4]} "
                   f"and the {w[5]} remain, number {seed}-{i}.")
    return out


@dataclass
class Newsroom:
    """What the ``newsroom`` fixture built: look things up by name."""

    categories: dict[str, Category] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)

    def article(self, title_start: str) -> Article:
        return next(a for a in self.articles if a.title.startswith(title_start))


def build_article(source: Source, category: Category | None, title: str, topic: str, seed: int,
                  published: datetime | None, **extra) -> Article:
    """Store one article as the ingest layer would (sanitized html, plain text)."""
    paras = paragraphs(topic, seed)
    fields = {
        "source": source, "category": category, "title": title,
        "url": f"{source.homepage}news/{seed}", "canonical_url": f"{source.homepage}news/{seed}",
        "authors": ["Ada Reporter"], "published_at": published, "language": "en",
        "text": "\n\n".join(paras), "html": "".join(f"<p>{p}</p>" for p in paras),
        "lead_image_url": f"{source.homepage}images/{seed}.jpg", "lead_image_caption": f"Picture {seed}",
        "content_hash": f"hash-{seed}",
    }
    fields.update(extra)
    return Article.objects.create(**fields)


def build_newsroom(count: int = 30, now: datetime | None = None) -> Newsroom:
    """Categories News > World, Sport, Business, Science; three outlets; ``count`` articles an hour apart."""
    now = now or timezone.now()
    room = Newsroom()
    news = Category.objects.create(name="News", slug="news", order=0)
    room.categories = {
        "news": news,
        "world": Category.objects.create(name="World", slug="world", parent=news, order=0),
        "sport": Category.objects.create(name="Sport", slug="sport", order=1),
        "business": Category.objects.create(name="Business", slug="business", order=2),
        "science": Category.objects.create(name="Science", slug="science", order=3),
    }
    for slug, name in (("gazette", "Harbour Gazette"), ("courier", "Valley Courier"), ("ledger", "Market Ledger")):
        room.sources[slug] = Source.objects.create(name=name, slug=slug, homepage=f"https://{slug}.example/")
    plan = [("ferry", "world"), ("budget", "news"), ("storm", "news"), ("football", "sport"),
            ("market", "business"), ("science", "science")]
    outlets = list(room.sources.values())
    for n in range(count):
        topic, category = plan[n % len(plan)]
        room.articles.append(build_article(
            outlets[n % len(outlets)], room.categories[category],
            f"{topic.capitalize()} report {n}: {TOPICS[topic][n % 8]} and {TOPICS[topic][(n + 3) % 8]}",
            topic, n, now - timedelta(hours=n)))
    return room


@pytest.fixture(autouse=True)
def site_settings(settings):
    """Static files from the app folders (no collectstatic in tests), no wait before posting a
    comment, and an empty page cache, so no test sees another's pages."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.NEWSDESK_COMMENT_LIMITS = {"min_seconds": 0}
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    cache.clear()
    pagecache.store().clear()
    yield settings
    cache.clear()
    pagecache.store().clear()


@pytest.fixture
def newsroom(db) -> Newsroom:
    """Five categories in a tree, three outlets and 30 articles, the newest published now."""
    return build_newsroom()
