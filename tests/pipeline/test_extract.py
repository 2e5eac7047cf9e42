"""The extraction stage on small pages written for these tests."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsdesk.pipeline.errors import ExtractionError
from newsdesk.pipeline.extraction import ExtractOptions, extract
from newsdesk.pipeline.model import Article

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "https://coastal-ledger.test/news/2024/03/12/harbour-wall-vote?utm_source=feed"

FILLER = ("The council has been weighing the question for most of the year, and residents have "
          "written hundreds of letters to the local paper about the cost and about the timetable.")


def page(body: str, title: str = "A headline for the test page") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{body}</article>"
            f"<footer><p>Copyright the publisher. All rights reserved.</p></footer></body></html>")


@pytest.fixture(scope="module")
def article() -> Article:
    return extract((FIXTURES / "article.html").read_text(encoding="utf-8"), URL)


@pytest.fixture(scope="module")
def hostile() -> Article:
    return extract((FIXTURES / "hostile.html").read_bytes(), "https://example.test/report")


# -- metadata ---------------------------------------------------------------------------------
def test_metadata(article):
    assert article.title == "Harbour town votes to rebuild its old sea wall"
    assert article.authors == ("Mara Ellison", "Tomas Reyes")
    assert article.date == datetime(2024, 3, 12, 7, 30, tzinfo=timezone.utc)
    assert article.date.tzinfo is not None
    assert article.language == "en"
    assert article.canonical_url == "https://coastal-ledger.test/news/2024/03/12/harbour-wall-vote"
    assert article.site_name == "The Coastal Ledger"
    assert article.description.startswith("After two winters of flooding")


def test_date_without_zone_is_made_aware():
    html = page(f"<p>{FILLER}</p><p>{FILLER}</p>").replace(
        "<head>", "<head><meta property='article:published_time' content='2023-05-01T10:00:00'>")
    assert extract(html).date == datetime(2023, 5, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("shown", "expected"), [
    # A date under the headline is the one readers see, and wins over structured data...
    ("<p class='meta'>By Ann Lee, 3 May 2023</p>", datetime(2023, 5, 3).date()),
    # ...unless it is labelled as an update: the story came out on the published date.
    ("<p class='meta'>By Ann Lee. Last updated: June 9, 2024</p>", datetime(2023, 5, 1).date()),
    ("<p class='meta'>Updated June 9, 2024 · Published 2 May 2023</p>", datetime(2023, 5, 2).date()),
])
def test_date_under_the_headline(shown, expected):
    html = page(f"{shown}<p>{FILLER}</p><p>{FILLER}</p>").replace(
        "<head>", "<head><meta property='article:published_time' content='2023-05-01T10:00:00Z'>")
    assert extract(html).date.date() == expected


def test_updated_date_is_used_when_the_page_gives_no_other():
    html = page(f"<p class='meta'>Last updated: June 9, 2024</p><p>{FILLER}</p><p>{FILLER}</p>")
    assert extract(html).date.date() == datetime(2024, 6, 9).date()


def test_sections_from_meta_and_json_ld():
    html = page(f"<p>{FILLER}</p><p>{FILLER}</p>").replace("<head>", (
        "<head><meta property='article:section' content='World'>"
        "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
        "\"articleSection\": [\"world\", \"Europe, Harbours\", 7]}</script>"))
    assert extract(html).sections == ("World", "Europe", "Harbours")
    assert extract(page(f"<p>{FILLER}</p><p>{FILLER}</p>")).sections == ()


def test_title_from_head_drops_site_suffix():
    html = (f"<html><head><title>Bridge closes for repairs | Valley News</title>"
            f"<meta property='og:site_name' content='Valley News'></head>"
            f"<body><div><p>{FILLER}</p><p>{FILLER}</p></div></body></html>")
    assert extract(html).title == "Bridge closes for repairs"


# -- body -------------------------------------------------------------------------------------
def test_body_keeps_article_and_drops_page_chrome(article):
    assert "rebuild the old sea wall" in article.text
    assert "The council will publish a timetable next month." in article.text
    for chrome in ("Weather", "Ferry timetable", "All rights reserved", "Related"):
        assert chrome not in article.text


def test_title_not_repeated_in_body(article):
    assert not article.text.startswith(article.title)
    assert article.blocks[0].text != article.title


def test_spaces_at_inline_boundaries(article):
    assert "affiliated with the Harbour Trust said after" in article.text
    assert "Residents who live near the quay" in article.text
    assert "the old custom house and closed the market for" in article.text


def test_inline_spacing_cases():
    html = page(
        f"<p>{FILLER} Fighters affiliated with <a href='/k'>Kataib Hezbollah </a>said so.</p>"
        f"<p>{FILLER} The word foo<span>bar</span> stays one word.</p>"
        f"<p>{FILLER}</p><p>one</p><p>two</p><p>{FILLER}</p>")
    art = extract(html, "https://example.test/a")
    assert "affiliated with Kataib Hezbollah said so." in art.text
    assert "foobar stays one word" in art.text
    assert "one\n\ntwo" in art.text


def test_paragraphs_separated_by_one_blank_line(article):
    assert "\n\n\n" not in article.text
    assert article.text.count("\n\n") >= 5
    assert article.text == article.text.strip()


def test_blocks_structure(article):
    kinds = [b.kind for b in article.blocks]
    assert {"paragraph", "heading", "list", "quote", "figure"} <= set(kinds)
    heading = next(b for b in article.blocks if b.kind == "heading")
    assert heading.text == "What the plan includes" and heading.level == 2
    lst = next(b for b in article.blocks if b.kind == "list")
    assert lst.items == ("A new concrete core behind the existing stone face.",
                         "Two flood gates at the slipway and the fish market.")
    assert not lst.ordered and lst.html.startswith("<ul><li>")
    quote = next(b for b in article.blocks if b.kind == "quote")
    assert quote.text == "We have waited long enough, and the sea has not waited for us."
    assert "<em>old custom house</em>" in article.html and "<strong>closed the market</strong>" in article.html


def test_links_absolute_and_marked(article):
    assert ('<a href="https://coastal-ledger.test/tags/harbour-trust" rel="noopener nofollow">'
            in article.html)


# -- images -----------------------------------------------------------------------------------
def test_lead_image_with_caption(article):
    lead = article.lead_image
    assert lead is not None
    assert lead.src.startswith("https://cdn.coastal-ledger.test/img/wall-lead.jpg")
    assert lead.caption == "The sea wall at low tide, photographed in February."
    assert article.images[0] == lead


def test_body_images_with_captions(article):
    srcs = [im.src for im in article.images]
    assert "https://coastal-ledger.test/img/slipway.jpg" in srcs  # lazy-load source, made absolute
    slipway = next(im for im in article.images if im.src.endswith("slipway.jpg"))
    assert slipway.caption == "The slipway where the first gate will stand."
    assert slipway.alt == "Slipway"
    assert len(srcs) == len(set(srcs))
    assert "<figcaption>The slipway where the first gate will stand.</figcaption>" in article.html
    assert "The slipway where the first gate" not in article.text  # captions are not prose


def test_include_images_off():
    art = extract((FIXTURES / "article.html").read_text(encoding="utf-8"), URL,
                  ExtractOptions(include_images=False))
    assert art.images == () and art.lead_image is None
    assert "<img" not in art.html and all(b.kind != "figure" for b in art.blocks)


# -- sanitising -------------------------------------------------------------------------------
def test_hostile_html_is_sanitized(hostile):
    html = hostile.html.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "<style",
                "<iframe", "style=", "target="):
        assert bad not in html, bad
    assert "alert(" not in hostile.text
    assert "this link should lose its address" in hostile.text
    assert '<a href="https://example.test/next" rel="noopener nofollow">next week</a>' in hostile.html
    assert '<img src="https://example.test/pic.jpg" alt="pic">' in hostile.html
    for block in hostile.blocks:
        assert "<script" not in block.html and "javascript:" not in block.html


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("junk", [
    b"", b"\x00\x01\x02\xff\xfe" * 200, "", "just some words, no markup at all",
    "<html><body></body></html>", "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", '{"json": true}',
])
def test_not_an_article_raises(junk):
    with pytest.raises(ExtractionError):
        extract(junk)


@pytest.mark.parametrize("broken", [
    f"<html><body><div><p>{FILLER}<p>{FILLER}<div><span>{FILLER}</div></b></i></body>",
    f"<p>{FILLER}</p></p></div></html></html><p>{FILLER}",
    f"<html><body><table><tr><td><p>{FILLER}<td><p>{FILLER}</table>",
])
def test_malformed_html_does_not_crash(broken):
    art = extract(broken)
    assert "weighing the question" in art.text


def test_unclosed_menu_does_not_take_the_article_with_it():
    # The menu's <nav> is never closed, so the parser nests the rest of the page inside it.
    html = ("<html><head><title>Harbour wall vote</title></head><body>"
            "<nav class='main-navigation'><ul><li><a href='/'>Home</a></li>"
            "<li><a href='/news'>News</a></li></ul>"
            f"<div class='content'><h1>Harbour wall vote</h1><p>{FILLER}</p><p>{FILLER}</p>"
            f"<p>The vote is set for {FILLER.lower()}</p></div></body></html>")
    art = extract(html)
    assert "The vote is set for the council" in art.text
    assert "weighing the question" in art.text


def test_wrong_type_raises():
    with pytest.raises(ExtractionError):
        extract(12345)  # type: ignore[arg-type]


# -- charsets ---------------------------------------------------------------------------------
def test_bytes_with_lying_charset_declaration():
    # The page says latin-1 but the bytes are UTF-8, as servers often get wrong.
    body = f"<p>Le café du théâtre a rouvert ses portes, à la joie des habitués. {FILLER}</p><p>{FILLER}</p>"
    html = page(body).replace("<head>", '<head><meta charset="iso-8859-1">')
    art = extract(html.encode("utf-8"))
    assert "Le café du théâtre a rouvert ses portes, à la joie des habitués." in art.text


def test_bytes_in_windows_1252_declared_as_utf8():
    body = (f"<p>Na\u00efve caf\u00e9 owners \u201cquoted\u201d prices for cr\u00e8me br\u00fbl\u00e9e "
            f"and the p\u00e2tisserie \u2014 the na\u00efvet\u00e9 of it all. {FILLER}</p><p>{FILLER}</p>")
    html = page(body).replace("<head>", '<head><meta charset="utf-8">')
    art = extract(html.encode("cp1252"))
    assert "Na\u00efve caf\u00e9 owners \u201cquoted\u201d prices for cr\u00e8me" in art.text


# -- options ----------------------------------------------------------------------------------
def test_options_are_frozen():
    opts = ExtractOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.fast = True  # type: ignore[misc]


def test_fast_mode_extracts_the_same_body(article):
    fast = extract((FIXTURES / "article.html").read_text(encoding="utf-8"), URL, ExtractOptions(fast=True))
    assert fast.text == article.text


def test_a_post_kept_in_noscript_is_read():
    """Blogger renders a post from a script template and keeps the plain copy in <noscript>:
    that copy is the article. A small <noscript> (a tracking pixel, a lazy image's plain copy)
    still goes."""
    story = [f"{FILLER} Paragraph {n} of the post." for n in range(1, 5)]
    html = page("<div class='post-body'><script type='text/template'>"
                + "".join(f"<p>{p}</p>" for p in story) + "</script><noscript>"
                + "".join(f"<p>{p}</p>" for p in story) + "</noscript></div>"
                "<noscript><img src='/pixel.gif' alt='pixel'></noscript>")
    art = extract(html, "https://example.test/2020/05/post.html")
    assert all(p in art.text for p in story)
    assert art.text.count("Paragraph 1 of the post") == 1
    assert not any("pixel" in (im.src or "") for im in art.images)


def test_images_are_http_addresses_only():
    paragraphs = [f"<p>Paragraph {n} of the harbour report, long enough to be read as the story itself, "
                  "with more words here.</p>" for n in range(6)]
    figures = "".join(f'<figure><img src="{src}" width="800" height="600"><figcaption>{caption}, photographed '
                      'by the harbour master</figcaption></figure>' for src, caption in [
                          ("java&#x09;script:alert(2)", "A script"), ("vbscript:msgbox(3)", "A macro"),
                          ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "Inline data"),
                          ("/images/quay.jpg", "The quay at dawn")])
    page = f"""<html><head><title>Harbour report</title>
    <meta property="og:image" content=" JaVaScRiPt:alert(1)"></head><body><article><h1>Harbour report</h1>
    {"".join(paragraphs[:3])}{figures}{"".join(paragraphs[3:])}</article></body></html>"""
    article = extract(page, "https://example.org/news/harbour")
    assert [image.src for image in article.images] == ["https://example.org/images/quay.jpg"]
    assert article.images[0].caption.startswith("The quay at dawn")
    # Without the page's address, a relative source stays relative; a script is still dropped.
    assert [image.src for image in extract(page).images] == ["/images/quay.jpg"]
