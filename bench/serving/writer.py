"""The writer for ``bench/serve.py``: stores generated articles through newsdesk's own store path
(``newsdesk.ingest.services.store_article``, with the stages that follow it: copies, entities,
story) while pages are measured, as the poller does.

    python -m serving.writer        (with bench/ on the Python path and NEWSDESK_DATA_DIR set)

It stores one article first (which loads spaCy) and prints ``ready``. Then ``go RATE`` on stdin
starts storing RATE articles a second (0: as fast as it can, like a bulk import), ``stop`` stops
and prints ``stored=N seconds=S``; it exits when stdin closes. The articles come from the
outlet "Bench wire", so the bench can delete them afterwards.
"""

from __future__ import annotations

import os
import queue
import random
import sys
import threading
import time
from datetime import datetime, timezone

from serving.corpus import make_words, story

WIRE = {"name": "Bench wire", "slug": "bench-wire", "homepage": "https://wire.example/"}


def wire_source_id() -> int:
    """The id of the outlet the writer's articles come from (created on first use)."""
    from newsdesk.site.sources.models import Source

    source, _ = Source.objects.get_or_create(slug=WIRE["slug"], defaults=WIRE)
    return source.pk


def make_page(source_id: int, rng: random.Random, vocabulary: list[str], n: int):
    """One generated article as the poller hands it to ``store_article``."""
    from newsdesk.ingest.services import Page
    from newsdesk.pipeline.model import Article, FeedEntry

    title, paragraphs = story(rng, vocabulary)
    url = f"{WIRE['homepage']}news/{time.time_ns()}-{n}"
    now = datetime.now(timezone.utc)
    entry = FeedEntry(url=url, title=title, published=now, authors=("Wire reporter",), categories=("News",))
    extracted = Article(title=f"{title} {n}", authors=("Wire reporter",), date=now, language="en",
                        canonical_url=url, text="\n\n".join(paragraphs),
                        html="".join(f"<p>{p}</p>" for p in paragraphs))
    return Page(source_id=source_id, entry=entry, url=url, canonical_url=url, extracted=extracted)


def read_commands(commands: queue.Queue) -> None:
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put("")  # stdin closed


def store_until_stopped(rate: float, commands: queue.Queue, store) -> tuple[int, float, str]:
    """Call ``store()`` ``rate`` times a second (0: back to back) until a command arrives; returns
    how many were stored, in how many seconds, and the command."""
    started = time.monotonic()
    stored = 0
    while True:
        store()
        stored += 1
        # On a schedule, so a slow store is not followed by a full second's pause.
        wait = max(0.0, started + stored / rate - time.monotonic()) if rate > 0 else 0.0
        try:
            command = commands.get(timeout=wait) if wait else commands.get_nowait()
            return stored, time.monotonic() - started, command
        except queue.Empty:
            continue


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.site.settings")
    import django

    django.setup()
    from newsdesk.ingest.services import store_article

    rng = random.Random(time.time_ns())
    vocabulary = make_words(random.Random(7), 3000)
    source_id = wire_source_id()
    counter = iter(range(1_000_000_000))

    def store() -> None:
        store_article(make_page(source_id, rng, vocabulary, next(counter)))

    store()  # loads spaCy and the gazetteer
    commands: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    print("ready", flush=True)
    command = commands.get()
    while command.startswith("go"):
        stored, seconds, last = store_until_stopped(float(command.split()[1]), commands, store)
        print(f"stored={stored} seconds={seconds:.3f}", flush=True)
        command = commands.get() if last == "stop" else last
    return 0


if __name__ == "__main__":
    sys.exit(main())
