"""The page cache as a reader meets it: `newsdesk run` in real processes, over real HTTP.

Cached pages come compressed once, with an ETag a browser or proxy can revalidate, no cookie,
and a lifetime for a proxy cache in front; a change made by another process (a command, the
poller) shows at once in every server process.
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request

import pytest

from tests.site.test_run import free_port, wait_for

SETUP = """
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from newsdesk.site.articles.models import Article, Category
from newsdesk.site.sources.models import Source
"""


def django_script(data_dir, code: str) -> str:
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
    done = subprocess.run([sys.executable, "-c", SETUP + textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def without_stamp(page: bytes) -> bytes:
    return re.sub(rb'name="stamp" value="[^"]*"', b"", page)


def get(url: str, **headers) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site with one article, served by `newsdesk run` with two processes."""
    data_dir = tmp_path_factory.mktemp("front")
    path = django_script(data_dir, """
        call_command("migrate", verbosity=0)
        news = Category.objects.create(name="News", slug="news")
        outlet = Source.objects.create(name="Harbour Gazette", slug="gazette", homepage="https://gazette.example/")
        article = Article.objects.create(source=outlet, category=news, title="Ferry timetable changes",
            url="https://gazette.example/1", canonical_url="https://gazette.example/1", text="The ferry runs later.",
            html="<p>The ferry runs later.</p>" * 40, published_at=timezone.now(), content_hash="1" * 64)
        print(article.get_absolute_url())
    """)
    port = free_port()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsdesk.site.settings"}
    process = subprocess.Popen([sys.executable, "-m", "newsdesk", "run", "--no-poll", "--workers", "2",
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/robots.txt")
        yield data_dir, base, path
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        assert "Traceback" not in err, err


def test_a_cached_page_is_public_compressed_once_and_revalidates(site):
    _, base, path = site
    status, plain_headers, plain = get(base + path)
    assert status == 200 and b"Ferry timetable changes" in plain
    # Each server process renders its own copy: they differ only in the comment form's time stamp,
    # which the ETag leaves out, so a proxy revalidates with either process.
    plains = {headers["etag"]: body for headers, body in (get(base + path)[1:] for _ in range(4))}
    for _ in range(4):
        again_status, headers, body = get(base + path, **{"Accept-Encoding": "gzip"})
        assert again_status == 200 and headers["content-encoding"] == "gzip"
        assert headers["etag"].endswith('-gzip"')  # one ETag per representation
        same = plains.get(headers["etag"].replace('-gzip"', '"'))
        assert same is not None  # the same ETag whichever process rendered it
        assert without_stamp(gzip.decompress(body)) == without_stamp(same)
    for headers in (plain_headers,):
        assert "set-cookie" not in headers
        assert headers["cache-control"] == "public, max-age=0, must-revalidate"
        assert headers["vary"] == "Accept-Encoding" and headers["x-accel-expires"] == "5"
        assert "content-security-policy" in headers and headers["x-frame-options"] == "DENY"
    status, headers, body = get(base + path, **{"If-None-Match": plain_headers["etag"]})
    assert status == 304 and body == b""


def test_a_change_by_another_process_shows_at_once_in_every_server_process(site):
    data_dir, base, path = site
    for _ in range(4):
        assert b"Ferry timetable changes" in get(base + path)[2]
        assert b"Ferry timetable changes" in get(base + "/")[2]
    django_script(data_dir, """
        article = Article.objects.get()
        article.title = "Ferry timetable changes again"
        article.save()
    """)
    for _ in range(4):  # whichever process answers
        assert b"Ferry timetable changes again" in get(base + path)[2]
        assert b"Ferry timetable changes again" in get(base + "/")[2]


def test_pages_for_one_reader_are_private(site):
    _, base, path = site
    status, headers, _ = get(base + "/search/?q=ferry")
    assert status == 200 and headers["cache-control"].startswith("private")
    status, headers, _ = get(base + "/admin/login/")
    assert "public" not in headers.get("cache-control", "")


def test_a_comment_posted_from_another_site_is_refused_over_http(site):
    _, base, path = site
    request = urllib.request.Request(base + path, data=b"comment=hi&author=x&email=x%40example.org",
                                     headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
