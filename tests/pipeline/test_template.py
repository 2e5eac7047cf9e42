"""Per-source template learning, on pages rendered in the demo outlets' own templates."""

from __future__ import annotations

import re

import pytest

from newsdesk.demo import load_outlets
from newsdesk.pipeline.extraction import (ExtractOptions, SourceTemplate, TemplateOptions, extract,
                                       learn_template)

OUTLETS = {outlet.slug: outlet for outlet in load_outlets()}

# Blocks an outlet might put inside every article body. Written as ordinary prose paragraphs,
# so that a single page gives no sign they are not part of the story.
RECURRING = {
    "read_more": "<p>Read more: <a href='/news/ferry-terminal'>The harbour board meets again on "
                 "Thursday to decide the fate of the old ferry terminal</a></p>",
    "newsletter": "<p>Sign up for our morning newsletter and get the most important local "
                  "stories of the day delivered to your inbox before breakfast.</p>",
    "tips": "<p>Got a tip? Our newsroom reads every message, so write to the desk at any hour "
            "of the day and a reporter will get back to you.</p>",
    "bio": "<p>The author has covered city hall, the courts and the waterfront for more than a "
           "decade, and before that worked as a ferry deckhand for three summers.</p>",
    "source": "<p>Source link</p>",
    "cookies": "<p>We use cookies to improve your experience on this site, and by continuing to "
               "read you agree to the way we use them.</p>",
}
RECURRING_TEXT = {key: re.sub(r"<[^>]+>", "", html) for key, html in RECURRING.items()}


def check_also(titles: list[str]) -> str:
    """A "Check Also" box whose headlines change from page to page."""
    items = "".join(f"<li><a href='/news/{i}'>{t}</a></li>" for i, t in enumerate(titles))
    return f"<div class='check-also-box'><h3>Check Also</h3><ul>{items}</ul></div>"


def pages_with_blocks(outlet, blocks: list[str] | None = None) -> list[tuple[object, str]]:
    """Every article of the outlet, rendered with the recurring blocks inside its body."""
    out = []
    titles = [a.title for a in outlet.articles]
    for i, article in enumerate(outlet.articles):
        others = [t for t in titles if t != article.title]
        extra = list(blocks if blocks is not None else RECURRING.values())
        extra.insert(2, check_also(others[i % len(others):][:3] or others[:3]))
        out.append((article, outlet.render_article(article, extra_body_blocks_html=extra)))
    return out


def story_text(article) -> str:
    """The article's own prose: its blocks but figures, whose captions go to Article.images."""
    return "\n\n".join(block.text() for block in article.blocks if block.kind != "figure")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def coverage(expected: str, got: str) -> float:
    """Share of the expected text's words found in the extraction, counted with repeats."""
    want, have = words(expected), words(got)
    pool: dict[str, int] = {}
    for w in have:
        pool[w] = pool.get(w, 0) + 1
    hit = 0
    for w in want:
        if pool.get(w, 0) > 0:
            pool[w] -= 1
            hit += 1
    return hit / max(1, len(want))


@pytest.fixture(scope="module", params=sorted(OUTLETS))
def outlet_case(request):
    outlet = OUTLETS[request.param]
    pages = pages_with_blocks(outlet)
    template = learn_template(html for _, html in pages)
    return outlet, pages, template


def test_single_page_extraction_keeps_recurring_blocks(outlet_case):
    """Alone, a page gives no reason to drop prose-like blocks inside the article's body."""
    _, pages, _ = outlet_case
    kept = set()
    for _, html in pages:
        text = extract(html).text
        kept |= {key for key, t in RECURRING_TEXT.items() if t in text}
    assert len(kept) >= 3, f"single-page extraction kept only {sorted(kept)}"


def test_template_removes_recurring_blocks_and_keeps_the_story(outlet_case):
    _, pages, template = outlet_case
    options = ExtractOptions(template=template)
    covered = []
    for article, html in pages:
        text = extract(html, options=options).text
        for key, block in RECURRING_TEXT.items():
            assert block not in text, f"{key} left in {article.slug}"
        assert "Check Also" not in text
        covered.append(coverage(story_text(article), text))
        assert covered[-1] >= 0.9, article.slug
    assert sum(covered) / len(covered) >= 0.97


