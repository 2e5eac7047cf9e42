"""Leave a Reply: posting, validation, spam guards, moderation, display, and the email kept private."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from newsdesk.site.comments.models import Comment

pytestmark = pytest.mark.django_db

VALID = {"comment": "A thoughtful remark.", "name": "Reader One", "email": "reader.one@example.org", "url": ""}


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the comment form as the page rendered them."""
    form = html[html.index('class="comment-form"'):html.index("</form>", html.index('class="comment-form"'))]
    return {name: unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)}


def post(client, article, query: str = "", **overrides):
    """Open the article page, then send its comment form with ``overrides`` over valid values."""
    url = article.get_absolute_url()
    page = client.get(url + query)
    data = {**form_fields(page.content.decode()), **VALID, **overrides}
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def approved_html(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index('id="comments"'):html.index('id="respond"')]


def test_the_form_has_the_fields_labels_and_notice(client, newsroom):
    html = client.get(newsroom.articles[0].get_absolute_url()).content.decode()
    assert "Leave a Reply" in html
    notice = re.search(r'<p class="comment-notes">(.*?)</p>', html, re.S).group(1)
    assert " ".join(unescape(re.sub(r"<[^>]+>", "", notice)).split()) == \
        "Your email address will not be published. Required fields are marked *"
    for label in ("Comment", "Name", "Email"):
        assert re.search(label + r' <span class="required" aria-hidden="true">\*</span></label>', html)
    assert '<label for="url">Website</label>' in html
    fields = form_fields(html)
    assert fields["stamp"] and fields["parent"] == ""
    assert "csrfmiddlewaretoken" not in fields  # no per-reader token: one cached page serves everyone


def test_a_new_comment_waits_for_moderation_by_default(client, newsroom):
    article = newsroom.articles[0]
    response = post(client, article)
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    comment = Comment.objects.get()
    assert comment.status == Comment.PENDING and comment.email == "reader.one@example.org"
    assert comment.ip_address == "127.0.0.1"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation." in page
    assert "A thoughtful remark." not in page
    # The notice is shown once, to the poster only.
    assert "awaiting moderation" not in client.get(article.get_absolute_url()).content.decode()
    assert "awaiting moderation" not in Client().get(article.get_absolute_url()).content.decode()


def test_approved_comments_show_name_link_date_and_escaped_text(client, newsroom):
    article = newsroom.articles[0]
    post(client, article, url="https://reader.example/", comment="Line one\nsee https://example.com/a?b=1&c=2.\n\n"
                                                               "<script>alert('x')</script> <b>bold</b>")
    comment = Comment.objects.get()
    comment.status = Comment.APPROVED
    comment.save()
    section = approved_html(client, article)
    assert '<a href="https://reader.example/" rel="nofollow ugc noopener">Reader One</a>' in section
    assert f'<time datetime="{comment.created_at.isoformat()}">' in section
    assert "<p>Line one<br>see " in section
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc">https://example.com/a?b=1&amp;c=2</a>.' in section
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in section
    assert "<script>alert" not in section
    assert "1 comment" in section


def test_moderation_setting_publish_and_hold_first(client, newsroom, settings):
    article = newsroom.articles[0]
    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "publish"}
    response = post(client, article, comment="Published at once.")
    comment = Comment.objects.get()
    assert comment.status == Comment.APPROVED and response["Location"].endswith(f"#comment-{comment.pk}")
    assert "Published at once." in approved_html(client, article)

    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "hold-first"}
    post(client, article, comment="Known reader again.")  # reader.one has an approved comment
    post(client, article, comment="First time here.", email="new@example.org", name="Newcomer")
    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses["Known reader again."] == Comment.APPROVED
    assert statuses["First time here."] == Comment.PENDING


def test_replies_go_one_level_deep(client, newsroom, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "publish"}
    article = newsroom.articles[0]
    post(client, article, comment="Top-level comment.")
    top = Comment.objects.get()
    page = client.get(article.get_absolute_url() + f"?replytocom={top.pk}").content.decode()
    assert "Reply to Reader One" in page and form_fields(page)["parent"] == str(top.pk)
    post(client, article, query=f"?replytocom={top.pk}", comment="A reply.", name="Second")
    reply = Comment.objects.get(text="A reply.")
    assert reply.parent == top
    # Replying to the reply joins the same thread instead of nesting deeper.
    post(client, article, parent=str(reply.pk), comment="Reply to a reply.", name="Third")
    deeper = Comment.objects.get(text="Reply to a reply.")
    assert deeper.parent == top
    section = approved_html(client, article)
    thread = section[section.index(f'id="comment-{top.pk}"'):]
    assert thread.index("A reply.") < thread.index("Reply to a reply.")
    assert section.count('class="comment-replies"') == 1


