"""The second opinion: trafilatura reads the pages the block classifier is unsure of."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from newsdesk.pipeline.extraction import body, second
from newsdesk.pipeline.extraction.core import analyse
from newsdesk.pipeline.extraction.render import render_text, to_blocks
from newsdesk.pipeline.extraction.weights import DEFAULT_MODEL

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "https://coastal-ledger.test/news/2024/03/12/harbour-wall-vote"
LAST_PARAGRAPH = "The council will publish a timetable next month."


@pytest.fixture(scope="module")
def page():
    return analyse((FIXTURES / "article.html").read_text(encoding="utf-8"), URL)


@pytest.fixture(scope="module")
def confident(page):
    return body.score(page.features, DEFAULT_MODEL)


def unsure_scores(page, confident: np.ndarray) -> np.ndarray:
    """The article's first paragraph sure, the rest of it in doubt, the chrome clearly out."""
    probs = np.where(confident >= DEFAULT_MODEL.threshold, 0.5, 0.02)
    first = next(i for i, (s, p) in enumerate(zip(page.segments, probs))
                 if p == 0.5 and s.kind == "paragraph")
    probs[first] = 0.95
    return probs


def text_of(segments) -> str:
    return render_text(to_blocks(segments))


def test_agreement():
    assert second.agreement("the harbour wall", "The harbour wall!") == 1.0
    assert second.agreement("", "") == 1.0
    assert second.agreement("harbour wall vote", "") == 0.0
    assert 0.0 < second.agreement("harbour wall vote", "harbour ferry timetable") < 1.0


def test_sure_page_gets_no_second_opinion(page, confident):
    assert not second.unsure(page.features, confident)
    kept, note = body.choose(page.segments, page.features, confident, DEFAULT_MODEL.threshold,
                             page.html, URL)
    assert note is None
    assert LAST_PARAGRAPH in text_of(kept)


def test_unsure_page_takes_the_fuller_second_opinion(page, confident):
    probs = unsure_scores(page, confident)
    assert second.unsure(page.features, probs)
    alone = body.select(page.segments, probs, 0.9)
    assert LAST_PARAGRAPH not in text_of(alone)

    kept, note = body.choose(page.segments, page.features, probs, 0.9, page.html, URL)
    text = text_of(kept)
    assert note and "second opinion" in note
    assert LAST_PARAGRAPH in text and "rebuild the old sea wall" in text
    for chrome in ("Weather", "Ferry timetable", "All rights reserved"):
        assert chrome not in text


def test_second_opinion_can_be_turned_off(page, confident):
    probs = unsure_scores(page, confident)
    kept, note = body.choose(page.segments, page.features, probs, 0.9, page.html, URL,
                             second_opinion=False)
    assert note is None
    assert LAST_PARAGRAPH not in text_of(kept)


def _opinion(page, probs, other: str, threshold: float = 0.5, article_body: str = ""):
    return body.offer(page.segments, page.features, probs,
                      body.select(page.segments, probs, threshold), other, article_body)


def test_agreeing_or_much_shorter_opinion_changes_nothing(page, confident):
    kept_text = text_of(body.select(page.segments, confident, DEFAULT_MODEL.threshold))
    prose = body.prose_flags(page.segments)
    for other in (kept_text, "Harbour wall vote."):
        signals, op = _opinion(page, confident, other, DEFAULT_MODEL.threshold)
        assert second.choose_body(op, signals, None, prose) == "kept"
    assert _opinion(page, confident, "")[1] is None


STORY = [
    "The harbour town voted on Tuesday night to rebuild its old sea wall, ending a debate "
    "that had run for most of the decade and split the council down the middle.",
    "Engineers told the meeting that the wall, built in 1890, would not survive another "
    "winter of storms like the last one, which flooded forty homes on the quay.",
    "The new wall will be two metres higher and will cost about twelve million, most of it "
    "paid for by the regional flood fund and the rest by a local levy.",
    "Residents on the quay welcomed the vote, though some asked why it had taken so long and "
    "whether the levy would fall hardest on those who can least afford it.",
    "Work is due to start in the spring and to last two years, with the ferry terminal kept "
    "open throughout.",
]
TEASERS = [
    "Parking permits on the seafront will cost more from April, and residents say the new "
    "zones leave them walking further from home than before.",
    "The library's longer opening hours start next week after volunteers agreed to staff "
    "the evening shifts that the budget could not cover.",
    "A fishing boat that sank off the point in January has been raised and towed to the "
    "boatyard, where investigators will look for the cause.",
    "Schools across the district closed early on Friday as the snow arrived sooner than "
    "forecast and buses could not reach the hill villages.",
    "The market hall reopens on Saturday with twelve new stalls, a cafe and a stage for the "
    "brass band that lost its rehearsal room last year.",
    "Hospital parking charges will be scrapped for night staff after a petition signed by "
    "nearly three thousand people reached the health board.",
]


