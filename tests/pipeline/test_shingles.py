"""Word tokens and trigram overlap, the one way texts are compared for sameness."""

from newsdesk.pipeline.shingles import covered_share, jaccard, trigrams, words


def test_words_are_lower_cased_word_runs():
    assert words("The Harbour-wall vote, 2024!") == ["the", "harbour", "wall", "vote", "2024"]
    assert words("") == [] and words(None) == []


def test_chinese_and_japanese_characters_are_tokens_of_their_own():
    # Written without spaces, a whole clause would otherwise be a single token.
    assert words("一个约定，信守15年") == ["一", "个", "约", "定", "信", "守", "15", "年"]
    assert words("カタカナ text") == ["カ", "タ", "カ", "ナ", "text"]
    a, b = words("话剧《约定无期限》全省各市巡演"), words("《约定无期限》巡演")
    assert covered_share(b, set(trigrams(a))) > 0.5


def test_covered_share():
    grams = set(trigrams(words("the council will publish a timetable next month")))
    assert covered_share(words("will publish a timetable"), grams) == 1.0
    assert covered_share(words("the ferry will stop"), grams) == 0.0
    assert covered_share(words("timetable"), grams, {"timetable"}) == 1.0
    assert covered_share(words("ferry"), grams, {"timetable"}) == 0.0
    assert covered_share([], grams) == 0.0


def test_jaccard():
    assert jaccard({1, 2}, {2, 3}) == 1 / 3
    assert jaccard(set(), {1}) == 0.0