def test_template_removes_the_outlets_own_template_text(outlet_case):
    outlet, pages, template = outlet_case
    options = ExtractOptions(template=template)
    for _, html in pages:
        text = extract(html, options=options).text
        for phrase in outlet.template_phrases:
            assert not any(line.strip() == phrase for line in text.splitlines()), phrase


def test_template_round_trips_through_json(outlet_case):
    _, _, template = outlet_case
    again = SourceTemplate.from_json(template.to_json())
    assert again == template
    assert template.pages == len(outlet_case[1]) and template.phrases


def test_refrain_within_one_article_is_kept():
    outlet = OUTLETS[sorted(OUTLETS)[0]]
    refrain = ("<p>And still the tide came in, as it had every night since the town was "
               "founded, and nobody on the quay said a word about it.</p>")
    pages = pages_with_blocks(outlet)
    first_article = pages[0][0]
    pages[0] = (first_article, outlet.render_article(
        first_article, extra_body_blocks_html=[refrain, refrain, refrain, *RECURRING.values()]))
    template = learn_template(html for _, html in pages)
    text = extract(pages[0][1], options=ExtractOptions(template=template)).text
    assert text.count("And still the tide came in") == 3
    assert RECURRING_TEXT["newsletter"] not in text


def test_common_phrase_inside_a_longer_paragraph_is_kept():
    outlet = OUTLETS[sorted(OUTLETS)[-1]]
    pages = pages_with_blocks(outlet)
    quoting = ("<p>Readers told the editor that the line \u201cSign up for our morning "
               "newsletter and get the most important local stories of the day delivered to "
               "your inbox before breakfast\u201d was the most annoying sentence on the site, and "
               "the editor, to everyone's surprise, agreed with them.</p>")
    article = outlet.articles[0]
    html = outlet.render_article(article, extra_body_blocks_html=[quoting, *RECURRING.values()])
    template = learn_template(h for _, h in pages)
    text = extract(html, options=ExtractOptions(template=template)).text
    assert "was the most annoying sentence on the site" in text
    assert "Got a tip?" not in text


def test_too_few_pages_learn_nothing():
    outlet = OUTLETS[sorted(OUTLETS)[0]]
    pages = [html for _, html in pages_with_blocks(outlet)[:2]]
    template = learn_template(pages)
    assert template.pages == 2 and not template.phrases and not template.boxes


def test_phrase_must_recur_on_a_good_share_of_pages():
    outlet = OUTLETS[sorted(OUTLETS)[1]]
    rare = "<p>Our annual reader survey is open until the end of the month, and it takes five minutes.</p>"
    pages = []
    for i, article in enumerate(outlet.articles[:10]):
        blocks = [rare] if i < 3 else []  # on 3 of 10 pages: not a good share
        pages.append(outlet.render_article(article, extra_body_blocks_html=blocks))
    template = learn_template(pages)
    assert not template.matches("Our annual reader survey is open until the end of the month, "
                                "and it takes five minutes.")
    strict = learn_template(pages, TemplateOptions(min_pages=3, min_share=0.3))
    assert strict.matches("Our annual reader survey is open until the end of the month, and it "
                          "takes five minutes.")


def test_learns_from_bytes_and_skips_what_is_not_html():
    outlet = OUTLETS[sorted(OUTLETS)[2]]
    pages = [html.encode("utf-8") for _, html in pages_with_blocks(outlet)[:5]]
    template = learn_template([*pages, b"\x00\x01\x02 not a page", "plain words"])
    assert template.pages == 5
    assert template.matches(RECURRING_TEXT["tips"])


def test_matching_is_whole_block_and_normalised():
    template = SourceTemplate(phrases=frozenset({"source link"}), pages=5)
    assert template.matches("Source link")
    assert template.matches("  SOURCE   link. ")
    assert not template.matches("The source link was broken for a day")


@pytest.mark.parametrize("bad", ['{"format": 99}', "[]", '{"format": 1, "phrases": [1, 2]}'])
def test_from_json_rejects_malformed_input(bad):
    with pytest.raises(ValueError):
        SourceTemplate.from_json(bad)