def teaser_page() -> str:
    story = "".join(f"<p>{p}</p>" for p in STORY)
    cards = "".join(f'<div class="card"><h3><a href="/news/more-{n}">More news {n}</a></h3>'
                    f"<p>{t}</p></div>" for n, t in enumerate(TEASERS, 1))
    return (f"<html><head><title>Harbour wall vote</title></head><body>"
            f"<article><h1>Harbour wall vote</h1><div class=\"entry-content\">{story}</div>"
            f"</article><section class=\"more-stories\"><h2>More stories</h2>{cards}</section>"
            f"</body></html>")


def test_shorter_opinion_prunes_doubtful_teasers():
    """The classifier in doubt over the story and a list of teasers alike: the teasers that
    trafilatura leaves out go, the story stays, and what the classifier was sure of stays."""
    page = analyse(teaser_page(), URL)
    texts = [s.text for s in page.segments]
    probs = np.full(len(texts), 0.5)
    sure = texts.index(TEASERS[0])
    probs[sure] = 0.95
    alone = text_of(body.select(page.segments, probs, 0.45))
    assert TEASERS[3] in alone and STORY[-1] in alone

    kept, note = body.choose(page.segments, page.features, probs, 0.45, page.html, URL)
    text = text_of(kept)
    assert note and "second opinion" in note
    assert all(p in text for p in STORY)
    assert TEASERS[3] not in text
    assert TEASERS[0] in text  # sure, so kept whatever the second opinion says


def test_the_second_opinion_reads_a_real_page(page):
    """trafilatura is installed and importable with what newsdesk depends on (it needs
    lxml_html_clean), so the second opinion runs at all."""
    import trafilatura  # noqa: F401

    text = second.other_text(page.html, URL)
    assert LAST_PARAGRAPH in text and "Ferry timetable" not in text


def test_broken_page_gives_no_second_opinion():
    assert second.other_text("<html><body></body></html>", None) == ""
    assert second.other_text("\x00\x01 not a page", None) == ""


def _words(text: str) -> int:
    return len(text.split())


_READERS = ["Maggie", "Tom", "Priya", "Olu", "Jens", "Carmen", "Dmitri", "Aiko", "Fergus",
            "Leila", "Bram", "Sunita", "Kofi", "Ines", "Rory"]
_VIEWS = ["the levy is unfair on pensioners", "the wall should have been built years ago",
          "the ferry will lose trade during the works", "flood insurance might finally fall",
          "the council wasted money on consultants", "the old stones ought to be reused",
          "fishermen were never asked what they think", "the quay cafes will struggle all summer",
          "the regional fund always favours the city", "my cellar flooded three times last year",
          "the engineers seemed honest about the risks", "a tidal barrage would be cheaper",
          "nobody mentioned the seals on the point", "this decision came far too late for us",
          "the vote shows the town can still agree"]
COMMENTS = [f"{who} wrote: honestly I believe {view}, and after {n + 11} winters living near "
            f"the {place} I expect my family would say much the same at the next meeting."
            for n, (who, view, place) in enumerate(zip(_READERS, _VIEWS, [
                "quay", "harbour", "slipway", "market", "lighthouse", "chapel", "boatyard",
                "station", "school", "pier", "bridge", "dunes", "mill", "square", "beach"]))]


def comment_page() -> str:
    story = "".join(f"<p>{p}</p>" for p in STORY[:3])
    thread = "".join(f'<li class="comment"><div class="comment-body"><p>{c}</p></div></li>'
                     for c in COMMENTS)
    return (f"<html><head><title>Harbour wall vote</title></head><body><article>"
            f"<h1>Harbour wall vote</h1><div class=\"entry-content\">{story}</div></article>"
            f"<div id=\"comments\"><h2>15 comments</h2><ol class=\"comment-list\">{thread}</ol>"
            f"</div></body></html>")


def _scores(page, sure: list[str], doubtful: list[str], rest: float = 0.02) -> np.ndarray:
    probs = np.full(len(page.segments), rest)
    for i, seg in enumerate(page.segments):
        if seg.text in sure:
            probs[i] = 0.95
        elif seg.text in doubtful:
            probs[i] = 0.6
    return probs


UNTRAINED = dataclasses.replace(DEFAULT_MODEL, chooser=MappingProxyType({}))


def test_a_comment_thread_that_dwarfs_the_article_goes():
    """The classifier keeps a story and a reader-comment thread five times its length; the
    second opinion finds the story alone inside it, and only the story stays."""
    page = analyse(comment_page(), URL)
    probs = _scores(page, STORY[:3], COMMENTS)
    alone = text_of(body.select(page.segments, probs, 0.5))
    assert _words(alone) > 4 * sum(_words(p) for p in STORY[:3])
    kept, note = body.choose(page.segments, page.features, probs, 0.5, page.html, URL,
                             model=UNTRAINED)
    text = text_of(kept)
    assert note and "dwarfed" in note
    assert all(p in text for p in STORY[:3])
    assert not any(c in text for c in COMMENTS)


