"""Comments as the article page renders them: a website is linked only when it is http(s), whatever
the database holds, since a row may come from an import or an older version that checked less."""

from __future__ import annotations

import re
from html import unescape

import pytest

from newsdesk.site.comments.models import Comment

pytestmark = pytest.mark.django_db

NOT_LINKED = ["javascript:alert(1)", " JaVaScRiPt:alert(2)", "java\tscript:alert(3)", "java\nscript:alert(4)",
              "\x01javascript:alert(5)", "data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==",
              "vbscript:msgbox(7)", "//elsewhere.example/", "https:alert(9)", "reader.example"]


def stored(article, n: int, website: str) -> Comment:
    """An approved comment written straight to the database, past the form's checks."""
    return Comment.objects.create(article=article, name=f"Reader {n}", email=f"reader{n}@mail.example",
                                  website=website, text=f"Comment number {n}.", status=Comment.APPROVED,
                                  fingerprint=f"render-{n}")


def author_markup(html: str, comment: Comment) -> str:
    block = re.search(rf'<li id="comment-{comment.pk}".*?<b class="comment-author">(.*?)</b>', html, re.S)
    assert block, comment.pk
    return block.group(1)


def test_a_website_that_is_not_http_renders_as_the_name_alone(client, newsroom):
    article = newsroom.articles[0]
    comments = [stored(article, n, website) for n, website in enumerate(NOT_LINKED)]
    html = client.get(article.get_absolute_url()).content.decode()
    for comment in comments:
        assert author_markup(html, comment) == comment.name, comment.website
    section = unescape(html[html.index('id="comments"'):html.index('id="respond"')])
    for scheme in ("javascript:", "vbscript:", "data:", "elsewhere.example"):
        assert scheme not in section.lower().replace("\t", "").replace("\n", "")


def test_an_http_website_stays_a_link_with_its_quotes_escaped(client, newsroom):
    article = newsroom.articles[0]
    plain = stored(article, 1, "http://reader.example/blog")
    spaced = stored(article, 2, "  https://reader.example/b  ")
    quoted = stored(article, 3, 'https://reader.example/"onmouseover="alert(1)')
    html = client.get(article.get_absolute_url()).content.decode()
    assert author_markup(html, plain) == \
        '<a href="http://reader.example/blog" rel="nofollow ugc noopener">Reader 1</a>'
    assert author_markup(html, spaced) == \
        '<a href="https://reader.example/b" rel="nofollow ugc noopener">Reader 2</a>'
    assert author_markup(html, quoted) == \
        '<a href="https://reader.example/&quot;onmouseover=&quot;alert(1)" rel="nofollow ugc noopener">Reader 3</a>'


def test_a_lead_image_that_is_not_http_is_left_out_of_the_page_and_its_data(client, newsroom):
    article = newsroom.articles[0]
    article.lead_image_url = "javascript:alert(1)"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "javascript:" not in html
    assert 'class="lead-image"' not in html and 'property="og:image"' not in html and '"image":' not in html
    home = client.get("/").content.decode()
    assert "javascript:" not in home and newsroom.articles[1].lead_image_url in home
