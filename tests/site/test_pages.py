"""The public pages: home, latest, categories, outlets and the article page, on the real database."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from django.utils.text import slugify

from newsdesk.site.articles.models import Article, Banner, Category
from tests.site.conftest import build_article

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def breadcrumb(html: str) -> str:
    """The breadcrumb trail's text, crumbs separated by spaces."""
    return text_of(re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1))


def jsonld(html: str) -> list[dict]:
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_home_shows_top_stories_then_each_top_level_category(client, newsroom):
    html = client.get("/").content.decode()
    newest = newsroom.articles[0]
    assert html.index("Top stories") < html.index(newest.title) < html.index('id="section-news"')
    sections = re.findall(r'<h2 id="section-([\w-]+)"', html)
    assert sections == ["news", "sport", "business", "science"]  # World is inside News
    news_section = html[html.index('id="section-news"'):html.index('id="section-sport"')]
    assert "Ferry report" in news_section  # World's articles count under News
    assert html.count("<h1") == 1
    assert 'href="/latest/"' in html and 'href="/category/news/"' in html


def test_top_stories_lead_with_the_widest_covered_story_of_the_last_two_days(client, newsroom):
    from newsdesk.site.articles.models import Story

    def story_of(articles) -> None:
        story = Story.objects.create(title=articles[0].title, article_count=len(articles))
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(story=story)

    # Three outlets on one event, eight to fourteen hours ago...
    wide = [newsroom.article("Storm report 8"), newsroom.article("Market report 10"),
            newsroom.article("Storm report 14")]
    story_of(wide)
    # ...and a story five outlets covered three days ago: too old to lead.
    story_of([build_article(newsroom.sources[slug], newsroom.categories["world"], f"Old ferry news {n}", "ferry",
                            500 + n, timezone.now() - timedelta(days=3, hours=n))
              for n, slug in enumerate(["gazette", "courier", "ledger", "gazette", "courier"])])

    html = client.get("/").content.decode()
    top = html[html.index('class="top-stories"'):html.index("</section>", html.index('class="top-stories"'))]
    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', top)
    assert len(titles) == 5
    assert titles[0] == wide[0].title  # the newest report of the widest recent story leads
    assert not set(titles) & {a.title for a in wide[1:]}  # one report per story
    assert titles[1:] == [a.title for a in newsroom.articles[:4]]  # then the newest
    assert "Old ferry news" not in top


def test_top_stories_count_from_the_newest_article_when_fetching_paused(client, db):
    from newsdesk.site.articles.models import Story
    from tests.site.conftest import build_newsroom

    room = build_newsroom(count=12, now=timezone.now() - timedelta(days=5))  # nothing new for days
    story = Story.objects.create(title=room.articles[6].title, article_count=3)
    Article.objects.filter(pk__in=[a.pk for a in room.articles[6:9]]).update(story=story)
    html = client.get("/").content.decode()
    top = html[html.index('class="top-stories"'):html.index("</section>", html.index('class="top-stories"'))]
    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', top)
    assert titles[0] == room.articles[6].title and titles[1:] == [a.title for a in room.articles[:4]]


def test_home_without_articles_says_how_to_add_some(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles yet" in response.content.decode()


def test_latest_paginates_with_more_links(client, newsroom):
    first = client.get("/latest/").content.decode()
    assert newsroom.articles[0].title in first and newsroom.articles[25].title not in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get("/latest/?page=2").content.decode()
    assert newsroom.articles[25].title in second and 'rel="prev"' in second


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "99999999999", "%00", "1e3", " 1"])
def test_bad_or_missing_page_numbers_are_404(client, newsroom, page):
    for url in ("/latest/", "/category/news/", "/source/gazette/"):
        assert client.get(url, {"page": page}).status_code == 404


def test_category_includes_its_subcategories_and_shows_the_tree(client, newsroom):
    html = client.get("/category/news/").content.decode()
    assert "Ferry report" in html and "Budget report" in html and "Football report" not in html
    assert '<a href="/category/world/">World</a>' in html  # subsections
    world = client.get("/category/world/").content.decode()
    assert breadcrumb(world) == "Home News World"
    assert "Budget report" not in world


