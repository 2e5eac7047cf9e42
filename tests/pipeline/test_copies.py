"""Copy detection (pipeline.copies) on the demo's labelled copy set and on awkward input."""

from __future__ import annotations

import time

import pytest

from newsdesk.demo.syndication import COPY_KINDS, OTHER_KINDS, cases
from newsdesk.pipeline import copies
from newsdesk.pipeline.copies import CopyOptions, MemoryIndex


@pytest.fixture(scope="module")
def labelled():
    return cases(render=False)


@pytest.fixture(scope="module")
def rendered():
    # What extraction reads off each outlet's pages, template leftovers included.
    return cases(render=True)


def detect(case, options=None) -> bool:
    """Whether ``find_copy`` finds the case's first text as the one its second copies."""
    options = options or CopyOptions()
    index = MemoryIndex(options)
    index.add("first", case.first)
    match = copies.find_copy(case.second, index, options)
    return match is not None and match.id == "first"


def test_the_copy_set_has_every_kind_of_copy_and_of_look_alike(labelled):
    kinds = {c.kind for c in labelled}
    assert kinds == set(COPY_KINDS) | set(OTHER_KINDS)
    assert sum(c.copy for c in labelled) >= 250 and sum(not c.copy for c in labelled) >= 60
    # The look-alikes are hard ones: reports of one event share its names and figures.
    assert sum(c.kind == "same-event" for c in labelled) >= 10


@pytest.mark.parametrize("fixture", ["labelled", "rendered"])
def test_every_copy_is_found_and_no_other_report(fixture, request):
    wrong = [(c.kind, c.group, c.second_title) for c in request.getfixturevalue(fixture) if detect(c) != c.copy]
    assert wrong == []


def test_a_report_quoting_two_paragraphs_of_another_is_no_copy(labelled):
    quoting = [c for c in labelled if c.kind == "quotes"]
    assert quoting
    for case in quoting:
        _, containment, _ = copies.compare(copies.shingles(case.first), copies.shingles(case.second))
        assert 0.1 < containment < CopyOptions().containment  # they share text, and are still no copies
        assert not detect(case)


def test_stricter_thresholds_miss_the_edited_copies(labelled):
    # The test can fail: with containment required near 1, the copies with a new intro, a local
    # paragraph and a cut end are no longer found.
    strict = CopyOptions(containment=0.9)
    edited = [c for c in labelled if c.kind == "edited"]
    assert sum(detect(c, strict) for c in edited) < len(edited) / 2


def test_fingerprints_are_stable_and_tell_short_texts_apart():
    text = " ".join(f"The harbour authority said vessel number {n} would sail at dawn." for n in range(12))
    first, again = copies.fingerprint(text), copies.fingerprint(text)
    assert first is not None and first == again
    assert len(first.keys) == CopyOptions().bands and all(0 <= k < 2 ** 63 for k in first.keys)
    assert copies.fingerprint("Live updates: the storm, hour by hour.") is None
    assert copies.fingerprint("") is None and copies.fingerprint(None) is None


def test_the_index_ranks_the_text_sharing_most_keys_first():
    base = [f"Paragraph {n} of the report tells how the quay flooded at high tide on day {n}." for n in range(20)]
    index = MemoryIndex()
    index.add("whole", " ".join(base))
    index.add("half", " ".join(base[:10] + [f"Other words {n} fill the rest of this item." for n in range(10)]))
    index.add("other", " ".join(f"An unrelated sentence about cricket scores number {n}." for n in range(20)))
    found = copies.fingerprint(" ".join(base))
    ranked = [item for item, _ in index.candidates(found.keys, 10)]
    assert ranked[0] == "whole" and "other" not in ranked
    assert copies.find_copy(" ".join(base), index).id == "whole"


def test_texts_without_spaces_are_compared_by_characters():
    chinese = "港口管理局周二表示，由于风暴，所有渡轮将停航两天，乘客应查看最新时刻表。" * 3
    extended = chinese + "当地商会表示，码头附近的商店将提前关门。"
    index = MemoryIndex()
    index.add("original", chinese)
    assert copies.find_copy(extended, index).id == "original"
    assert copies.find_copy("完全不同的一篇关于足球比赛和天气预报以及选举结果的文章内容。" * 3, index) is None


def test_credits_name_the_outlets_a_copy_credits():
    outlets = {1: "Meridian Wire", 2: "The Harbor Ledger", 3: "AP"}
    assert copies.credits(outlets, ["Samir Haddad, Meridian Wire"], "GENEVA — Talks resumed.") == {1}
    assert copies.credits(outlets, [], "GENEVA (Meridian Wire) — Talks resumed on Monday.") == {1}
    long_text = "Talks resumed. " * 200 + "Reporting by Meridian Wire; editing by The Harbor Ledger desk."
    assert copies.credits(outlets, [], long_text) == {1, 2}
    # Names too short to tell, or inside other words, or in the middle of a long text, are not credits.
    assert copies.credits(outlets, ["Apple Daily"], "Talks resumed.") == set()
    assert copies.credits(outlets, [], "Talks resumed. " * 50 + "Meridian Wire said." + " More." * 200) == set()


@pytest.mark.parametrize("text", [
    "word " * 200_000,  # a megabyte of one word: one shingle
    " ".join(str(n) for n in range(2_000_000)),  # two million distinct words: the first are compared
    "\x00\ud800 \ufffd " * 1000 + "valid words after the noise " * 20,
    "<p>" * 5000 + "tags as text " * 100,
])
def test_awkward_texts_are_fingerprinted_in_bounded_time(text):
    started = time.perf_counter()
    found = copies.fingerprint(text)
    index = MemoryIndex()
    index.add(1, text)
    match = copies.find_copy(text, index, found=found)
    assert time.perf_counter() - started < 10
    if found is None:
        assert match is None
    else:
        assert match.id == 1 and match.containment == 1.0
