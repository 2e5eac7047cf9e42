"""Attribution and teaser lines ("Source link", "The post … appeared first on …") at the edges of
an article body, on single pages in the demo outlets' own templates."""

from __future__ import annotations

import pytest

from newsdesk.demo import DEFAULT_BASE_URL, OutletSite, load_outlets
from newsdesk.pipeline.extraction import extract
from newsdesk.pipeline.extraction.attribution import (is_ad_label, is_attribution, is_call,
                                                      is_caption, is_teaser)

OUTLETS = {outlet.slug: outlet for outlet in load_outlets()}

# Each as a page prints it, and the words that must not be left in the extracted text.
LINES = {
    "source link": ("<p><a href='https://origin.example/news/harbour-wall' rel='nofollow'>Source link</a></p>",
                    "Source link"),
    "wordpress footer": ("<p>The post <a href='https://origin.example/news/harbour-wall'>Harbour wall vote "
                         "goes ahead</a> appeared first on <a href='https://origin.example'>Origin News</a>.</p>",
                         "appeared first on"),
    "originally published": ("<p><em>Originally published at <a href='https://origin.example'>"
                             "origin.example</a> on 3 March 2026.</em></p>", "Originally published"),
    "continue reading": ("<p><a href='https://origin.example/news/harbour-wall'>Continue reading "
                         "<span class='meta-nav'>&rarr;</span></a></p>", "Continue reading"),
    "two lines": ("<p><a href='https://origin.example/x'>Source link</a><br>Read more at Origin News</p>",
                  "Source link"),
}


def render(outlet, article, before=(), after=(), inside=None) -> str:
    """The article's page with extra blocks at the very start and end of its body container
    (``inside(blocks)`` may change the body's own blocks too)."""
    context = OutletSite(outlet, DEFAULT_BASE_URL).context
    blocks = context.body_blocks(article)
    blocks = [*before, *(inside(blocks) if inside else blocks), *after]
    return outlet.render_article(article, body_html_override=context.theme.body_html(context, article, blocks))


def story_blocks(extracted, article) -> list[str]:
    """The extracted blocks that are the article's own text, in order (the page's chrome aside)."""
    own = {line for block in article.blocks if block.kind != "figure" for line in block.text().split("\n")}
    return [block.text for block in extracted.blocks if block.text in own]


@pytest.mark.parametrize("slug", sorted(OUTLETS))
@pytest.mark.parametrize("line", sorted(LINES))
@pytest.mark.parametrize("where", ["start", "end"])
def test_a_line_alone_at_an_edge_of_the_body_is_dropped(slug, line, where):
    outlet = OUTLETS[slug]
    article = outlet.articles[0]
    html, words = LINES[line]
    clean = extract(render(outlet, article))
    framed = extract(render(outlet, article, before=[html] if where == "start" else [],
                            after=[html] if where == "end" else []))
    assert words not in framed.text
    # The story's blocks are those of the clean page, in the same order: no paragraph is lost.
    assert story_blocks(framed, article) == story_blocks(clean, article)
    assert all(block.text() in framed.text for block in article.blocks if block.kind == "p")


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_lines_at_both_edges_are_dropped_together(slug):
    outlet = OUTLETS[slug]
    article = outlet.articles[1]
    clean = extract(render(outlet, article))
    framed = extract(render(outlet, article, before=[LINES["originally published"][0]],
                            after=[LINES["wordpress footer"][0], LINES["source link"][0]]))
    assert story_blocks(framed, article) == story_blocks(clean, article)
    assert not any(words in framed.text for words in ("Originally", "appeared first", "Source link"))


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_the_words_inside_sentences_of_the_story_stay(slug):
    outlet = OUTLETS[slug]
    article = outlet.articles[0]
    first = ("<p>Continue reading the report, she urged, before voting on the harbour wall, because the "
             "figures in its annex are not the ones the council was shown in the spring.</p>")
    middle = "<p>He said the source link was broken, so nobody on the committee had read the survey.</p>"
    last = ("<p>Read the full report at the library, the clerk added: the post of harbour master appeared "
            "first on its list of savings, and residents want to know why.</p>")
    text = extract(render(outlet, article, before=[first], after=[last],
                          inside=lambda blocks: [*blocks[:2], middle, *blocks[2:]])).text
    assert "Continue reading the report, she urged" in text
    assert "He said the source link was broken" in text
    assert "Read the full report at the library" in text


