"""Generated articles for the serving benchmarks: a made-up vocabulary, so that the search index
and Check Also have realistic work to do."""

from __future__ import annotations

import random
from datetime import timedelta

CATEGORY_TREE = {"News": ["World", "Politics", "Local"], "Business": ["Markets"], "Sport": [], "Science": [],
                 "Culture": []}
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vor", "sa", "dun", "bel", "qui", "mar", "tos", "len", "fi", "gra",
             "ho", "pel", "sun", "dra", "ve"]
COMMON = ("council budget harbour ferry storm market shares election minister school hospital river bridge "
          "police court museum festival league match coach season energy grid prices workers union strike "
          "report plan vote funding residents officials company investors city region government").split()


def make_words(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up words, sorted."""
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def paragraph(rng: random.Random, vocabulary: list[str], topic: list[str]) -> str:
    """Three to five sentences, about a third of their words from ``topic``."""
    sentences = []
    for _ in range(rng.randint(3, 5)):
        words = [rng.choice(topic) if rng.random() < 0.3 else rng.choice(vocabulary) for _ in range(rng.randint(10, 22))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def story(rng: random.Random, vocabulary: list[str]) -> tuple[str, list[str]]:
    """A title and the paragraphs of one generated article."""
    topic = rng.sample(COMMON, 4) + rng.sample(vocabulary, 6)
    paragraphs = [paragraph(rng, vocabulary, topic) for _ in range(rng.randint(6, 10))]
    title = " ".join([topic[0].capitalize(), *rng.sample(topic[1:], 3), rng.choice(vocabulary)])
    return title, paragraphs


def populate(count: int, seed: int = 7) -> list[str]:
    """Store ``count`` generated articles in bulk (no enrichment); returns their page paths, newest first."""
    from django.utils import timezone as dj_timezone
    from django.utils.text import slugify

    from newsdesk.site.articles.models import Article, Category
    from newsdesk.site.sources.models import Source

    rng = random.Random(seed)
    vocabulary = make_words(rng, 3000)
    categories = []
    for order, (name, children) in enumerate(CATEGORY_TREE.items()):
        parent = Category.objects.create(name=name, slug=name.lower(), order=order)
        categories.append(parent)
        categories += [Category.objects.create(name=c, slug=c.lower(), parent=parent, order=n)
                       for n, c in enumerate(children)]
    sources = [Source.objects.create(name=f"Outlet {n}", slug=f"outlet-{n}", homepage=f"https://outlet{n}.example/")
               for n in range(20)]
    now = dj_timezone.now()
    batch = []
    for n in range(count):
        title, paragraphs = story(rng, vocabulary)
        source = sources[n % len(sources)]
        batch.append(Article(
            source=source, category=categories[n % len(categories)], title=f"{title} {n}", slug=slugify(f"{title} {n}"),
            url=f"{source.homepage}news/{n}", canonical_url=f"{source.homepage}news/{n}",
            authors=[f"Reporter {n % 50}"], published_at=now - timedelta(minutes=7 * n), language="en",
            description="", text="\n\n".join(paragraphs), html="".join(f"<p>{p}</p>" for p in paragraphs),
            lead_image_url=f"{source.homepage}images/{n}.jpg", lead_image_caption=f"Picture {n}",
            content_hash=f"{n:064d}"))
        if len(batch) == 500:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    return [a.get_absolute_url() for a in Article.objects.order_by("-published_at").only(
        "id", "slug", "published_at", "fetched_at")]
