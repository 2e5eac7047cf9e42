"""`newsdesk extract`: print the article extracted from a saved page, a URL or standard input."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsdesk.ingest.fetching import make_fetcher
from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.extract import ExtractOptions, extract, learn_template
from newsdesk.pipeline.model import Article
from newsdesk.pipeline.urls import is_http_url

# Below this many pages, a block recurring on all of them may still be news (a shared quote).
MIN_PAGES_FOR_TEMPLATE = 4


class Command(BaseCommand):
    help = ("Extract the article from saved HTML files, a URL, or - (standard input) and print it. "
            f"Given {MIN_PAGES_FOR_TEMPLATE} or more pages of one site, it first learns the site's template "
            "from all of them and removes it from each. Several inputs print JSON Lines, one object per file.")

    def add_arguments(self, parser):
        parser.add_argument("inputs", nargs="+", metavar="FILE|URL|-")
        parser.add_argument("--url", help="The page's original URL, used to resolve relative links (one input).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument("--no-template", action="store_true", help="Do not learn a template across the inputs.")
        parser.add_argument("--allow-private", action="store_true", help="Allow fetching a private or loopback URL.")

    def handle(self, *args, inputs, url=None, json=False, no_template=False, allow_private=False, **options):
        if url and len(inputs) > 1:
            raise CommandError("--url applies to a single input")
        pages = [self._read(item, url, allow_private) for item in inputs]
        extract_options = ExtractOptions()
        if len(pages) >= MIN_PAGES_FOR_TEMPLATE and not no_template:
            extract_options = ExtractOptions(template=learn_template([html for _, html, _ in pages]))
        many = len(pages) > 1
        failed = 0
        for name, html, page_url in pages:
            try:
                article = extract(html, page_url, extract_options)
            except PipelineError as exc:
                failed += 1
                if many:
                    self.stdout.write(_dumps({"file": name, "error": str(exc)}))
                    continue
                raise CommandError(f"{name}: {exc}") from None
            if many:
                self.stdout.write(_dumps({"file": name, **article_dict(article)}))
            elif json:
                self.stdout.write(_dumps(article_dict(article), indent=2))
            else:
                self.stdout.write(as_text(article))
        if failed and failed == len(pages):
            raise CommandError("no article could be extracted")

    def _read(self, item: str, url: str | None, allow_private: bool) -> tuple[str, str, str | None]:
        """(name, html, url) for one input."""
        if item == "-":
            return "-", decode(sys.stdin.buffer.read())[0], url
        if is_http_url(item):
            with make_fetcher() as fetcher:
                try:
                    response = fetcher.get(item, allow_private=allow_private)
                except PipelineError as exc:
                    raise CommandError(f"{item}: {exc}") from None
            return item, decode(response.content, response.headers.get("content-type"))[0], response.url
        try:
            return item, decode(Path(item).read_bytes())[0], url
        except OSError as exc:
            raise CommandError(f"cannot read {item}: {exc.strerror}") from None


def article_dict(article: Article) -> dict:
    """An extracted article as JSON-ready data."""
    data = asdict(article)
    data["date"] = article.date.isoformat() if article.date else None
    data["authors"] = list(article.authors)
    data.pop("blocks", None)
    return data


def as_text(article: Article) -> str:
    head = [article.title, ""]
    if article.authors:
        head.insert(1, "By " + ", ".join(article.authors))
    if article.date:
        head.insert(-1, article.date.isoformat())
    if article.canonical_url:
        head.insert(-1, article.canonical_url)
    return "\n".join(head) + "\n" + article.text


def _dumps(value, indent=None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)
