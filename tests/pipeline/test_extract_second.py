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


def test_agreeing_or_shorter_opinion_changes_nothing(page):
    kept_text = "The harbour wall vote is on Tuesday, and the council expects a long debate."
    assert second.reconsider(page.segments, kept_text, kept_text) is None
    assert second.reconsider(page.segments, kept_text, "Harbour wall vote.") is None


def test_broken_page_gives_no_second_opinion():
    assert second.other_text("<html><body></body></html>", None) == ""
    assert second.other_text("\x00\x01 not a page", None) == ""