def test_feed_content_loses_its_footer():
    # What polling extracts when a page cannot be fetched: the feed entry's own HTML.
    story = ["The harbour board voted on Tuesday to rebuild the old sea wall, after two winters of "
             "flooding that reached the market square twice and closed the ferry for a week.",
             "Work starts in April and is to be finished before the autumn storms, the board said."]
    content = ("<p>This article was first published on Origin News.</p>"
               + "".join(f"<p>{p}</p>" for p in story)
               + "<p><a href='https://origin.example/x'>Continue reading on Origin News »</a></p>"
               "<p>The post <a href='https://origin.example/x'>Sea wall</a> appeared first on "
               "<a href='https://origin.example'>Origin News</a>.</p>")
    extracted = extract(f"<html><body><article>{content}</article></body></html>", "https://origin.example/x")
    assert [block.text for block in extracted.blocks] == story


@pytest.mark.parametrize("text", [
    "Source link", "Source Link →", "The post Harbour wall vote appeared first on Coastal Ledger.",
    "The article Harbour wall vote first appeared on Coastal Ledger.",
    "Originally published at example.com", "Originally published on The Conversation.",
    "This article was first published on 3 March in The Times.", "This story originally appeared on Grist.",
    "Read more", "Read more…", "Read more at BBC News", "Read the full article at example.com",
    "Read the full story on Reuters.", "Continue reading", "Continue reading →", "Continue reading on Medium »",
    "Continue reading “Harbour wall vote”", "Continue reading Harbour wall vote →",
    "Continue reading this article on digiday.com", "Source link\nThe post A appeared first on B.",
    "Der Beitrag Die Hafenmauer erschien zuerst auf Küstenbote.", "Dieser Artikel erschien zuerst bei Zeit Online.",
    "L’article Le mur du port est apparu en premier sur Le Port.",
    "La entrada El muro se publicó primero en El Puerto.", "Weiterlesen →", "Lire la suite", "Leer más",
])
def test_attribution_lines(text):
    assert is_attribution(text)


@pytest.mark.parametrize("text", [
    "He said the source link was broken.", "Continue reading the report, she urged, before voting.",
    "Source: Reuters", "Quelle: dpa", "First published in 1951, the novel is still in print.",
    "Read more: The harbour board meets again on Thursday", "Read the full report at the council's website.",
    "Source link\nHe said the link was broken.", "The post office appeared first on the list. " * 12, "",
])
def test_sentences_are_not_attribution_lines(text):
    assert not is_attribution(text)


def test_every_demo_article_is_its_own_text_and_all_of_it():
    """On every article page of the four demo outlets, read alone: each extracted block is the
    article's own text or a caption of its images (no ad label, author box title, tag list, menu
    or footer), and no paragraph of it is lost."""
    for outlet in OUTLETS.values():
        for article in outlet.articles:
            extracted = extract(outlet.render_article(article), DEFAULT_BASE_URL)
            own = " ".join([*(block.text() for block in article.blocks), article.summary,
                            *(figure.caption for figure in article.figures)])
            for block in extracted.blocks:
                if block.kind != "figure":
                    assert block.text.split("\n")[0][:40] in own, (outlet.slug, block.text)
            for block in article.blocks:
                if block.kind == "p":
                    assert block.text() in extracted.text, (outlet.slug, block.text())


@pytest.mark.parametrize("text", ["- Advertisement -", "ADVERTISEMENT", "Anzeige", "Sponsored content",
                                  "Story continues below advertisement", "[ Werbung ]"])
def test_ad_labels(text):
    assert is_ad_label(text)


