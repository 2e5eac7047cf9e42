"""A reader's visit in a real browser, on the demo outlets' articles fetched through the ingest layer:
home, a story, its breadcrumb, Source link and Check Also, a comment refused then held, approved
by an editor in the admin, then published, and never an email in the page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from newsdesk.demo import DemoServer
from newsdesk.ingest.demo import populate
from newsdesk.site.articles.models import Article
from newsdesk.site.articles.tree import CategoryTree
from newsdesk.site.comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "browser.reader@mail.example"
COMMENT = "Thanks for this report.\nThe ferry timetable matters to all of us on the island."
# Longer than the one second the browser settings ask readers to wait before posting.
READING_TIME_MS = 1300


@pytest.fixture
def demo_site(fetcher):
    """The demo outlets served on 127.0.0.1, followed and fetched once into the database."""
    with DemoServer(host="127.0.0.1", port=0) as server:
        results = populate(server, fetcher)
        assert any(result.new for result in results), [result.error for result in results]
        yield server


def test_a_reader_visit_from_home_to_a_published_comment(live_server, browser, demo_site, artifacts):
    reader = browser.new_context(viewport={"width": 1280, "height": 900})
    page = reader.new_page()
    policy_errors: list[str] = []
    page.on("console", lambda message: policy_errors.append(message.text)
            if "Content Security Policy" in message.text else None)

    # Home: open the first top story.
    page.goto(f"{live_server.url}/")
    assert page.locator("h2", has_text="Top stories").is_visible()
    story = page.locator(".top-stories .card-title a").first
    title = story.inner_text()
    story.click()
    page.wait_for_load_state()
    article = Article.objects.select_related("category").get(pk=int(re.search(r"-(\d+)/$", page.url).group(1)))
    assert page.locator("h1").inner_text() == title == article.title

    # Breadcrumb: Home / <Category path> / <Title>.
    crumbs = [c.strip() for c in page.locator("nav.breadcrumbs li").all_inner_texts()]
    tree = CategoryTree.load()
    expected = [c.name for c in tree.path(tree.by_id[article.category_id])]
    assert crumbs == ["Home", *expected, title] and len(crumbs) >= 3

    # Source link: the outlet's own article, on the demo outlet's address.
    source_link = page.get_by_role("link", name="Source link")
    assert source_link.get_attribute("href") == article.canonical_url
    assert "noopener" in source_link.get_attribute("rel")
    outlet_hosts = {urlsplit(base_url).netloc for _, base_url, _ in demo_site.outlets}
    assert urlsplit(article.canonical_url).netloc in outlet_hosts
    assert page.locator('link[rel="canonical"]').get_attribute("href") == article.canonical_url

    # Check Also: other articles, never this one.
    related = page.locator(".check-also .related-title a")
    assert 1 <= related.count() <= 4
    hrefs = related.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert urlsplit(page.url).path not in hrefs and len(set(hrefs)) == len(hrefs)

    # A comment without an email is refused, with the text kept.
    page.fill("#comment", COMMENT)
    page.fill("#author", "Browser Reader")
    page.wait_for_timeout(READING_TIME_MS)
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_load_state()
    assert page.locator("#email-error").inner_text() == "Please enter your email address."
    assert page.input_value("#comment") == COMMENT and page.input_value("#author") == "Browser Reader"
    assert Comment.objects.count() == 0

    # With the email it is accepted and held for moderation: nothing public yet.
    page.fill("#email", EMAIL)
    page.wait_for_timeout(READING_TIME_MS)
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your comment is awaiting moderation.").is_visible()
    assert page.locator(".comment-text").count() == 0
    assert Comment.objects.get().status == Comment.PENDING

    # An editor approves it in the admin.
    User.objects.create_superuser("editor", "editor@newsroom.example", "a-long-editor-password")
    editor = browser.new_context().new_page()
    editor.goto(f"{live_server.url}/admin/login/?next=/admin/comments/comment/")
    editor.fill("#id_username", "editor")
    editor.fill("#id_password", "a-long-editor-password")
    editor.locator("input[type=submit]").click()
    editor.wait_for_load_state()
    assert "1 awaiting moderation" in editor.content()
    editor.get_by_role("link", name=re.compile(r"Pending \(1\)")).click()
    editor.locator("input.action-select").first.check()
    editor.select_option("select[name=action]", "approve")
    editor.get_by_role("button", name="Go").click()
    editor.wait_for_load_state()
    assert "1 comment(s) approved." in editor.content()

    # Published, with the reader's name, and the page's source holds no email.
    page.goto(page.url.split("#")[0])
    published = page.locator(".comment-list .comment").first
    assert "Browser Reader" in published.locator(".comment-author").inner_text()
    assert published.locator(".comment-text").inner_text().startswith("Thanks for this report.")
    assert EMAIL not in page.content() and "mail.example" not in page.content()
    assert policy_errors == []
    page.screenshot(path=str(artifacts / "article.png"), full_page=True)


def test_an_agency_story_carried_by_other_outlets_shows_once_and_names_them(live_server, browser, demo_site,
                                                                            artifacts):
    wire = Article.objects.get(title__startswith="Corvane Systems agrees")
    carried = Article.objects.get(title__startswith="Chicago's Corvane to buy")
    assert carried.is_copy and carried.copy_group == wire.copy_group and not wire.is_copy
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # The latest news lists the agency's article and not the member paper's copy of it.
    titles = []
    for number in (1, 2, 3):
        page.goto(f"{live_server.url}/latest/?page={number}")
        titles += page.locator(".card-title a").all_inner_texts()
    assert wire.title in titles and carried.title not in titles
    assert len(titles) == Article.objects.filter(is_copy=False).count()

    # Its page names the other outlet that published the text; that copy's page names it back.
    page.goto(f"{live_server.url}{wire.get_absolute_url()}")
    box = page.locator("section.also-published")
    assert box.locator("h2").inner_text() == "Also published by"
    assert box.locator("a.outlet").all_inner_texts() == ["Kestrel Valley Courier"]
    box.locator("a.outlet").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == carried.get_absolute_url()
    assert page.locator("h1").inner_text() == carried.title
    back = page.locator("section.also-published li")
    assert back.count() == 1 and "Meridian Wire" in back.inner_text() and "(main copy)" in back.inner_text()
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == f"{live_server.url}{wire.get_absolute_url()}"
    assert page.get_by_role("link", name="Source link").get_attribute("href") == carried.canonical_url
    page.screenshot(path=str(artifacts / "copy-page.png"), full_page=True)
