"""Loading the demo outlets from their data files, and multiplying their articles for benchmarks.

Each outlet is one text file in data/: "@outlet", "@author SLUG", "@categories" and "@article SLUG"
records, each a run of "key: value" lines; an article's body follows its first blank line, one
block a paragraph: "## " and "### " headings, "> quote | who" quotes, "- " and "1. " list lines,
"[figure] caption | credit" figures, and otherwise a paragraph of inline HTML.

An article record with "copy-of: OUTLET/SLUG" republishes that article of another outlet, as
sites do with an agency's copy: its body is the original's, with "intro:" in place of the first
paragraph, the last "cut:" blocks dropped, and its own body's blocks added at the end; "title",
"author" (one of its own outlet's, which may be the agency), "category" and "published" are its
own, and the rest is the original's.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from collections.abc import Mapping
from importlib import resources

from .model import Author, Block, Category, DemoArticle, Figure, Outlet
from .themes import theme_for

DATA_FILES = ("harbor-ledger.txt", "valley-courier.txt", "meridian-wire.txt", "northgate-post.txt")

# Sentences that open the first paragraph of the copies made by scale=N, so that each copy's text differs.
_VARIANT_OPENERS = (
    "This report has been updated with new information.",
    "An earlier version of this story appeared in a previous edition.",
    "Additional reporting contributed to this version of the story.",
    "This article was expanded after first publication.",
    "Readers' questions prompted this follow-up to our earlier report.",
)
_VARIANT_LABELS = ("update", "follow-up", "briefing", "second look", "round-up")
_ORDERED_ITEM = re.compile(r"^\d+\.\s+")
_OUTLET_LINK = re.compile(r'<a href="@[^"]*">(.*?)</a>')


def load_outlets(scale: int = 1) -> list[Outlet]:
    """The demo outlets with their articles; scale=N gives each article N-1 more copies with their
    own slugs, dates and slightly different text (for benchmarks). Raises ValueError if scale < 1."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    package = resources.files(__package__) / "data"
    texts = [package.joinpath(name).read_text(encoding="utf-8") for name in DATA_FILES]
    # Copies are read once the articles they copy are known.
    originals = {f"{o.slug}/{a.slug}": a for o in map(parse_outlet, texts) for a in o.articles}
    outlets = [parse_outlet(text, originals) for text in texts]
    if scale == 1:
        return outlets
    return [dataclasses.replace(o, articles=_newest_first(_scaled(o.articles, scale))) for o in outlets]


def parse_outlet(text: str, originals: Mapping[str, DemoArticle] | None = None) -> Outlet:
    """One outlet from the text of its data file; raises ValueError on a malformed record.

    Its copies of other outlets' articles are read from ``originals`` ({"outlet/slug": article});
    without it they are left out."""
    meta: dict[str, str] = {}
    authors: list[Author] = []
    categories: list[Category] = []
    articles: list[DemoArticle] = []
    for kind, arg, fields, body in _records(text):
        if kind == "outlet":
            meta = fields
        elif kind == "author":
            authors.append(Author(arg, fields["name"], fields.get("role", ""), fields["bio"]))
        elif kind == "categories":
            categories.extend(Category(slug, name) for slug, name in fields.items())
        elif kind == "article" and "copy-of" in fields:
            if originals is not None:
                if fields["copy-of"] not in originals:
                    raise ValueError(f"@article {arg}: copy-of names no article: {fields['copy-of']}")
                articles.append(_copy(len(articles) + 1, arg, fields, body, originals[fields["copy-of"]]))
        elif kind == "article":
            articles.append(_article(len(articles) + 1, arg, fields, body))
        else:
            raise ValueError(f"unknown record @{kind}")
    theme = theme_for(meta["theme"])
    phrases = tuple(dict.fromkeys((*theme.phrases, *(a.bio for a in authors))))
    return Outlet(slug=meta["slug"], name=meta["name"], tagline=meta["tagline"], language=meta["language"],
                  theme=meta["theme"], feed_kind=meta["feed"], authors=tuple(authors),
                  categories=tuple(categories), articles=_newest_first(articles), template_phrases=phrases,
                  body_selector=theme.body_selector)


def _records(text: str):
    """Yield (kind, argument, fields, body lines) for each "@kind argument" record."""
    chunks = re.split(r"^@", text, flags=re.MULTILINE)
    for chunk in chunks:
        if not chunk.strip():
            continue
        head, _, rest = chunk.partition("\n")
        kind, _, arg = head.strip().partition(" ")
        header, _, body = rest.partition("\n\n")
        fields = {}
        for line in header.strip().splitlines():
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"@{kind} {arg}: expected 'key: value', got {line!r}")
            fields[key.strip()] = value.strip()
        yield kind, arg.strip(), fields, body