@pytest.mark.parametrize("text", ["Advertisement spending rose by a tenth last year.",
                                  "The council's advertising contract was cancelled.", ""])
def test_not_ad_labels(text):
    assert not is_ad_label(text)


# Lines that are not the story's, wherever the classifier kept them: a pointer to another story,
# a caption closed by its credit, and (after the last paragraph) a call to subscribe.
TEASER = ("<p><strong>Read also:</strong> <a href='https://coastal-ledger.test/news/ferry'>"
          "Ferry timetable changes for the winter</a></p>")
TEASER_ES = "<p>Lea también: <a href='https://coastal-ledger.test/news/muelle'>El muelle cierra en enero</a></p>"
CAPTION = "<p>The old sea wall after the February storm (Image: Harbour Board)</p>"
CALL = "<p>Never miss a story: sign up to our newsletter today!</p>"


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_teasers_captions_and_calls_are_dropped_and_the_story_stays(slug):
    outlet = OUTLETS[slug]
    article = outlet.articles[0]
    clean = extract(render(outlet, article))
    framed = extract(render(outlet, article, after=[CALL],
                            inside=lambda blocks: [*blocks[:1], TEASER, *blocks[1:2], CAPTION,
                                                   *blocks[2:3], TEASER_ES, *blocks[3:]]))
    for words in ("Read also", "Ferry timetable changes", "Lea también", "(Image: Harbour Board)",
                  "newsletter"):
        assert words not in framed.text, words
    assert story_blocks(framed, article) == story_blocks(clean, article)
    assert all(block.text() in framed.text for block in article.blocks if block.kind == "p")


@pytest.mark.parametrize("text", [
    "Read also: Ferry timetable changes for the winter", "READ MORE: Should you offer green cleaning?",
    ">> Related: The best harbour walks", "Related", "Related articles", "Don't miss",
    "Lesen Sie auch: Die Fähre fährt im Winter seltener", "Das Thema könnte dich auch interessieren:",
    "Lea también: El muelle cierra en enero", "Lea más: Consejo aborda el cierre del muelle",
    "À lire aussi : Le port ferme en janvier", "Leia também: O cais fecha em janeiro",
    "Czytaj też: Prom kursuje rzadziej", "Leggi anche",
])
def test_teaser_lines(text):
    assert is_teaser(text)


@pytest.mark.parametrize("text", [
    "Read more about the harbour in our guide, which explains the vote.",
    "Related news reached the council on Monday.", "See also the report from 2020.",
    "Read also: " + "the harbour board says the wall will hold. " * 10, "",
    "Lea: I voted against it, and I would again.",  # an interview's speaker
])
def test_sentences_are_not_teaser_lines(text):
    assert not is_teaser(text)


@pytest.mark.parametrize("text", [
    "Never miss the latest news by signing up to our newsletter today!",
    "Subscribe now to our digital edition for the full story.",
    "Sie möchten wöchentliche Tipps? Abonnieren Sie unseren Newsletter!",
])
def test_calls_to_the_reader(text):
    assert is_call(text)


@pytest.mark.parametrize("text", [
    "The app was released by the council in May and has been downloaded by many residents.",
    "The ferry company will subscribe to the new insurance scheme, the board said.",
    "Subscribe now to our newsletter. " + "The harbour board met on Tuesday to vote. " * 5,
])
def test_story_sentences_are_not_calls(text):
    assert not is_call(text)


@pytest.mark.parametrize("text", [
    "The protests began in June (Image: GETTY)", "The harbour at dawn. Photo: Jane Doe",
    "Crowds on the quay (Photo: Harbour Board)", "The minister at the launch. Getty Images",
])
def test_captions_closed_by_a_credit(text):
    assert is_caption(text)


@pytest.mark.parametrize("text", [
    "Cost per Credit:\nIn-State | $472\nOut-of-State | $472",
    "The photo was taken in 1951, the archivist said.",
    "She gave the photographer full credit: the picture won the prize. " * 8,
])
def test_lines_that_are_not_captions(text):
    assert not is_caption(text)
