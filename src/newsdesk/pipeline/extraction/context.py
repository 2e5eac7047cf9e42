"""What an element's ancestry says about it: class/id keywords and structural tags.

Every element gets a context: for each group below, the depth of its nearest ancestor-or-self
in that group (-1 when none). Children share their parent's tuple unless they add a group
themselves, so the walk stays cheap.
"""

from __future__ import annotations

import re

# Class/id/role keyword groups. The order is part of the trained model's feature layout.
KEYWORD_GROUPS: tuple[tuple[str, str], ...] = (
    ("comment", r"comment|disqus|respond|reply|discussion"),
    ("footer", r"foot"),
    ("sidebar", r"sidebar|side-bar|widget|rail|aside"),
    ("related", r"related|recommend|more-?(?:stories|articles|news|from)|also|trending|popular|"
                r"read-?next|next-?post|prev|outbrain|taboola|teaser|card"),
    ("share", r"share|social|sharing|follow|facebook|twitter|whatsapp|print|email"),
    ("nav", r"nav|menu|breadcrumb|pagination|pager|skip|toc|table-of-contents"),
    ("ad", r"(?:^|[^a-z])(?:ads?|advert\w*|adslot|dfp|gpt|sponsor\w*|promo\w*|banner|"
           r"commercial|partner)(?:[^a-z]|$)"),
    ("newsletter", r"newsletter|subscri|signup|sign-up|cta|paywall|register|login"),
    ("byline", r"byline|author|bio|avatar|profile|contributor|writer"),
    ("meta", r"(?:^|[^a-z])(?:tags?|categor\w*|meta|date|time|timestamp|topics?|label)(?:[^a-z]|$)"),
    ("caption", r"caption|credit|figcaption|photo|image|gallery|media|video|embed"),
    ("header", r"header|masthead|top-?bar|hero|headline|title"),
    ("overlay", r"cookie|consent|modal|popup|overlay|gdpr|banner|notice|alert|hidden|sr-only|"
                r"visually-?hidden|screen-?reader"),
    ("article", r"article|post|entry|story|blog"),
    ("content", r"content|body|text|prose|copy|main|rich|detail"),
)
# Structural tags, after the keyword groups in the context tuple.
TAG_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("t_article", ("article",)),
    ("t_main", ("main",)),
    ("t_nav", ("nav",)),
    ("t_footer", ("footer",)),
    ("t_header", ("header",)),
    ("t_aside", ("aside",)),
    ("t_form", ("form",)),
    ("t_li", ("li", "dd", "dt")),
    ("t_table", ("table",)),
    ("t_quote", ("blockquote",)),
    ("t_link", ("a",)),
    ("t_figure", ("figure", "picture")),
    ("t_section", ("section",)),
)
SPECIAL_GROUPS = ("articlebody",)  # itemprop=articleBody and similar explicit markers

GROUPS: tuple[str, ...] = (tuple(n for n, _ in KEYWORD_GROUPS) + tuple(n for n, _ in TAG_GROUPS)
                           + SPECIAL_GROUPS)
GROUP_INDEX = {name: i for i, name in enumerate(GROUPS)}
EMPTY_CONTEXT: tuple[int, ...] = (-1,) * len(GROUPS)

_KEYWORDS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in KEYWORD_GROUPS))
_TAG_INDEX = {tag: GROUP_INDEX[name] for name, tags in TAG_GROUPS for tag in tags}
_ARTICLE_BODY = re.compile(r"articlebody|article-body|article__body|entry-content|post-content|"
                           r"story-body|article-content|post-body|storybody", re.I)


def word_marks(words: str, cache: dict[str, tuple[int, ...]] | None = None) -> tuple[int, ...]:
    """Indices of the groups named by a lower-cased class/id/role string.

    No pattern spans a space, so each space-separated name is matched on its own; ``cache``
    (one walk's) keeps each name's groups, as pages repeat their class names a lot.
    """
    found: tuple[int, ...] = ()
    for name in words.split():
        hit = cache.get(name) if cache is not None else None
        if hit is None:
            hit = [GROUP_INDEX[m.lastgroup] for m in _KEYWORDS.finditer(name)]
            if _ARTICLE_BODY.search(name):
                hit.append(GROUP_INDEX["articlebody"])
            hit = tuple(hit)
            if cache is not None:
                cache[name] = hit
        found += hit
    return found


def marks(el, cache: dict[str, tuple[int, ...]] | None = None) -> tuple[int, ...]:
    """Indices of the groups ``el`` itself belongs to (often none).

    ``cache`` maps class/id names to their groups for the duration of one walk.
    """
    tag_index = _TAG_INDEX.get(el.tag)
    attrs = el.attrib
    if not attrs:
        return () if tag_index is None else (tag_index,)
    found: tuple[int, ...] = () if tag_index is None else (tag_index,)
    for name in ("class", "id", "role"):
        value = attrs.get(name)
        if value:
            found += word_marks(value.lower(), cache)
    itemprop = attrs.get("itemprop")
    if itemprop and itemprop.lower() in ("articlebody", "text", "reviewbody", "description"):
        found += (GROUP_INDEX["articlebody"],)
    if attrs.get("hidden") is not None or attrs.get("aria-hidden") == "true":
        found += (GROUP_INDEX["overlay"],)
    return found


def apply_marks(parent: tuple[int, ...], found: tuple[int, ...], depth: int) -> tuple[int, ...]:
    """The context of an element with groups ``found`` at ``depth`` under ``parent``."""
    if not found:
        return parent
    ctx = list(parent)
    for i in found:
        ctx[i] = depth
    return tuple(ctx)


def child_context(el, parent: tuple[int, ...], depth: int) -> tuple[int, ...]:
    """The context of ``el`` at ``depth`` given its parent's context."""
    return apply_marks(parent, marks(el), depth)
