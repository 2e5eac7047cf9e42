"""A small outlet served by the test HTTP server: an RSS feed and article pages the tests can edit."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from html import escape

from tests.support.httpserver import LocalServer, Reply, Request

BASE_DATE = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

TEMPLATE_TOP = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Test Gazette</title>
<link rel="canonical" href="{canonical}"><meta property="og:title" content="{title}"><meta name="author" content="{author}">
<meta property="article:published_time" content="{date}"></head><body>
<header><div class="ad-banner">Advertise with the Test Gazette today</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world/">World</a></li></ul></nav></header>
<main><article><h1>{title}</h1><p class="byline">By <span class="author">{author}</span></p>
<div class="entry-content">"""
TEMPLATE_BOTTOM = """</div></article>
<aside class="related"><h3>Check Also</h3><ul><li><a href="/other">Another story from the Gazette</a></li></ul></aside>
</main><footer><p>Copyright Test Gazette. All rights reserved.</p></footer></body></html>"""


@dataclass
class Story:
    slug: str
    title: str
    paragraphs: list[str]
    author: str = "Ada Reporter"
    updated: datetime = BASE_DATE
    query: str = ""  # appended to the link in the feed, e.g. tracking parameters
    feed_content: bool = False  # the feed carries the full text in content:encoded

    def page(self, base_url: str) -> bytes:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        top = TEMPLATE_TOP.format(title=escape(self.title), canonical=f"{base_url}/news/{self.slug}",
                                  date=self.updated.isoformat(), author=escape(self.author))
        return (top + body + TEMPLATE_BOTTOM).encode("utf-8")


SUBJECTS = ["harbour budget", "ferry timetable", "library roof", "tram extension", "school meals", "flood wall",
            "market licences", "bus depot", "river crossing", "park lighting", "water tariff", "housing plan"]
VOICES = ["residents who attended", "two shopkeepers", "the opposition leader", "a retired engineer",
          "the mayor's spokeswoman", "local fishermen", "a group of students", "the auditor"]
CLOSINGS = ["would change how the town is run for years", "came too late for the winter",
            "left several questions unanswered", "was the best of three bad options",
            "had been promised since the last election", "would be reviewed again in the spring"]


def prose(seed: str, n: int = 5) -> list[str]:
    """Distinct, sentence-like paragraphs (different for each seed) so that extractors see an article."""
    k = sum(map(ord, seed))
    return [f"On the {seed} question, the council turned to the {SUBJECTS[(k + i) % len(SUBJECTS)]} again; "
            f"{VOICES[(k * 3 + i) % len(VOICES)]} said the proposal {CLOSINGS[(k + 2 * i) % len(CLOSINGS)]}, "
            f"and {VOICES[(k + 5 * i) % len(VOICES)]} asked about the {SUBJECTS[(k * 7 + 3 * i) % len(SUBJECTS)]}."
            for i in range(n)]


@dataclass
class Outlet:
    """Registers /feed.xml and /news/<slug> on a LocalServer; edit ``stories`` and the feed follows."""

    server: LocalServer
    stories: list[Story] = field(default_factory=list)
    feed_override: Reply | None = None

    def __post_init__(self):
        self.server.route("/feed.xml", self._feed)
        self.server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))

    def add(self, story: Story) -> Story:
        self.stories.append(story)
        self.server.route(f"/news/{story.slug}", lambda request, s=story: Reply(
            body=s.page(self.server.base_url), headers={"Content-Type": "text/html; charset=utf-8"}))
        return story

    @property
    def feed_url(self) -> str:
        return self.server.url("/feed.xml")

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title>{escape(s.title)}</title><link>{self.server.base_url}/news/{s.slug}{s.query}</link>"
            f"<guid>{s.slug}</guid><pubDate>{format_datetime(s.updated)}</pubDate>"
            + (f"<content:encoded>{escape(''.join(f'<p>{p}</p>' for p in s.paragraphs))}</content:encoded>"
               if s.feed_content else "") + "</item>"
            for s in self.stories)
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Test Gazette</title>'
                f"<link>{self.server.base_url}/</link><language>en</language>{items}</channel></rss>").encode()

    def _feed(self, request: Request) -> Reply:
        if self.feed_override is not None:
            return self.feed_override
        body = self.rss()
        etag = f"\"{zlib.crc32(body):x}\""
        if request.headers.get("if-none-match") == etag:
            return Reply(status=304, headers={"ETag": etag})
        return Reply(body=body, headers={"Content-Type": "application/rss+xml", "ETag": etag})


def story(n: int, **overrides) -> Story:
    fields = {"slug": f"story-{n}", "title": f"Harbour council story number {n}",
              "paragraphs": prose(f"story{n}"), "updated": BASE_DATE + timedelta(hours=n)}
    fields.update(overrides)
    return Story(**fields)
