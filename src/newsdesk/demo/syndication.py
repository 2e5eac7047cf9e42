"""A labelled set of copies and non-copies made from the demo outlets, for copy detection.

Each ``Case`` is a pair of texts and whether they are one article:

- copies (``copy=True``): a demo article republished by another outlet, edited as sites edit an
  agency's story: a new headline, the intro rewritten, a dateline and a credit added, a local
  paragraph added, the last paragraphs cut, only the first half kept, or several at once; and
  the copies the demo outlets themselves carry (records with ``copy-of``).
- not copies: two outlets' reports of one event in their own words (the demo's story keys), a
  report of that event quoting two paragraphs of another, and unrelated articles.

With ``render=True`` each text is what ``newsdesk.pipeline.extract`` reads off the page in its
outlet's template (the copy in the copying outlet's), template leftovers included; otherwise it
is the article's own text. ``Case.group`` names the original article, so that thresholds can be
chosen on some originals and measured on the others.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

from .content import load_outlets, unlinked
from .model import Block, DemoArticle, Outlet

COPY_KINDS = ("headline", "intro", "byline", "added", "cut", "half", "edited", "demo")
OTHER_KINDS = ("same-event", "quotes", "unrelated")


@dataclass(frozen=True)
class Case:
    group: str  # "outlet/slug" of the original article
    kind: str  # one of COPY_KINDS or OTHER_KINDS
    copy: bool
    first: str  # the texts compared
    second: str
    first_title: str = ""
    second_title: str = ""


def cases(render: bool = False) -> list[Case]:
    """Every case, in a fixed order."""
    outlets = load_outlets()
    by_key = {f"{o.slug}/{a.slug}": (o, a) for o in outlets for a in o.articles}
    text = functools.partial(_text, render)
    found: list[Case] = []
    originals = [(o, a) for o in outlets for a in o.articles if not a.copy_of]
    for outlet, article in originals:
        key = f"{outlet.slug}/{article.slug}"
        for n, target in enumerate(t for t in outlets if t.slug != outlet.slug):
            for kind in COPY_KINDS[:-1]:
                if (hash_index(key, kind) + n) % 3:
                    continue  # each edit into one of the three other outlets, to keep the set small
                copy = _edited(article, kind, outlet, target)
                found.append(Case(key, kind, True, text(outlet, article), text(target, copy),
                                  article.title, copy.title))
    for outlet, article in ((o, a) for o in outlets for a in o.articles if a.copy_of):
        original_outlet, original = by_key[article.copy_of]
        found.append(Case(article.copy_of, "demo", True, text(original_outlet, original), text(outlet, article),
                          original.title, article.title))
    stories: dict[str, list[tuple[Outlet, DemoArticle]]] = {}
    for outlet, article in originals:
        if article.story:
            stories.setdefault(article.story, []).append((outlet, article))
    for reports in stories.values():
        for (oa, a), (ob, b) in itertools.combinations(reports, 2):
            found.append(Case(f"{oa.slug}/{a.slug}", "same-event", False, text(oa, a), text(ob, b), a.title, b.title))
            quoting = _quoting(b, a)
            found.append(Case(f"{oa.slug}/{a.slug}", "quotes", False, text(oa, a), text(ob, quoting),
                              a.title, quoting.title))
    for (oa, a), (ob, b) in zip(originals, originals[7:] + originals[:7]):
        if a.story and a.story == b.story:
            continue
        found.append(Case(f"{oa.slug}/{a.slug}", "unrelated", False, text(oa, a), text(ob, b), a.title, b.title))
    return found


def hash_index(*parts: str) -> int:
    """A small stable number for these strings (Python's own hash changes between runs)."""
    return sum((n + 1) * ord(c) for n, c in enumerate("/".join(parts))) % 997


def _edited(article: DemoArticle, kind: str, source: Outlet, target: Outlet) -> DemoArticle:
    """``article`` as ``target`` would republish it, edited one way (or several, for "edited")."""
    blocks = list(article.blocks)
    title = article.title
    kinds = {"intro", "added", "cut", "headline"} if kind == "edited" else {kind}
    if "headline" in kinds:
        title = f"{target.name} brief: {article.title.split(':')[0].split(' as ')[0]}"
    if "intro" in kinds:
        first = next(n for n, b in enumerate(blocks) if b.kind == "p")
        blocks[first] = Block("p", article.summary)
    if "byline" in kinds:
        first = next(n for n, b in enumerate(blocks) if b.kind == "p")
        blocks[first] = dataclasses.replace(blocks[first], html=f"({source.name}) — {blocks[first].html}")
        blocks.append(Block("p", f"Reporting by {source.name}; editing by the {target.name} news desk."))
    if "added" in kinds:
        local = next(a for a in target.articles if not a.story and not a.copy_of)
        paragraph = next(b for b in local.blocks if b.kind == "p" and len(b.html) > 150)
        blocks.insert(min(2, len(blocks)), paragraph)
    if "cut" in kinds:
        blocks = blocks[:-2]
    if "half" in kinds:
        blocks = blocks[:max(2, len(blocks) // 2)]
    own = [dataclasses.replace(b, figure=dataclasses.replace(b.figure, image=f"{article.slug}-{kind}-fig{n}"))
           if b.figure is not None else unlinked(b) for n, b in enumerate(blocks)]
    category = article.category if any(c.slug == article.category for c in target.categories) else \
        target.categories[0].slug
    return dataclasses.replace(article, slug=f"{article.slug}-{kind}", title=title, blocks=tuple(own),
                               author=target.authors[0].slug, category=category, copy_of="x")


def _quoting(report: DemoArticle, quoted: DemoArticle) -> DemoArticle:
    """``report`` with two paragraphs of ``quoted`` in its middle, as a story citing another."""
    borrowed = [unlinked(b) for b in quoted.blocks if b.kind == "p"][1:3]
    blocks = list(report.blocks)
    middle = len(blocks) // 2
    return dataclasses.replace(report, slug=f"{report.slug}-quoting", blocks=tuple(blocks[:middle] + borrowed
                                                                                 + blocks[middle:]))


def _text(render: bool, outlet: Outlet, article: DemoArticle) -> str:
    """The text of an article as a reader of its page would get it (see ``cases``)."""
    if not render:
        return article.body_text()
    from newsdesk.pipeline import extract

    if article not in outlet.articles:
        outlet = dataclasses.replace(outlet, articles=(article, *outlet.articles))
    page = outlet.render_article(article)
    return extract(page, url=f"http://127.0.0.1:8101/{outlet.slug}/{article.slug}/").text
