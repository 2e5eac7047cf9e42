"""The second opinion: trafilatura reads the pages the block classifier is unsure of."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsdesk.pipeline.extract import body, second
from newsdesk.pipeline.extract.core import analyse
from newsdesk.pipeline.extract.render import render_text, to_blocks
from newsdesk.pipeline.extract.weights import DEFAULT_MODEL

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "https://coastal-ledger.test/news/2024/03/12/harbour-wall-vote"
LAST_PARAGRAPH = "The council will publish a timetable next month."


@pytest.fixture(scope="module")
def page():
    return analyse((FIXTURES / "article.html").read_text(encoding="utf-8"), URL)


@pytest.fixture(scope="module")
def confident(page):
    return body.score(page.features, DEFAULT_MODEL)


def unsure_scores(confident: np.ndarray) -> np.ndarray:
    """The article's first paragraph sure, the rest of it in doubt, the chrome clearly out."""
    probs = np.where(confident >= DEFAULT_MODEL.threshold, 0.5, 0.02)
    probs[int(np.argmax(probs))] = 0.95
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
    probs = unsure_scores(confident)
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
    probs = unsure_scores(confident)
    kept, note = body.choose(page.segments, page.features, probs, 0.9, page.html, URL,
                             second_opinion=False)
    assert note is None
    assert LAST_PARAGRAPH not in text_of(kept)


def test_agreeing_or_much_shorter_opinion_changes_nothing(page):
    kept_text = "The harbour wall vote is on Tuesday, and the council expects a long debate."
    kept = [True] * len(page.segments)
    probs = np.full(len(page.segments), 0.5)
    assert second.reconsider(page.segments, probs, kept, kept_text, kept_text) is None
    assert second.reconsider(page.segments, probs, kept, kept_text, "Harbour wall vote.") is None
    assert second.reconsider(page.segments, probs, kept, kept_text, "") is None


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


def test_broken_page_gives_no_second_opinion():
    assert second.other_text("<html><body></body></html>", None) == ""
    assert second.other_text("\x00\x01 not a page", None) == ""