def test_a_list_of_other_stories_that_dwarfs_the_article_goes():
    """The classifier keeps a story and, under it, a list of other stories' teasers several
    times its length; only the story stays."""
    cards = "".join(f'<li><a href="/news/more-{n}">{t} {u}</a></li>'
                    for n, (t, u) in enumerate(zip(TEASERS, TEASERS[1:] + TEASERS[:1]), 1))
    html = (f"<html><head><title>Harbour wall vote</title></head><body><article>"
            f"<h1>Harbour wall vote</h1><div class=\"entry-content\">"
            f"{''.join(f'<p>{p}</p>' for p in STORY[:3])}</div></article>"
            f"<aside class=\"related-posts\"><h2>Related stories</h2><ul>{cards}</ul></aside>"
            f"</body></html>")
    page = analyse(html, URL)
    teasers = [s.text for s in page.segments if s.kind == "item"]
    probs = _scores(page, STORY[:3], teasers)
    alone = text_of(body.select(page.segments, probs, 0.5))
    assert _words(alone) > 3 * sum(_words(p) for p in STORY[:3])
    kept, _ = body.choose(page.segments, page.features, probs, 0.5, page.html, URL,
                          model=UNTRAINED)
    text = text_of(kept)
    assert all(p in text for p in STORY[:3])
    assert not any(t in text for t in TEASERS)


LONG_STORY = STORY + [p.replace("wall", "barrier").replace("harbour", "estuary") for p in STORY]


def long_story_page(article_body: bool) -> str:
    ld = ('<script type="application/ld+json">' + json.dumps(
        {"@type": "NewsArticle", "headline": "Harbour wall vote",
         "articleBody": " ".join(LONG_STORY)}) + "</script>") if article_body else ""
    return (f"<html><head><title>Harbour wall vote</title>{ld}</head><body><article>"
            f"<h1>Harbour wall vote</h1><div class=\"entry-content\">"
            f"{''.join(f'<p>{p}</p>' for p in LONG_STORY)}</div></article>"
            f"<footer><p>All rights reserved.</p></footer></body></html>")


@pytest.mark.parametrize("article_body", [True, False])
def test_the_body_never_loses_most_of_an_article_two_methods_agree_on(article_body):
    """Whatever the chooser picks, a body holding under half of trafilatura's text gives way to
    trafilatura's segments when a second witness agrees: the page's articleBody, or, without
    one, the page's own prose."""
    from newsdesk.pipeline.extraction.metadata import read_metadata
    from newsdesk.pipeline.extraction.dom import parse

    html = long_story_page(article_body)
    page = analyse(html, URL)
    probs = _scores(page, [LONG_STORY[0]], [], rest=0.3)
    witness = read_metadata(parse(html), URL).article_body
    assert bool(witness) == article_body
    signals, op = _opinion(page, probs, second.other_text(page.html, URL), 0.5, witness)
    assert _words(text_of(body.select(page.segments, probs, 0.5))) < 60
    name = second.guard("kept", op, signals, body.prose_flags(page.segments))
    assert name == "taken"
    taken = text_of([s for s, k in zip(page.segments, op.bodies["taken"]) if k])
    assert all(p in taken for p in LONG_STORY)


def test_the_loss_guard_needs_a_witness():
    """trafilatura's longer text alone, made of link lists that are not prose and with no
    articleBody to back it, does not overrule the chosen body."""
    links = "".join(f'<li><a href="/n/{n}">Harbour story number {n} of the week in the town</a></li>'
                    for n in range(60))
    html = (f"<html><head><title>Harbour wall vote</title></head><body><article><h1>Harbour wall "
            f"vote</h1><p>{STORY[0]}</p></article><ul>{links}</ul></body></html>")
    page = analyse(html, URL)
    probs = _scores(page, [STORY[0]], [], rest=0.3)
    other = " ".join(f"Harbour story number {n} of the week in the town" for n in range(60))
    signals, op = _opinion(page, probs, other)
    assert second.guard("kept", op, signals, body.prose_flags(page.segments)) == "kept"


def test_trafilatura_text_itself_when_the_page_blocks_hold_next_to_nothing_of_it():
    """A page rendered by script holds its story in data newsdesk does not read as text; when
    the chosen body is next to nothing and trafilatura's long text is not in the page's blocks,
    that text is the body, one paragraph a line."""
    html = ("<html><head><title>Harbour wall vote</title></head><body><div id=\"app\">"
            "<p>Please enable JavaScript to read this page.</p></div></body></html>")
    page = analyse(html, URL)
    probs = np.full(len(page.segments), 0.95)
    other = "\n".join(STORY)
    signals, op = _opinion(page, probs, other)
    assert second.guard("kept", op, signals, body.prose_flags(page.segments)) == "text"
    segments = body.text_segments(op.text)
    assert [s.text for s in segments] == STORY
    assert text_of(segments) == "\n\n".join(STORY)


def test_text_segments_are_escaped_when_rendered():
    segments = body.text_segments("<script>alert(1)</script> & more\n\n  \nsecond line")
    blocks = to_blocks(segments)
    assert [b.text for b in blocks] == ["<script>alert(1)</script> & more", "second line"]
    assert "<script>" not in blocks[0].html and "&lt;script&gt;" in blocks[0].html