def _article(seq: int, slug: str, fields: dict[str, str], body: str) -> DemoArticle:
    caption, _, credit = fields["lead"].partition("|")
    updated = fields.get("updated")
    return DemoArticle(
        id=100 + seq, slug=slug, title=fields["title"], story=fields.get("story", ""),
        category=fields["category"], author=fields["author"],
        published=_aware(fields["published"]), updated=_aware(updated) if updated else None,
        summary=fields["summary"], lead=Figure(slug, caption.strip(), credit.strip()),
        blocks=_blocks(slug, body), tags=tuple(t.strip() for t in fields.get("tags", "").split(",") if t.strip()))


def _copy(seq: int, slug: str, fields: dict[str, str], body: str, original: DemoArticle) -> DemoArticle:
    """An edited copy of ``original`` (see the module's docstring)."""
    blocks = list(original.blocks)
    if fields.get("intro"):
        first = next(n for n, block in enumerate(blocks) if block.kind == "p")
        blocks[first] = Block("p", fields["intro"])
    cut = int(fields.get("cut", "0"))
    if cut:
        blocks = blocks[:-cut]
    # Figures get this article's own image keys; links to the original outlet's articles go.
    own = []
    for n, block in enumerate([*blocks, *_blocks(slug, body)], start=1):
        if block.figure is not None:
            block = dataclasses.replace(block, figure=dataclasses.replace(block.figure, image=f"{slug}-fig{n}"))
        own.append(unlinked(block))
    caption, _, credit = fields.get("lead", f"{original.lead.caption} | {original.lead.credit}").partition("|")
    return dataclasses.replace(
        original, id=100 + seq, slug=slug, title=fields["title"], category=fields["category"],
        author=fields["author"], published=_aware(fields["published"]), updated=None,
        summary=fields.get("summary", original.summary), lead=Figure(slug, caption.strip(), credit.strip()),
        blocks=tuple(own), copy_of=fields["copy-of"])


def unlinked(block: Block) -> Block:
    """``block`` without its links to other articles of its outlet ("@slug"), for another outlet."""
    return dataclasses.replace(block, html=_OUTLET_LINK.sub(r"\1", block.html))


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"date without a timezone: {value}")
    return moment


def _blocks(slug: str, body: str) -> tuple[Block, ...]:
    blocks = []
    for chunk in (c.strip() for c in body.strip().split("\n\n")):
        if not chunk:
            continue
        lines = chunk.splitlines()
        if chunk.startswith("### "):
            blocks.append(Block("h3", chunk[4:]))
        elif chunk.startswith("## "):
            blocks.append(Block("h2", chunk[3:]))
        elif chunk.startswith("> "):
            quote, _, cite = chunk[2:].partition(" | ")
            blocks.append(Block("quote", quote.strip(), cite=cite.strip()))
        elif chunk.startswith("[figure]"):
            caption, _, credit = chunk[len("[figure]"):].partition("|")
            key = f"{slug}-fig{sum(b.kind == 'figure' for b in blocks) + 1}"
            blocks.append(Block("figure", figure=Figure(key, caption.strip(), credit.strip())))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(Block("ul", items=tuple(line[2:].strip() for line in lines)))
        elif all(_ORDERED_ITEM.match(line) for line in lines):
            blocks.append(Block("ol", items=tuple(_ORDERED_ITEM.sub("", line).strip() for line in lines)))
        else:
            blocks.append(Block("p", " ".join(line.strip() for line in lines)))
    return tuple(blocks)


def _newest_first(articles) -> tuple[DemoArticle, ...]:
    return tuple(sorted(articles, key=lambda a: (a.published, a.id), reverse=True))


def _scaled(articles: tuple[DemoArticle, ...], scale: int) -> list[DemoArticle]:
    copies = list(articles)
    for k in range(1, scale):
        copies.extend(_variant(article, k) for article in articles)
    return copies


def _variant(article: DemoArticle, k: int) -> DemoArticle:
    """The k-th copy of an article: its own slug, id and story key, earlier dates, lightly varied text."""
    slug = f"{article.slug}-{k + 1}"
    shift = timedelta(hours=6 * k, minutes=(17 * k) % 60)
    # The number keeps every copy's text distinct. The copies of one article are still near-copies
    # of it (one sentence more), and the site shows them as one article with several pages.
    opener = f"{_VARIANT_OPENERS[k % len(_VARIANT_OPENERS)]} (Update {k + 1}.)"
    blocks, figure_no, first_paragraph = [], 0, True
    for block in article.blocks:
        if block.kind == "figure" and block.figure is not None:
            figure_no += 1
            block = dataclasses.replace(block, figure=dataclasses.replace(block.figure, image=f"{slug}-fig{figure_no}"))
        elif block.kind == "p" and first_paragraph:
            block = dataclasses.replace(block, html=f"{opener} {block.html}")
            first_paragraph = False
        blocks.append(block)
    return dataclasses.replace(
        article, id=article.id + 1000 * k, slug=slug,
        title=f"{article.title} ({_VARIANT_LABELS[k % len(_VARIANT_LABELS)]} {k + 1})",
        story=f"{article.story}-{k + 1}" if article.story else "",
        published=article.published - shift, updated=article.updated - shift if article.updated else None,
        lead=dataclasses.replace(article.lead, image=slug), blocks=tuple(blocks))
