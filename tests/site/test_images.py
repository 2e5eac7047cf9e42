"""Pictures copied from outlets and served by the site: the ingest stage against a real HTTP server
on 127.0.0.1 (good and hostile pictures), the media view, the pages, retention and backups."""

from __future__ import annotations

import io
import re
import tarfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from newsdesk.demo import DemoServer
from newsdesk.demo.images import photo_png
from newsdesk.ingest import images as stage
from newsdesk.ingest.demo import populate
from newsdesk.ingest.fetching import fetch_options
from newsdesk.ingest.retention import RetentionOptions, prune
from newsdesk.pipeline.fetch import Fetcher
from newsdesk.site import backup, pagecache
from newsdesk.site.articles.models import Article, Category
from newsdesk.site.images import storage
from newsdesk.site.images.models import ArticleImage, StoredImage
from newsdesk.site.sources.models import Source
from tests.site.conftest import build_article
from tests.support.httpserver import Reply, Stream

PNG = {"Content-Type": "image/png"}


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    """Each test its own data directory, so that its files are its own."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "media" / "images"


@pytest.fixture
def outlet(db, server):
    """A source on the test server (private addresses allowed) and its pictures."""
    server.route("/img/lead.png", Reply(body=photo_png("lead", 1400, 800), headers=PNG))
    server.route("/img/body.jpg", Reply(body=jpeg(900, 600), headers={"Content-Type": "image/jpeg"}))
    return Source.objects.create(name="Test Gazette", slug="test-gazette", homepage=server.url("/"),
                                 allow_private=True)


def jpeg(width: int, height: int, colour="navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def article_with(source: Source, lead: str, body: list[str], seed: int = 1, **extra) -> Article:
    html = "<p>Opening paragraph of the report.</p>" + "".join(
        f'<figure><img src="{src}" alt="Body picture {n}"><figcaption>Caption {n}. Photo: Ana Ruiz</figcaption></figure>'
        for n, src in enumerate(body))
    category, _ = Category.objects.get_or_create(slug="news", defaults={"name": "News"})
    return build_article(source, category, f"Harbour report {seed}", "ferry", seed, timezone.now() - timedelta(hours=seed),
                         lead_image_url=lead, html=html,
                         images=[{"src": lead, "alt": "The quay", "caption": "The quay at dawn"}]
                         + [{"src": src, "alt": f"Body picture {n}", "caption": f"Caption {n}. Photo: Ana Ruiz"}
                            for n, src in enumerate(body)], **extra)


def files(media_dir: Path) -> set[str]:
    return {p.relative_to(media_dir).as_posix() for p in media_dir.rglob("*") if p.is_file()}


def test_the_stage_stores_lead_and_body_pictures_once_under_content_hashed_names(outlet, server, media_dir):
    article = article_with(outlet, server.url("/img/lead.png"), [server.url("/img/body.jpg")])
    result = stage.store_images(article.pk)
    assert (result.stored, result.failed) == (2, 0)
    rows = {p.role: p for p in ArticleImage.objects.filter(article=article).select_related("image")}
    assert rows["lead"].status == rows["body"].status == ArticleImage.STORED
    assert rows["lead"].original_url == server.url("/img/lead.png") and rows["lead"].alt == "The quay"
    assert rows["body"].credit == "Ana Ruiz"
    lead = rows["lead"].image
    assert (lead.width, lead.height, lead.format) == (1400, 800, "png")
    assert [(r["width"], r["type"]) for r in lead.renditions][-2:] == [(1280, "webp"), (1280, "jpeg")]
    for rendition in lead.renditions:
        data = (media_dir / rendition["name"]).read_bytes()
        assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}-[0-9]+\.(webp|jpg)", rendition["name"])
        assert rendition["name"] == storage.name_for(lead.sha256, data, rendition["width"], rendition["type"])
    before = files(media_dir)
    assert len(before) == len(lead.renditions) + len(rows["body"].image.renditions)
    assert not any(name.endswith(".tmp") for name in before)

    # Idempotent: nothing fetched or written again.
    hits = len(server.requests)
    again = stage.store_images(article.pk)
    assert (again.stored, again.failed, again.kept) == (0, 0, 2)
    assert len(server.requests) == hits and files(media_dir) == before

    # Another article with the same picture shares its StoredImage and files.
    other = article_with(outlet, server.url("/img/lead.png"), [], seed=2)
    stage.store_images(other.pk)
    assert StoredImage.objects.count() == 2 and files(media_dir) == before


def test_hostile_and_missing_pictures_are_recorded_and_the_outlet_address_is_kept(outlet, server, settings):
    settings.NEWSDESK = {**settings.NEWSDESK, "IMAGE_MAX_BYTES": 100_000}
    server.route("/img/huge.jpg", Reply(body=Stream(b"\xff" * 65536, count=40), headers={"Content-Type": "image/jpeg"}))
    server.route("/img/page.jpg", Reply(body=b"<!doctype html><html><body>Log in</body></html>",
                                        headers={"Content-Type": "image/jpeg"}))
    server.route("/img/typed.png", Reply(body=photo_png("t", 50, 50), headers={"Content-Type": "text/html"}))
    server.route("/img/drawing.svg", Reply(body=b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                                           headers={"Content-Type": "image/svg+xml"}))
    server.route("/img/bomb.png", Reply(body=bomb_png(), headers=PNG))
    bad = ["/img/huge.jpg", "/img/page.jpg", "/img/typed.png", "/img/drawing.svg", "/img/bomb.png", "/img/gone.jpg"]
    article = article_with(outlet, server.url("/img/lead.png"), [server.url(p) for p in bad])
    result = stage.store_images(article.pk)
    assert (result.stored, result.failed) == (1, len(bad))
    errors = {p.original_url.rsplit("/", 1)[1]: p.error for p in ArticleImage.objects.filter(article=article)
              if p.status == ArticleImage.FAILED}
    assert "over the limit" in errors["huge.jpg"]
    assert "HTML" in errors["page.jpg"]
    assert "text/html" in errors["typed.png"]
    assert "SVG" in errors["drawing.svg"]
    assert "megapixels" in errors["bomb.png"] or "too large" in errors["bomb.png"]
    assert "404" in errors["gone.jpg"]
    assert all(p.image_id is None for p in ArticleImage.objects.filter(status=ArticleImage.FAILED))

    # Failures are not fetched again on every run, only when asked.
    hits = server.hits("/img/gone.jpg")
    stage.store_images(article.pk)
    assert server.hits("/img/gone.jpg") == hits
    server.route("/img/gone.jpg", Reply(body=jpeg(400, 300), headers={"Content-Type": "image/jpeg"}))
    assert stage.store_images(article.pk, retry_failed=True).stored == 1
    assert ArticleImage.objects.get(article=article, original_url=server.url("/img/gone.jpg")).status == "stored"

    # The page shows the stored ones from the site and the failed ones from the outlet.
    pagecache.store().clear()
    from django.test import Client

    html = Client().get(article.get_absolute_url()).content.decode()
    assert server.url("/img/lead.png") not in html and server.url("/img/gone.jpg") not in html
    assert f'src="{server.url("/img/page.jpg")}"' in html
    assert html.count("<picture>") == 2


def bomb_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


def test_a_source_without_private_addresses_gets_no_picture_through_a_redirect(outlet, server):
    Source.objects.filter(pk=outlet.pk).update(allow_private=False)
    server.route("/img/away.png", Reply.redirect("http://10.20.30.40/inside.png"))
    article = article_with(outlet, server.url("/img/away.png"), [server.url("/img/lead.png")])
    # The test server itself is let through by name, as an outlet on a public address would be.
    with Fetcher(replace(fetch_options(), private_allowlist=("127.0.0.1",), min_host_delay=0.0,
                         respect_robots=False)) as fetcher:
        result = stage.store_images(article.pk, fetcher)
    assert (result.stored, result.failed) == (1, 1)
    failed = ArticleImage.objects.get(article=article, status=ArticleImage.FAILED)
    assert failed.original_url == server.url("/img/away.png") and "10.20.30.40" in failed.error
    # Without the exemption, the outlet's own private address is refused too.
    article2 = article_with(outlet, server.url("/img/lead.png"), [], seed=5)
    assert stage.store_images(article2.pk).failed == 1


def test_the_stage_follows_the_article_and_keeps_at_most_the_limit(outlet, server, settings, django_capture_on_commit_callbacks):
    settings.NEWSDESK = {**settings.NEWSDESK, "IMAGES_PER_ARTICLE": 2}
    for n in range(3):
        server.route(f"/img/{n}.jpg", Reply(body=jpeg(300 + n, 200), headers={"Content-Type": "image/jpeg"}))
    article = article_with(outlet, server.url("/img/lead.png"), [server.url(f"/img/{n}.jpg") for n in range(3)])
    stage.store_images(article.pk)
    assert ArticleImage.objects.filter(article=article).count() == 2
    assert server.hits("/img/1.jpg") == server.hits("/img/2.jpg") == 0
    # The article changed: its old body picture goes, with its files once nothing shows it.
    old = ArticleImage.objects.get(article=article, role="body").image
    Article.objects.filter(pk=article.pk).update(html='<figure><img src="%s" alt=""></figure>' % server.url("/img/1.jpg"),
                                                 images=[])
    with django_capture_on_commit_callbacks(execute=True):
        result = stage.store_images(article.pk)
    assert (result.stored, result.removed) == (1, 1)
    assert not StoredImage.objects.filter(pk=old.pk).exists()
    assert not any(storage.path_of(name).exists() for name in old.file_names())


def test_the_media_view_serves_renditions_for_a_year_and_nothing_else(client, outlet, server, settings):
    article = article_with(outlet, server.url("/img/lead.png"), [])
    stage.store_images(article.pk)
    rendition = StoredImage.objects.get().renditions[0]
    url = f"/media/images/{rendition['name']}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response.content == (settings.DATA_DIR / "media" / "images" / rendition["name"]).read_bytes()
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    etag = response["ETag"]
    assert etag.strip('"') in rendition["name"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    jpg = next(r for r in StoredImage.objects.get().renditions if r["type"] == "jpeg")
    assert client.get(f"/media/images/{jpg['name']}")["Content-Type"] == "image/jpeg"
    (settings.DATA_DIR / "secret.txt").write_text("secret")
    for bad in ("/media/images/../secret.txt", "/media/images/%2e%2e/secret.txt", "/media/images/ab/x.webp",
                f"/media/images/00/{rendition['name'].split('/')[1]}", "/media/images/" + rendition["name"] + ".txt",
                "/media/images/ab/" + "a" * 32 + "-320.webp"):
        assert client.get(bad).status_code == 404, bad
    assert client.post(url).status_code == 405


def test_pages_show_the_sites_renditions_with_srcset_and_og_image(client, outlet, server):
    article = article_with(outlet, server.url("/img/lead.png"), [server.url("/img/body.jpg")])
    pagecache.store().clear()
    before = client.get(article.get_absolute_url()).content.decode()
    assert f'src="{server.url("/img/lead.png")}"' in before and "<picture>" not in before
    assert server.url("/img/lead.png") in client.get("/").content.decode()
    stage.store_images(article.pk)
    # The stage renders again the article's page and the lists it is on: no cache to clear.
    html = client.get(article.get_absolute_url()).content.decode()
    assert server.url("/img/") not in html
    assert '<source type="image/webp" srcset="/media/images/' in html
    assert re.search(r'<img src="/media/images/[^"]+-640\.jpg" srcset="[^"]+ 320w, [^"]+ 640w', html)
    assert 'alt="Body picture 0"' in html and 'alt="The quay"' in html
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html)[1]
    assert og.startswith("http://testserver/media/images/") and og.endswith("-1280.jpg")
    home = client.get("/").content.decode()
    assert "/media/images/" in home and server.url("/img/") not in home


def test_cards_read_every_lead_picture_in_one_query(client, outlet, server):
    for seed in range(1, 4):
        stage.store_images(article_with(outlet, server.url("/img/lead.png"), [], seed=seed).pk)

    def queries() -> int:
        pagecache.store().clear()
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/latest/").content.decode()
        assert page.count("<picture>") == Article.objects.count()
        return [q["sql"] for q in captured]

    queries()  # the first request reads what the process keeps (the category tree, ...)
    few = queries()
    assert sum("images_articleimage" in sql for sql in few) == 1
    for seed in range(4, 12):
        stage.store_images(article_with(outlet, server.url("/img/lead.png"), [], seed=seed).pk)
    assert len(queries()) == len(few)


def test_cards_need_no_query_of_their_own_from_an_annotated_list(outlet, server, django_assert_num_queries):
    from django.template import Context, Template

    from newsdesk.site.articles import queries

    for seed in range(1, 4):
        stage.store_images(article_with(outlet, server.url("/img/lead.png"), [], seed=seed).pk)
    articles = list(queries.latest())  # lists are annotated with their lead pictures
    template = Template("{% load pictures %}{% for a in articles %}{% card_picture a %}{% endfor %}")
    with django_assert_num_queries(0):
        html = template.render(Context({"articles": articles}))
    assert html.count("<picture>") == 3


def test_pictures_go_with_their_article_when_pruned(outlet, server, media_dir, django_capture_on_commit_callbacks):
    old = article_with(outlet, server.url("/img/lead.png"), [server.url("/img/body.jpg")], seed=1,
                       published_at=timezone.now() - timedelta(days=400), fetched_at=timezone.now() - timedelta(days=400))
    recent = article_with(outlet, server.url("/img/lead.png"), [], seed=2)
    stage.store_images(old.pk)
    stage.store_images(recent.pk)
    shared = StoredImage.objects.get(uses__article=recent)
    only_old = StoredImage.objects.exclude(pk=shared.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        assert prune(RetentionOptions(article_days=30)).articles == 1
    assert not ArticleImage.objects.filter(article_id=old.pk).exists()
    assert list(StoredImage.objects.all()) == [shared]  # still shown by the recent article
    assert all(storage.path_of(n).exists() for n in shared.file_names())
    assert not any(storage.path_of(n).exists() for n in only_old.file_names())
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk=recent.pk).delete()  # as the admin deletes
    assert not StoredImage.objects.exists() and files(media_dir) == set()


@pytest.mark.django_db(transaction=True)
def test_backup_holds_the_pictures_and_restore_brings_them_back(server, tmp_path, media_dir):
    from tests.site.test_backup import Site

    server.route("/img/lead.png", Reply(body=photo_png("lead", 700, 400), headers=PNG))
    source = Source.objects.create(name="Test Gazette", slug="test-gazette", homepage=server.url("/"), allow_private=True)
    article = article_with(source, server.url("/img/lead.png"), [])
    stage.store_images(article.pk)
    names = StoredImage.objects.get().file_names()
    archive = tmp_path / "site.newsdesk"
    backup.backup(archive)
    with tarfile.open(archive) as opened:
        members = set(opened.getnames())
    assert {f"files/media/images/{name}" for name in names} <= members

    restored = Site(tmp_path)
    try:
        restored.newsdesk("restore", str(archive))
        for name in names:
            assert (restored.dir / "media" / "images" / name).read_bytes() == (media_dir / name).read_bytes()
        rows = restored.newsdesk("shell", "-c", "from newsdesk.site.images.models import StoredImage as S; "
                                                "print(S.objects.count())").stdout
        assert rows.strip().splitlines()[-1] == "1"
    finally:
        restored.drop()


@pytest.mark.django_db(transaction=True)
def test_the_demo_article_pages_show_only_pictures_served_by_the_site(client, fetcher):
    with DemoServer(host="127.0.0.1", port=0) as server:
        results = populate(server, fetcher)
        assert any(result.new for result in results), [result.error for result in results]
        assert ArticleImage.objects.filter(status=ArticleImage.STORED, role=ArticleImage.LEAD).count() >= 20
        # Every picture is stored (the adverts inside two outlets' stories are not pictures of them).
        failed = dict(ArticleImage.objects.filter(status=ArticleImage.FAILED).values_list("original_url", "error"))
        assert failed == {}
        pagecache.store().clear()
        shown = 0
        for article in Article.objects.filter(is_published=True):
            html = client.get(article.get_absolute_url()).content.decode()
            sources = re.findall(r'<(?:img|source)\b[^>]*?\s(?:src|srcset)="([^"]+)"', html)
            pictures = [s for s in sources if "/static/" not in s]
            outside = [s for s in pictures if not s.startswith("/media/images/")]
            assert set(outside) <= set(failed), (article.pk, outside)
            shown += len(pictures) - len(outside)
        assert shown >= 20