def test_a_reply_to_a_hidden_comment_is_refused_with_the_text_kept(client, newsroom):
    article = newsroom.articles[0]
    post(client, article, comment="Still pending.")
    pending = Comment.objects.get()
    response = post(client, article, parent=str(pending.pk), comment="Replying to nothing visible.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer shown" in html and "Replying to nothing visible." in html
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("email", "", "Please enter your email address."),
    ("email", "not-an-email", "Please enter a valid email address"),
    ("name", "", "Please enter your name."),
    ("name", "   ", "Please enter your name."),
    ("comment", "", "Please type your comment."),
    ("comment", " \n\t \n ", "Please type your comment."),
    ("comment", "\u200b\u200b\u202e", "Please type your comment."),
    ("url", "javascript:alert(1)", "Please enter a web address"),
    ("url", "ftp://files.example/", "starting with http:// or https://"),
    ("comment", "x" * 5001, "Your comment is too long: 5001 characters, at most 5000."),
    ("name", "n" * 101, "Please keep your name under 100 characters."),
    ("comment", "see http://a.example http://b.example and www.c.example", "at most 2 links"),
])
def test_each_invalid_field_gets_its_message_and_keeps_what_was_typed(client, newsroom, field, value, message):
    article = newsroom.articles[0]
    typed = {"comment": "My carefully typed comment & <thoughts>", "name": "Typed Name",
             "email": "typed@example.org", "url": "https://typed.example/"}
    response = post(client, article, **{**typed, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in unescape(html)
    assert 'aria-invalid="true"' in html
    for name, kept in typed.items():
        if name != field:
            assert kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert Comment.objects.count() == 0


def test_a_huge_body_is_refused_without_a_server_error(client, newsroom):
    article = newsroom.articles[0]
    response = post(client, article, comment="word " * 200_000)  # 1 MB
    assert response.status_code == 400 and "Your comment is too long" in response.content.decode()
    too_big = post(client, article, comment="x" * 3_000_000)  # over Django's upload limit
    assert too_big.status_code == 400
    assert Comment.objects.count() == 0


def test_odd_unicode_is_stored_cleanly(client, newsroom, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "publish"}
    article = newsroom.articles[0]
    text = "Cafe\u0301 \u202eevil\u202c \U0001f469\u200d\U0001f52c 日本語 \ufeffend\x07"
    response = post(client, article, comment=text, name="Zoë \u200bX")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.text == "Café evil \U0001f469\u200d\U0001f52c 日本語 end"
    assert comment.name == "Zoë X"
    assert "Café evil" in approved_html(client, article)


def test_a_nul_character_is_refused(client, newsroom):
    response = post(client, newsroom.articles[0], comment="nul\x00here")
    assert response.status_code == 400 and Comment.objects.count() == 0


def test_the_same_comment_twice_is_refused(client, newsroom):
    article = newsroom.articles[0]
    assert post(client, article).status_code == 302
    again = post(client, article, comment="  a THOUGHTFUL   remark. ")
    assert again.status_code == 409
    assert "You have already posted this comment." in again.content.decode()
    assert Comment.objects.count() == 1
    # The same words on another article are a different comment.
    assert post(client, newsroom.articles[1]).status_code == 302


@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "https://elsewhere.example"},
    {"HTTP_ORIGIN": "null"},
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://elsewhere.example"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://sub.testserver"},
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
])
def test_a_post_from_another_site_is_refused(newsroom, headers):
    client = Client(enforce_csrf_checks=True)
    url = newsroom.articles[0].get_absolute_url()
    fields = form_fields(client.get(url).content.decode())
    response = client.post(url, {**VALID, **fields}, **headers)
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "http://testserver"},  # a browser that sends no Sec-Fetch-Site
    {},  # neither: not a browser another site could make post
])
def test_a_post_from_the_sites_own_page_is_accepted_without_a_token(newsroom, headers):
    client = Client(enforce_csrf_checks=True)
    url = newsroom.articles[0].get_absolute_url()
    page = client.get(url)
    assert not page.cookies  # nothing per reader on a public page
    response = client.post(url, {**VALID, **form_fields(page.content.decode())}, **headers)
    assert response.status_code == 302 and Comment.objects.count() == 1


def test_every_reader_gets_the_same_cached_page_and_can_post_from_it(newsroom):
    url = newsroom.articles[0].get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = first.get(url)
    two = second.get(url)  # served from the page cache
    assert one.content == two.content and one["ETag"] == two["ETag"]
    assert "Set-Cookie" not in two and two["Cache-Control"].startswith("public")
    assert second.post(url, {**VALID, **form_fields(two.content.decode())},
                       HTTP_ORIGIN="http://testserver").status_code == 302


