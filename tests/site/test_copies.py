"""Copies of one text shown once: detection at store time on a real database, every listing,
search, feed and sitemap, the copies' pages, and what editors decide."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsdesk.demo import DemoServer, render_article_page
from newsdesk.ingest import copies
from newsdesk.ingest.demo import populate
from newsdesk.site.articles.models import Article, CopyKey
from newsdesk.site.sources.models import Source
from tests.site.conftest import build_article, paragraphs

pytestmark = pytest.mark.django_db(transaction=True)

WIRE = ("meridian-wire", "qubitra-error-corrected-quantum-chip-singapore")
OUTLETS = ("https://portside.example", "https://inland.example", "https://hilltop.example")
EXTRA = ("<p>The Hilltop Times adds that the Merlion chip was shown to local engineers at a trade fair "
         "last spring, where its makers took questions from the region's own start-ups.</p>")


def ingest(tmp_path, name: str, html: str, url: str) -> str:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    out = io.StringIO()
    call_command("ingest", str(page), "--url", url, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def wire_copies(tmp_path):
    """One agency page saved from three outlets, and a near-copy with a paragraph more."""
    page = render_article_page(*WIRE)
    for n, outlet in enumerate(OUTLETS):
        assert "1 new" in ingest(tmp_path, f"copy{n}", page, f"{outlet}/tech/2026/qubitra-chip-{n}")
    near = render_article_page(*WIRE, extra_body_blocks_html=[EXTRA])
    assert "1 new" in ingest(tmp_path, "near", near, "https://fourth.example/news/qubitra")
    return list(Article.objects.order_by("pk"))


def times(html: str, needle: str) -> int:
    return html.count(needle)


def test_one_text_from_three_outlets_and_a_near_copy_is_shown_once(client, wire_copies):
    first, *others = wire_copies
    assert Source.objects.count() == 4 and len({a.source_id for a in wire_copies}) == 4
    assert heads(wire_copies) == [None, first.pk, first.pk, first.pk]
    link = first.get_absolute_url()

    def shown(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    home, latest = shown("/"), shown("/latest/")
    for html in (home, latest):
        # One card, whichever headline each copy carries.
        assert times(html, link) >= 1
        assert not any(a.get_absolute_url() in html for a in others)
    found = shown("/search/?q=Merlion+qubit")
    assert times(found, 'class="search-result') == 1 or len(re.findall(r"/\d{4}/\d\d/\d\d/[^\"]+-\d+/", found)) == 1
    assert link in found and not any(a.get_absolute_url() in found for a in others)
    for feed in ("/feed/", "/feed/atom/", "/feed.json"):
        body = shown(feed)
        assert times(body, link) >= 1 and not any(a.get_absolute_url() in body for a in others), feed
    items = json.loads(shown("/feed.json"))["items"]
    assert len([i for i in items if "Qubitra" in i["title"]]) == 1
    sitemap = shown("/sitemap-articles.xml") + shown("/sitemap-news.xml")
    assert link in sitemap and not any(a.get_absolute_url() in sitemap for a in others)
    # Each outlet's own page still lists the copy it published.
    for article in wire_copies:
        assert article.get_absolute_url() in shown(f"/source/{article.source.slug}/")


def test_each_copy_keeps_its_page_and_names_the_others(client, wire_copies):
    first, *others = wire_copies
    for article in wire_copies:
        html = client.get(article.get_absolute_url()).content.decode()
        box = html[html.index('class="also-published"'):]
        box = box[:box.index("</section>")]
        assert "Also published by" in box
        mates = [a for a in wire_copies if a.pk != article.pk]
        for mate in mates:
            assert f'href="{mate.get_absolute_url()}">{mate.source.name}</a>' in box
        assert article.get_absolute_url() not in box
        assert f'<a href="{article.canonical_url}" rel="noopener">Source link</a>' in html
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
        if article == first:
            assert canonical == first.canonical_url
            assert "(main copy)" not in box
        else:
            assert canonical == f"http://testserver{first.get_absolute_url()}"
            assert "(main copy)" in box


def test_the_demo_copies_are_found_and_reports_in_other_words_are_all_shown(client, fetcher):
    with DemoServer(host="127.0.0.1", port=0) as server:
        populate(server, fetcher)
        demo = {server.article_url(o.slug, a.slug): (o, a) for o, _, _ in server.outlets for a in o.articles}
        originals = {f"{o.slug}/{a.slug}": url for url, (o, a) in demo.items()}
    by_url = {a.canonical_url: a for a in Article.objects.select_related("source")}
    assert set(by_url) == set(demo)
    for article in by_url.values():
        article.shown = Article.objects.get(pk=copies.shown_in_group(article.copy_group)) if article.is_copy else None
    found = {(a.canonical_url, a.shown.canonical_url) for a in by_url.values() if a.is_copy}
    expected = {(url, originals[article.copy_of]) for url, (_, article) in demo.items() if article.copy_of}
    assert found == expected and len(expected) == 3
    # The agency's own article is shown, though the Courier's copy of it is dated five minutes
    # earlier: its byline credits Meridian Wire.
    courier = next(a for a in by_url.values() if a.is_copy and "Corvane" in a.title)
    assert courier.source.name == "Kestrel Valley Courier"
    assert courier.date < courier.shown.date and courier.shown.source.name == "Meridian Wire"
    assert courier.credited_source.name == "Meridian Wire"
    # Each story told in different words lists every other outlet's report.
    reports = defaultdict(set)
    for url, (_, article) in demo.items():
        if article.story and not article.copy_of:
            reports[article.story].add(by_url[url].pk)
    for story, ids in reports.items():
        assert len({by_url_pk.story_id for by_url_pk in Article.objects.filter(pk__in=ids)}) == 1, story
        for pk in ids:
            article = Article.objects.get(pk=pk)
            html = client.get(article.get_absolute_url()).content.decode()
            for other in Article.objects.filter(pk__in=ids - {pk}):
                assert other.get_absolute_url() in html, (story, article.title, other.title)
    latest = "".join(client.get(f"/latest/?page={n}").content.decode() for n in (1, 2, 3))
    for article in by_url.values():
        assert (article.get_absolute_url() in latest) == (not article.is_copy), article.title


def copy_articles(count: int, start: int = 0, source_names=("Gazette", "Courier", "Ledger", "Tribune")) -> list[Article]:
    """``count`` articles of one text (each with a sentence of its own), an hour apart, oldest first,
    each from its own outlet, detected as stored; ``start`` numbers the first."""
    text = "\n\n".join(paragraphs("ferry", 4242, count=6))
    now = timezone.now()
    made = []
    for n in range(start, start + count):
        source, _ = Source.objects.get_or_create(name=source_names[n % len(source_names)],
                                                 defaults={"homepage": f"https://s{n}.example/"})
        article = build_article(source, None, f"Ferry copy {n}", "ferry", 9000 + n, now - timedelta(hours=10 - n),
                                text=f"{text}\n\nCopy {n} ends here.")
        copies.detect_copy(article.pk)
        made.append(article)
    return made


def heads(articles) -> list[int | None]:
    """For each article (in id order), the article shown for it when it is a copy, else None."""
    rows = Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk").values_list("copy_group", "is_copy")
    return [copies.shown_in_group(group) if is_copy else None for group, is_copy in rows]


def test_detection_is_idempotent_and_indexes_every_text(db):
    a, b, c = copy_articles(3)
    assert heads([a, b, c]) == [None, a.pk, a.pk]
    keys = CopyKey.objects.count()
    assert keys == 3 * len(set(CopyKey.objects.filter(article=a).values_list("key", flat=True)))
    for article in (a, b, c):
        copies.detect_copy(article.pk)
    assert heads([a, b, c]) == [None, a.pk, a.pk] and CopyKey.objects.count() == keys
    # A copy rewritten into another text leaves its group; one too short to tell has no keys.
    Article.objects.filter(pk=c.pk).update(text="\n\n".join(paragraphs("football", 77, count=6)))
    assert copies.detect_copy(c.pk) == c.pk and heads([c]) == [None]
    Article.objects.filter(pk=b.pk).update(text="Live updates.")
    copies.detect_copy(b.pk)
    assert heads([b]) == [None] and not CopyKey.objects.filter(article=b).exists()
    assert copies.detect_copy(10 ** 9) is None


def test_copies_far_apart_in_time_are_not_merged(db):
    a, b = copy_articles(2)
    Article.objects.filter(pk=b.pk).update(published_at=a.published_at + timedelta(days=30))
    assert copies.detect_copy(b.pk) == b.pk and heads([a, b]) == [None, None]


def test_editors_choices_survive_detection(admin_client, client):
    a, b, c = copy_articles(3)
    # Show the newest for the group, from the articles list.
    admin_client.post("/admin/articles/article/", {"action": "show_for_copies", "_selected_action": [c.pk]})
    assert heads([a, b, c]) == [c.pk, c.pk, None]
    d, = copy_articles(1, start=3)
    assert heads([a, b, c, d]) == [c.pk, c.pk, None, c.pk]
    copies.regroup_copies()
    assert heads([a, b, c, d]) == [c.pk, c.pk, None, c.pk]
    # Take one out: it stays on its own through detection and a regrouping.
    response = admin_client.post("/admin/articles/article/", {"action": "split_copies", "_selected_action": [b.pk]},
                                 follow=True)
    assert "1 article(s) taken out of a copy group" in response.content.decode()
    for _ in range(2):
        copies.detect_copy(b.pk)
        copies.regroup_copies()
        assert heads([a, b, c, d]) == [c.pk, None, None, c.pk]
    assert b.get_absolute_url() in client.get("/latest/").content.decode()
    # And put back by hand, with an article detection would never call a copy.
    other = build_article(a.source, None, "Budget night", "budget", 31, timezone.now())
    admin_client.post("/admin/articles/article/", {"action": "mark_copies", "_selected_action": [b.pk, other.pk, a.pk]})
    group = [a, b, c, d, other]
    for _ in range(2):
        pointers = heads(group)
        shown = [article.pk for article, head in zip(sorted(group, key=lambda x: x.pk), pointers) if head is None]
        assert len(shown) == 1 and set(pointers) == {None, shown[0]}
        copies.regroup_copies()


def test_a_hidden_or_deleted_shown_article_hands_over_to_another(admin_client, client):
    a, b, c = copy_articles(3)
    admin_client.post("/admin/articles/article/", {"action": "unpublish", "_selected_action": [a.pk]})
    assert heads([a, b, c]) == [b.pk, None, b.pk]
    assert b.get_absolute_url() in client.get("/latest/").content.decode()
    admin_client.post("/admin/articles/article/", {"action": "publish", "_selected_action": [a.pk]})
    assert heads([a, b, c]) == [None, a.pk, a.pk]  # the earliest again
    Article.objects.get(pk=a.pk).delete()
    assert heads([b, c]) == [None, b.pk]
    # An outlet removed with all its articles leaves the others' copies together and shown.
    Source.objects.filter(pk=b.source_id).delete()
    assert heads([c]) == [None]


def test_the_article_shown_is_the_one_the_copies_credit(db):
    wire = Source.objects.create(name="Meridian Wire", homepage="https://wire.example/")
    paper = Source.objects.create(name="Portside Post", homepage="https://portside.example/")
    town = Source.objects.create(name="Town Crier", homepage="https://crier.example/")
    text = "\n\n".join(paragraphs("storm", 515, count=6))
    now = timezone.now()
    carried = build_article(paper, None, "Storm copy", "storm", 1, now - timedelta(hours=3), text=text,
                            authors=["Meridian Wire"])
    pointed = build_article(town, None, "Storm copy 2", "storm", 2, now - timedelta(hours=2), text=text,
                            authors=["Desk"], original_url="https://wire.example/2026/storm")
    own = build_article(wire, None, "Storm", "storm", 3, now - timedelta(hours=1), text=text, authors=["Ada"])
    for article in (carried, pointed, own):
        copies.detect_copy(article.pk)
    assert heads([carried, pointed, own]) == [own.pk, own.pk, None]


def test_export_names_the_article_each_copy_is_shown_by(wire_copies):
    out = io.StringIO()
    call_command("export", stdout=out)
    rows = {row["canonical_url"]: row for row in map(json.loads, out.getvalue().splitlines())}
    first, *others = wire_copies
    assert rows[first.canonical_url]["copy_of"] is None
    assert all(rows[a.canonical_url]["copy_of"] == first.canonical_url for a in others)


def test_copies_share_one_story_however_they_are_grouped(fetcher):
    with DemoServer(host="127.0.0.1", port=0) as server:
        populate(server, fetcher)
    def stories_of_copies():
        return {a.pk: (a.story_id, Article.objects.get(pk=copies.shown_in_group(a.copy_group)).story_id)
                for a in Article.objects.filter(is_copy=True)}
    assert len(stories_of_copies()) == 3
    assert all(own == theirs for own, theirs in stories_of_copies().values())
    call_command("regroup", stdout=io.StringIO())
    assert len(stories_of_copies()) == 3
    assert all(own == theirs for own, theirs in stories_of_copies().values())
