"""The newsdesk commands, run as a user would run them, on a real database and real HTTP."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from newsdesk.site.articles.models import Article
from newsdesk.site.sources.models import Source
from tests.site.outlet import Outlet, story
from tests.support.httpserver import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str, stdin: bytes | None = None) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def outlet(server):
    gazette = Outlet(server)
    for n in range(1, 5):
        gazette.add(story(n))
    homepage = ('<html><head><title>Test Gazette</title><link rel="alternate" type="application/rss+xml" '
                'href="/feed.xml"></head><body><p>Welcome</p></body></html>').encode()
    server.route("/", Reply(body=homepage, headers={"Content-Type": "text/html"}))
    return gazette


def test_sources_add_from_homepage_fetch_and_list(outlet, server):
    out = run("sources", "add", server.url("/"), "--allow-private", "--category", "World")
    assert "Test Gazette" in out and "/feed.xml" in out
    source = Source.objects.get()
    assert source.default_category.name == "World" and source.allow_private

    summary = run("fetch", "--all")
    assert "sources: 1 ok, 0 failed; articles: 4 new, 0 updated, 0 unchanged" in summary
    again = run("fetch", "--all")
    assert "0 new, 0 updated" in again

    rows = json.loads(run("sources", "list", "--json"))
    assert rows == [{"name": "Test Gazette", "url": outlet.feed_url, "active": True, "articles": 4,
                     "last_error": "", "consecutive_failures": 0}]
    assert "Test Gazette" in run("sources", "list")

    assert "Nothing to fetch" in run("fetch")  # not due yet


def test_sources_add_refuses_private_and_duplicates(outlet, server):
    with pytest.raises(CommandError, match="--allow-private"):
        run("sources", "add", outlet.feed_url)
    run("sources", "add", outlet.feed_url, "--allow-private")
    with pytest.raises(CommandError, match="already followed"):
        run("sources", "add", outlet.feed_url, "--allow-private")
    with pytest.raises(CommandError, match="neither a feed nor"):
        server.route("/plain", Reply(body=b"<html><body>No feeds here</body></html>",
                                     headers={"Content-Type": "text/html"}))
        run("sources", "add", server.url("/plain"), "--allow-private")


def test_failed_source_shows_its_error_in_list(outlet):
    run("sources", "add", outlet.feed_url, "--allow-private")
    outlet.feed_override = Reply(status=500)
    summary = run("fetch", "--all")
    assert "0 ok, 1 failed" in summary
    [row] = json.loads(run("sources", "list", "--json"))
    assert "500" in row["last_error"] and row["consecutive_failures"] == 1


def test_opml_export_import_round_trip_and_remove(outlet, tmp_path):
    run("sources", "add", outlet.feed_url, "--allow-private", "--category", "Local")
    opml = run("sources", "export")
    assert outlet.feed_url in opml
    run("fetch", "--all")
    assert "and its 4 articles" in run("sources", "remove", "Test Gazette")
    assert Source.objects.count() == 0 and Article.objects.count() == 0
    path = tmp_path / "sources.opml"
    path.write_text(opml)
    assert "Imported 1 sources" in run("sources", "import", str(path), "--allow-private")
    source = Source.objects.get()
    assert source.feeds.get().url == outlet.feed_url and source.default_category.name == "Local"
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline")
    with pytest.raises(CommandError):
        run("sources", "import", str(bad))
    with pytest.raises(CommandError, match="no source"):
        run("sources", "remove", "nobody")


def test_ingest_saved_html_and_warc_then_export(tmp_path, server):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = tmp_path / "page.html"
    page.write_bytes(story(1).page("https://gazette.example"))
    assert "1 new" in run("ingest", str(page))
    assert "1 unchanged" in run("ingest", str(page))
    article = Article.objects.get()
    assert article.canonical_url == "https://gazette.example/news/story-1"
    assert article.source.name == "gazette.example"

    warc = tmp_path / "pages.warc.gz"
    with warc.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n in (2, 3):
            body = story(n).page("https://gazette.example")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://gazette.example/news/story-{n}", "response", payload=io.BytesIO(body), http_headers=headers))
    assert "2 new" in run("ingest", str(warc))
    assert Article.objects.count() == 3

    not_warc = tmp_path / "junk.warc"
    not_warc.write_bytes(b"this is not an archive")
    assert "1 failed" in run("ingest", str(not_warc))
    nameless = tmp_path / "nameless.html"
    nameless.write_text("<html><body><p>No canonical link here at all.</p></body></html>")
    assert "1 failed" in run("ingest", str(nameless))

    lines = [json.loads(line) for line in run("export").splitlines()]
    assert len(lines) == 3
    assert set(lines[0]) >= {"title", "authors", "date", "language", "canonical_url", "text", "html", "images",
                             "source", "url", "category", "fetched_at"}
    assert run("export", "--since", "2099-01-01") == ""
    assert len(run("export", "--since", "2026-11-20").splitlines()) == 3
    with pytest.raises(CommandError, match="not a date"):
        run("export", "--since", "yesterday")


def test_extract_files_and_json_lines(tmp_path):
    paths = []
    for n in range(1, 5):
        path = tmp_path / f"story-{n}.html"
        path.write_bytes(story(n).page("https://gazette.example"))
        paths.append(str(path))
    single = json.loads(run("extract", paths[0], "--json"))
    assert single["title"] == "Harbour council story number 1"
    assert single["canonical_url"] == "https://gazette.example/news/story-1"
    assert "Harbour council story number 1" in run("extract", paths[0])
    rows = [json.loads(line) for line in run("extract", *paths).splitlines()]
    assert [row["file"] for row in rows] == paths
    assert all("council turned to the" in row["text"] for row in rows)
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError):
        run("extract", str(garbage))
    with pytest.raises(CommandError, match="cannot read"):
        run("extract", str(tmp_path / "missing.html"))


def test_extract_runs_without_a_database_or_data_directory(tmp_path):
    # The real command in a fresh directory: extracting must not set up the data directory.
    page = tmp_path / "story.html"
    page.write_bytes(story(1).page("https://gazette.example"))
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSDESK_DATA_DIR", "DJANGO_SETTINGS_MODULE")}

    def newsdesk(*args: str, stdin: bytes | None = None) -> str:
        return subprocess.run([sys.executable, "-m", "newsdesk", *args], cwd=tmp_path, env=env, input=stdin,
                              capture_output=True, check=True).stdout.decode()

    text = newsdesk("extract", "story.html")
    assert text.startswith("Harbour council story number 1\nBy Ada Reporter\n")
    assert "https://gazette.example/news/story-1" in text and "council turned to the" in text
    assert json.loads(newsdesk("extract", "-", "--json", stdin=page.read_bytes()))["authors"] == ["Ada Reporter"]
    for args in (("extract", "--help"), ("help", "extract")):
        assert "FILE|URL|-" in newsdesk(*args) and "--no-template" in newsdesk(*args)
    failed = subprocess.run([sys.executable, "-m", "newsdesk", "extract", "missing.html"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert failed.returncode == 1 and "cannot read missing.html" in failed.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["story.html"]


def test_console_command_help_lists_newsdesk_commands():
    out = subprocess.run([sys.executable, "-m", "newsdesk", "help"], capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}).stdout
    for command in ("sources", "fetch", "run", "ingest", "extract", "export", "migrate"):
        assert command in out
