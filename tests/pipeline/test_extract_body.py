"""Choosing the body from scored segments: copies of the story, and look-alike cards."""

from __future__ import annotations

import numpy as np

from newsdesk.pipeline.extraction import body
from newsdesk.pipeline.extraction.core import analyse
from newsdesk.pipeline.extraction.features import FEATURE_NAMES
from newsdesk.pipeline.extraction.render import render_text, to_blocks

URL = "https://coastal-ledger.test/news/2024/03/12/harbour-wall-vote"
STORY = [
    "The harbour town voted on Tuesday night to rebuild its old sea wall, ending a debate "
    "that had run for most of the decade.",
    "Engineers told the meeting that the wall, built in 1890, would not survive another "
    "winter of storms like the last one.",
    "The new wall will be two metres higher and will cost about twelve million, most of it "
    "from the regional flood fund.",
]


def kept_text(html: str) -> str:
    page = analyse(html, URL)
    probs = np.full(len(page.segments), 0.9)
    return render_text(to_blocks(body.select(page.segments, probs, 0.5)))


def test_whole_story_copied_as_one_blob_is_kept_once():
    """Pages that carry the story again (an app payload, a print version) as one block: every
    word of the blob is already kept, so it goes even though it matches no paragraph exactly."""
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    html = (f"<html><body><article><div class='entry'>{paragraphs}</div></article>"
            f"<div class='print-copy'><p>Harbour wall: {' '.join(STORY)} (Print edition)</p>"
            f"</div></body></html>")
    text = kept_text(html)
    for p in STORY:
        assert text.count(p) == 1
    assert "Print edition" not in text


def test_refrain_within_the_story_stays():
    chorus = "And still the sea comes in, and still the wall stands."
    paragraphs = "".join(f"<p>{p}</p><p>{chorus}</p>" for p in STORY)
    text = kept_text(f"<html><body><article><div class='entry'>{paragraphs}</div></article>"
                     f"</body></html>")
    assert text.count(chorus) == len(STORY)


def test_partial_overlap_is_not_a_copy():
    """A later paragraph that quotes a line of an earlier one is new text, and stays."""
    quoting = (f"As the engineers put it: {STORY[1]} The council heard them, and voted, and "
               f"now the town waits to see the work begin, with the spring tides close behind.")
    html = (f"<html><body><article><div class='entry'><p>{STORY[1]}</p></div>"
            f"<aside class='pull'><p>{quoting}</p></aside></article></body></html>")
    assert quoting in kept_text(html)


def test_teaser_cards_are_counted_as_look_alikes():
    cards = "".join(f"<div class='card'><p>Teaser number {n} about another story entirely "
                    f"for readers.</p></div>" for n in range(6))
    html = (f"<html><body><article><div class='entry'>"
            f"{''.join(f'<p>{p}</p>' for p in STORY)}</div></article>"
            f"<section class='more'>{cards}</section></body></html>")
    page = analyse(html, URL)
    column = FEATURE_NAMES.index("cards_1")
    values = {s.text[:14]: page.features.stage1[i, column] for i, s in enumerate(page.segments)}
    assert values["Teaser number "] == np.log(6)
    assert values[STORY[0][:14]] == 0.0


def test_an_advert_inside_the_story_is_not_one_of_its_pictures():
    from newsdesk.pipeline import extract

    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    page = (f"<html><head><title>Harbour wall vote</title></head><body><article><h1>Harbour wall vote</h1>"
            f"<figure><img src='/img/wall.jpg' width='640' height='360' alt='The old wall'>"
            f"<figcaption>The wall in 1890.</figcaption></figure>{paragraphs}"
            f"<div class='inline-rec'><a href='/advertise/' rel='sponsored'><img src='/ads/hearth.png' alt=''></a></div>"
            f"<p><img src='/ads/leaderboard.jpg' width='728' height='90' alt=''></p>"
            f"<p>{STORY[0]} The council meets again in May.</p></article></body></html>")
    article = extract(page, url=URL)
    sources = [image.src for image in article.images]
    assert "https://coastal-ledger.test/img/wall.jpg" in sources
    assert not any("/ads/" in src for src in sources)
    assert "/ads/" not in article.html