def test_outlet_page_lists_only_that_outlet(client, newsroom):
    html = client.get("/source/courier/").content.decode()
    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)
    expected = [a.title for a in newsroom.articles if a.source.slug == "courier"]
    assert titles == expected[:len(titles)] and len(titles) == min(20, len(expected))
    assert "Valley Courier" in html


@pytest.mark.parametrize("url", ["/category/nope/", "/source/nope/", "/category/n%C3%B6pe/", "/2026/02/30/x-1/",
                                 "/2026/13/01/x-1/", "/0000/01/01/x-1/", "/2026/01/01/x-999999999/",
                                 "/2026/01/01/x-99999999999999999/", "/category/", "/no/such/page/"])
def test_unknown_slugs_dates_and_ids_are_themed_404s(client, newsroom, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="site-header"' in html and 'role="search"' in html


def test_article_page_has_everything_a_reader_and_a_crawler_need(client, newsroom):
    article = newsroom.article("Ferry report 6")
    url = article.get_absolute_url()
    assert re.fullmatch(r"/\d{4}/\d{2}/\d{2}/ferry-report-6-[\w-]+-\d+/", url)
    html = client.get(url).content.decode()
    # Breadcrumb trail Home / News / World / Title, visible and as JSON-LD.
    assert breadcrumb(html) == f"Home News World {article.title}"
    assert re.search(r'<h1 id="story-title">' + re.escape(article.title) + "</h1>", html)
    assert 'By Ada Reporter' in html and 'href="/source/gazette/">Harbour Gazette</a>' in html
    assert f'<time datetime="{article.published_at.isoformat()}">' in html
    assert article.published_at.strftime("%-d %B %Y") in html
    assert f'<img src="{article.lead_image_url}" alt=' in html and "<figcaption>Picture 6</figcaption>" in html
    assert article.text.split("\n\n")[1] in html
    assert f'<a href="{article.canonical_url}" rel="noopener">Source link</a>' in html
    assert f'<link rel="canonical" href="{article.canonical_url}">' in html
    assert f'<meta property="og:title" content="{article.title}">' in html
    assert '<meta property="og:type" content="article">' in html
    news, crumbs = jsonld(html)
    assert news["@type"] == "NewsArticle" and news["headline"] == article.title
    assert news["isBasedOn"] == article.canonical_url and news["author"] == [{"@type": "Person", "name": "Ada Reporter"}]
    assert news["datePublished"] == article.published_at.isoformat()
    assert crumbs["@type"] == "BreadcrumbList"
    assert [item["name"] for item in crumbs["itemListElement"]] == ["Home", "News", "World", article.title]
    assert crumbs["itemListElement"][-1]["item"].endswith(url)


def test_article_without_date_category_or_image_still_renders(client, newsroom):
    bare = build_article(newsroom.sources["ledger"], None, "A bare article", "market", 900, None,
                         lead_image_url="", authors=[], html="")
    html = client.get(bare.get_absolute_url()).content.decode()
    assert breadcrumb(html) == "Home A bare article"
    assert "<figure" not in html.split('class="story-body"')[0]
    assert "<p>" + bare.text.split("\n\n")[0] in html  # plain text shown when there is no HTML
    assert f'datetime="{bare.fetched_at.isoformat()}"' in html


def test_an_old_address_redirects_to_the_current_one(client, newsroom):
    article = newsroom.articles[3]
    wrong = f"/2001/01/01/old-title-{article.pk}/"
    response = client.get(wrong)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_unpublished_articles_are_gone_everywhere(client, newsroom):
    article = newsroom.articles[0]
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    article.is_published = False
    article.save()
    assert client.get(url).status_code == 404
    for page in ("/", "/latest/", "/category/world/", "/source/gazette/", "/feed/", "/sitemap-articles.xml"):
        assert article.title not in client.get(page).content.decode(), page


def test_check_also_lists_similar_articles_never_itself_nor_a_story_twice(client, newsroom):
    article = newsroom.article("Ferry report 6")
    # The same story again from another outlet: near-identical title and text.
    copy = build_article(newsroom.sources["courier"], newsroom.categories["world"], article.title + "!",
                         "ferry", 6, article.published_at - timedelta(minutes=5),
                         canonical_url="https://courier.example/copy", url="https://courier.example/copy",
                         content_hash="other-hash")
    html = client.get(article.get_absolute_url()).content.decode()
    aside = html[html.index('class="check-also"'):html.index("</aside>")]
    links = re.findall(r'<h3 class="related-title"><a href="([^"]+)">([^<]+)</a>', aside)
    assert 1 <= len(links) <= 4
    titles = [title for _, title in links]
    assert article.get_absolute_url() not in [href for href, _ in links]
    assert copy.title not in titles and article.title not in titles
    assert titles[0].startswith("Ferry report")  # similar text ranks first
    excerpts = re.findall(r'<p class="related-excerpt">([^<]+)</p>', aside)
    assert len(excerpts) == len(links) and all(e.endswith("…") and not e.endswith(" …") for e in excerpts)
    assert "Harbour Gazette" in aside and "<time datetime=" in aside


def test_story_lists_the_other_outlets_that_covered_it(client, newsroom, django_assert_max_num_queries):
    from newsdesk.site.articles import related
    from newsdesk.site.articles.models import Story
    from tests.site.test_pages_speed import BUDGET

    article = newsroom.article("Ferry report 6")
    other = build_article(newsroom.sources["courier"], newsroom.categories["world"], "Courier on the ferry",
                          "ferry", 7001, article.published_at - timedelta(hours=1))
    hidden = build_article(newsroom.sources["ledger"], newsroom.categories["world"], "Ledger on the ferry",
                           "ferry", 7002, article.published_at - timedelta(hours=2))
    hidden.is_published = False
    hidden.save()
    story = Story.objects.create(title=article.title, article_count=3)
    Article.objects.filter(pk__in=[article.pk, other.pk, hidden.pk]).update(story=story)
    related.choose(article.pk)  # as the stage after storing does

    with django_assert_max_num_queries(BUDGET["article"]):
        html = client.get(article.get_absolute_url()).content.decode()
    box = html[html.index('class="coverage"'):html.index("</section>", html.index('class="coverage"'))]
    assert "Also covered by" in box
    assert f'href="{other.get_absolute_url()}">{other.source.name}</a>: {other.title}' in box
    assert hidden.title not in box and article.get_absolute_url() not in box

    alone = newsroom.article("Ferry report 12")
    assert 'class="coverage"' not in client.get(alone.get_absolute_url()).content.decode()


def test_check_also_falls_back_to_the_same_category(client, newsroom):
    odd = build_article(newsroom.sources["ledger"], newsroom.categories["science"], "Zyxwv qrstu",
                        "science", 950, timezone.now(), text="Zyxwv qrstu plonk.", html="<p>Zyxwv qrstu plonk.</p>")
    html = client.get(odd.get_absolute_url()).content.decode()
    aside = html[html.index('class="check-also"'):html.index("</aside>")]
    titles = re.findall(r'<h3 class="related-title"><a href="[^"]+">([^<]+)</a>', aside)
    assert len(titles) == 4 and all(t.startswith("Science report") for t in titles)


def test_check_also_on_a_site_with_one_article_is_left_out(client, db):
    lonely = Category.objects.create(name="News", slug="news")
    from newsdesk.site.sources.models import Source

    source = Source.objects.create(name="Only", slug="only", homepage="https://only.example/")
    article = build_article(source, lonely, "The only article", "storm", 1, timezone.now())
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "Check Also" not in response.content.decode()


def test_banner_is_off_by_default_and_shows_when_enabled(client, newsroom):
    assert 'class="banner"' not in client.get("/").content.decode()
    banner = Banner.objects.create(text="Read our election guide", link="https://example.org/guide",
                                   label="Announcement")
    assert 'class="banner"' not in client.get("/").content.decode()  # still disabled
    banner.enabled = True
    banner.save()
    html = client.get("/").content.decode()
    assert html.index('class="banner"') < html.index('class="site-header"')
    assert '<a href="https://example.org/guide" rel="sponsored noopener">Read our election guide</a>' in html


def test_site_name_and_tagline_come_from_settings(client, newsroom, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "SITE_NAME": "The Daily <Test>", "SITE_TAGLINE": "All the tests"}
    html = client.get("/").content.decode()
    assert '<span class="brand-name">The Daily &lt;Test&gt;</span>' in html
    assert "All the tests" in html and "<title>The Daily &lt;Test&gt;</title>" in html


def test_pages_are_accessible_by_structure(client, newsroom):
    urls = ["/", "/latest/", "/category/news/", "/source/gazette/", newsroom.articles[2].get_absolute_url(),
            "/search/?q=ferry"]
    for url in urls:
        html = client.get(url).content.decode()
        assert '<html lang="' in html and 'class="skip-link" href="#main"' in html
        assert '<main id="main"' in html and "<header" in html and "<footer" in html and "<nav" in html
        assert html.count("<h1") == 1, url
        levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (url, levels)  # no skipped level
        for img in re.findall(r"<img[^>]*>", html):
            assert " alt=" in img, img
        for field_id in re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{field_id}"' in html, (url, field_id)


def test_server_error_page_is_themed_and_reads_no_database(client, newsroom, settings, django_assert_num_queries):
    from django.test import RequestFactory

    from newsdesk.site.views.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in html and 'class="site-header"' in html


def test_article_html_is_rendered_only_after_cleaning(client, newsroom):
    article = newsroom.articles[1]
    Article.objects.filter(pk=article.pk).update(
        html='<p onclick="steal()">Body<script>alert(1)</script><img src="x" onerror="bad()">'
             '<a href="javascript:evil()">link</a><iframe src="https://evil.example/"></iframe></p>')
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="story-body"'):html.index('class="source-link"')]
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe"):
        assert bad not in body
    assert "Body" in body


def test_category_and_layout_addresses_are_the_ones_the_routes_reverse(newsroom, client):
    from django.template import Context, Template
    from django.urls import reverse

    from newsdesk.site.context_processors import LAYOUT_LINKS, layout_links

    for category in newsroom.categories.values():
        assert category.get_absolute_url() == reverse("category", args=[category.slug])
    assert layout_links() == {name.replace("-", "_"): reverse(name) for name in LAYOUT_LINKS}
    page = client.get("/").content.decode()
    for name in ("feed", "feed-atom", "feed-json", "sitemap", "latest", "map", "search"):
        assert f'href="{reverse(name)}"' in page or f'action="{reverse(name)}"' in page, name
    assert f'href="{reverse("category", args=["sport"])}"' in page
    # isodate writes what Django's date:'c' writes, in the site's time zone.
    article = newsroom.articles[0]
    both = Template("{% load news %}{{ d|date:'c' }}|{{ d|isodate }}|{{ none|isodate }}").render(
        Context({"d": article.published_at, "none": None}))
    django_form, ours, empty = both.split("|")
    assert ours == django_form and empty == "" and "T" in ours


def test_article_addresses_are_the_ones_the_route_reverses(newsroom):
    from django.urls import reverse
    from django.utils import timezone as tz

    odd = newsroom.articles[1]
    Article.objects.filter(pk=odd.pk).update(slug="Ünïcode Title! ")  # written some other way
    odd.refresh_from_db()
    for article in [*newsroom.articles[:3], odd]:
        day = tz.localtime(article.date)
        expected = reverse("article", kwargs={"year": f"{day.year:04d}", "month": f"{day.month:02d}",
                                              "day": f"{day.day:02d}", "slug": slugify(article.slug) or "article",
                                              "pk": article.pk})
        assert article.get_absolute_url() == expected
