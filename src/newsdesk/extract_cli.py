"""`newsdesk extract`: print the article extracted from saved pages, a URL or standard input.

Extraction needs no database, so ``newsdesk extract`` runs this without setting Django up (whose
settings create the data directory). The Django command of the same name, which ``newsdesk help``
lists and tests call, parses the same arguments and calls ``run`` too.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TextIO

from newsdesk.pipeline.charset import decode
from newsdesk.pipeline.errors import PipelineError
from newsdesk.pipeline.extraction import ExtractOptions, extract, learn_template
from newsdesk.pipeline.fetch import Fetcher, FetchOptions
from newsdesk.pipeline.model import Article
from newsdesk.pipeline.urls import is_http_url
from newsdesk.site import config

# Below this many pages, a block recurring on all of them may still be news (a shared quote).
MIN_PAGES_FOR_TEMPLATE = 4

HELP = ("Extract the article from saved HTML files, a URL, or - (standard input) and print it. "
        f"Given {MIN_PAGES_FOR_TEMPLATE} or more pages of one site, it first learns the site's template "
        "from all of them and removes it from each. Several inputs print JSON Lines, one object per file. "
        "Needs no database or data directory.")


class ExtractFailed(Exception):
    """An input that could not be read, or no article extracted; the message says which."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="FILE|URL|-")
    parser.add_argument("--url", help="The page's original URL, used to resolve relative links (one input).")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
    parser.add_argument("--no-template", action="store_true", help="Do not learn a template across the inputs.")
    parser.add_argument("--allow-private", action="store_true", help="Allow fetching a private or loopback URL.")


def run(inputs: list[str], out: TextIO, *, url: str | None = None, as_json: bool = False,
        no_template: bool = False, allow_private: bool = False) -> None:
    """Extract every input and print it to ``out``. Raises ExtractFailed."""
    if url and len(inputs) > 1:
        raise ExtractFailed("--url applies to a single input")
    pages = [_read(item, url, allow_private) for item in inputs]
    options = ExtractOptions()
    if len(pages) >= MIN_PAGES_FOR_TEMPLATE and not no_template:
        options = ExtractOptions(template=learn_template([html for _, html, _ in pages]))
    many = len(pages) > 1
    failed = 0
    for name, html, page_url in pages:
        try:
            article = extract(html, page_url, options)
        except PipelineError as exc:
            failed += 1
            if many:
                out.write(_dumps({"file": name, "error": str(exc)}) + "\n")
                continue
            raise ExtractFailed(f"{name}: {exc}") from None
        if many:
            out.write(_dumps({"file": name, **article_dict(article)}) + "\n")
        elif as_json:
            out.write(_dumps(article_dict(article), indent=2) + "\n")
        else:
            out.write(as_text(article) + "\n")
    if failed and failed == len(pages):
        raise ExtractFailed("no article could be extracted")


def main(argv: list[str]) -> int:
    """``newsdesk extract ARGS``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="newsdesk extract", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        run(args.inputs, sys.stdout, url=args.url, as_json=args.json, no_template=args.no_template,
            allow_private=args.allow_private)
    except ExtractFailed as exc:
        print(f"CommandError: {exc}", file=sys.stderr)  # as the Django commands report theirs
        return 1
    return 0


def _read(item: str, url: str | None, allow_private: bool) -> tuple[str, str, str | None]:
    """(name, html, url) for one input."""
    if item == "-":
        return "-", decode(sys.stdin.buffer.read())[0], url
    if is_http_url(item):
        with Fetcher(_fetch_options()) as fetcher:
            try:
                response = fetcher.get(item, allow_private=allow_private)
            except PipelineError as exc:
                raise ExtractFailed(f"{item}: {exc}") from None
        return item, decode(response.content, response.headers.get("content-type"))[0], response.url
    try:
        return item, decode(Path(item).read_bytes())[0], url
    except OSError as exc:
        raise ExtractFailed(f"cannot read {item}: {exc.strerror}") from None


def _fetch_options() -> FetchOptions:
    # From the settings table itself, as Django's settings read it for ingest.fetching.
    env = config.read_all()
    options = FetchOptions(max_bytes=int(env["NEWSDESK_MAX_BODY_BYTES"]))
    return replace(options, user_agent=str(env["NEWSDESK_USER_AGENT"])) if env["NEWSDESK_USER_AGENT"] else options


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