def test_honeypot_filled_is_refused(client, newsroom):
    response = post(client, newsroom.articles[0], homepage="http://spam.example/")
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode() and Comment.objects.count() == 0


def test_posting_faster_than_a_person_is_refused_and_a_wait_is_enough(client, newsroom, settings):
    settings.NEWSDESK_COMMENT_LIMITS = {"min_seconds": 1}
    article = newsroom.articles[0]
    fast = post(client, article)
    assert fast.status_code == 400 and "quicker than anyone can read" in fast.content.decode()
    assert "A thoughtful remark." in fast.content.decode()
    fields = form_fields(fast.content.decode())  # the form shown again carries a fresh stamp
    time.sleep(1.1)
    assert client.post(article.get_absolute_url(), {**fields, **VALID}).status_code == 302


@pytest.mark.parametrize("stamp", [None, "", "forged", "comment-form:1aBcDe:forgedsignature"])
def test_missing_or_forged_form_stamp_is_refused(client, newsroom, stamp):
    response = post(client, newsroom.articles[0], stamp=stamp)
    assert response.status_code == 400 and "This form had expired" in response.content.decode()
    assert Comment.objects.count() == 0


def test_too_many_comments_from_one_address_are_refused(client, newsroom, settings):
    settings.NEWSDESK_COMMENT_LIMITS = {"min_seconds": 0, "rate_count": 3, "rate_seconds": 600}
    article = newsroom.articles[0]
    for n in range(3):
        assert post(client, article, comment=f"Comment {n}").status_code == 302
    limited = post(client, article, comment="One too many")
    assert limited.status_code == 429 and "One too many" in limited.content.decode()
    assert Comment.objects.count() == 3
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert post(other, article, comment="From elsewhere").status_code == 302


def test_unsupported_methods_are_refused(client, newsroom):
    url = newsroom.articles[0].get_absolute_url()
    assert client.put(url).status_code == 405 and client.delete(url).status_code == 405


def test_posting_to_an_unknown_article_is_404(client, newsroom):
    fields = form_fields(client.get(newsroom.articles[0].get_absolute_url()).content.decode())
    assert client.post("/2026/01/01/nothing-999999/", {**VALID, **fields}).status_code == 404
    assert Comment.objects.count() == 0


def public_urls(client, start: list[str], limit: int = 400) -> dict[str, bytes]:
    """Every same-site page reachable from ``start`` (links in pages, feeds and sitemaps)."""
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.content
        if response.status_code != 200:
            continue
        body = response.content.decode("utf-8", "replace")
        for link in re.findall(r'(?:href="|<loc>|"url":\s*")([^"<]+)', body):
            target = urlsplit(urljoin("http://testserver" + url, unescape(link)))
            if target.netloc == "testserver" and not target.path.startswith(("/static/", "/admin/")):
                path = target.path + (f"?{target.query}" if target.query else "")
                if path not in seen:
                    queue.append(path)
    return seen


def test_no_public_url_ever_shows_a_commenters_email(client, newsroom, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "publish"}
    article = newsroom.articles[0]
    post(client, article, comment="Approved and public.", email="hidden.one@secret-mail.example",
         url="https://visible.example/")
    top = Comment.objects.get()
    post(client, article, query=f"?replytocom={top.pk}", comment="A public reply.",
         email="hidden.two@secret-mail.example", name="Replier")
    settings.NEWSDESK = {**settings.NEWSDESK, "COMMENT_MODERATION": "hold-all"}
    post(client, article, comment="Pending one.", email="hidden.three@secret-mail.example", name="Waiting")
    assert Comment.objects.filter(email__endswith="@secret-mail.example").count() == 3

    start = ["/", "/robots.txt", "/sitemap.xml", "/feed/", "/feed/atom/", "/feed.json",
             "/search/?q=approved+public", "/search/?q=hidden+secret", "/search/?q=remark",
             article.get_absolute_url(), article.get_absolute_url() + f"?replytocom={top.pk}"]
    pages = public_urls(Client(), start)
    assert len(pages) > 60
    assert b"Approved and public." in pages[article.get_absolute_url()]
    for url, body in pages.items():
        for needle in (b"secret-mail", b"hidden.one", b"hidden.two", b"hidden.three"):
            assert needle not in body, (url, needle)


def test_the_poster_sees_their_message_and_other_readers_the_shared_page(client, newsroom):
    article = newsroom.articles[0]
    Client().get(article.get_absolute_url())  # cached by another reader's view
    response = post(client, article)
    own = client.get(response["Location"])
    assert "Your comment is awaiting moderation." in own.content.decode()
    assert own["Cache-Control"].startswith("private")
    other = Client().get(article.get_absolute_url())
    assert "awaiting moderation" not in other.content.decode() and other["Cache-Control"].startswith("public")
