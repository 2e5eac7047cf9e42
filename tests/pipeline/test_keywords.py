"""Words, the one stop list, and an article's key terms."""

from __future__ import annotations

from newsdesk.pipeline import cluster
from newsdesk.pipeline.keywords import STOPWORDS, key_terms, words


def test_words_are_letters_and_digits_only():
    assert words('Storm_Halvard "AND" (near) 4.2bn* café\x00NUL') == [
        "storm", "halvard", "and", "near", "4", "2bn", "café", "nul"]
    assert words(None) == []


def test_key_terms_put_the_title_first_then_the_most_frequent_words():
    title = "Ferry service to Greyhaven resumes"
    text = ("The harbour master said the ferry would run again. Harbour crews repaired the mole; "
            "the harbour reopened at 0600 and 2024 was a hard year for the harbour and its mole.")
    assert key_terms(title, text, limit=6) == ["ferry", "service", "greyhaven", "resumes", "harbour", "mole"]


def test_key_terms_leave_out_stop_words_numbers_and_short_words():
    terms = key_terms("It is said that two of them", "We told you, according to them: 1200 of 12 ok " * 3)
    assert terms == []


def test_story_grouping_and_key_terms_share_one_stop_list():
    assert cluster.STOPWORDS is STOPWORDS
    text = "Officials in Brackwater said however that nearly every barley silo would reopen, although later."
    found = cluster.features("Brackwater silo", text)
    for word in ("however", "nearly", "although", "every", "said"):
        assert word in STOPWORDS
        assert word not in found.words and word not in key_terms("Brackwater silo", text)
    assert "barley" in found.words and "barley" in key_terms("Brackwater silo", text)
