"""Security headers, no inline script, and templates that never mark anything safe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

import newsdesk.site
from tests.site.conftest import build_article

pytestmark = pytest.mark.django_db

TEMPLATES = Path(newsdesk.site.__file__).parent / "templates"


def public_urls(newsroom) -> list[str]:
    article = newsroom.articles[0]
    return ["/", "/latest/", "/category/news/", "/source/gazette/", article.get_absolute_url(), "/search/?q=ferry",
            "/feed/", "/feed.json", "/sitemap.xml", "/robots.txt", "/nope/"]


def test_security_headers_on_every_response(client, newsroom):
    for url in public_urls(newsroom) + ["/admin/login/"]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'", url
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in csp
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_public_pages_have_no_inline_script_and_no_inline_style(client, newsroom):
    for url in public_urls(newsroom):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/ld+json"' in tag, (url, tag)  # data, not script
        assert not re.search(r"<[^>]+\s(on\w+|style)=", html), url
        assert "javascript:" not in html


def test_public_style_policy_is_strict_and_only_the_admin_allows_inline_styles(client, newsroom):
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in client.get("/admin/login/")["Content-Security-Policy"]


def test_templates_never_mark_anything_safe():
    for path in TEMPLATES.rglob("*"):
        if path.suffix in {".html", ".xml", ".txt"}:
            text = path.read_text()
            for forbidden in ("|safe", "safeseq", "autoescape off", "{% autoescape"):
                assert forbidden not in text, (path, forbidden)


def test_json_ld_cannot_be_broken_out_of(client, newsroom):
    hostile = build_article(newsroom.sources["gazette"], newsroom.categories["news"],
                            'Ends </script><script>alert(1)</script> & <!-- here', "budget", 400, timezone.now(),
                            authors=["</script><img src=x onerror=alert(2)>"])
    html = client.get(hostile.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 2
    data = json.loads(blocks[0])
    assert data["headline"].startswith("Ends </script>") and data["author"][0]["name"].startswith("</script>")
    assert "<script>alert" not in html and "<img src=x" not in html


def test_stored_html_with_script_is_cleaned_before_rendering(client, newsroom):
    article = build_article(newsroom.sources["gazette"], None, "Cleaning", "storm", 401, timezone.now(),
                            html='<p>Safe <a href="https://ok.example/" onclick="x()">link</a></p>'
                                 '<script>alert(1)</script><style>body{display:none}</style>'
                                 '<img src="https://img.example/a.png" alt="A" onload="x()">'
                                 '<a href="data:text/html,<script>alert(1)</script>">data</a>')
    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="story-body"'):html.index('class="source-link"')]
    assert '<a href="https://ok.example/" rel="noopener nofollow">link</a>' in body
    assert '<img src="https://img.example/a.png" alt="A" loading="lazy">' in body
    for bad in ("<script", "<style", "onclick", "onload", "data:text"):
        assert bad not in body


def test_lead_image_and_links_from_outlets_cannot_inject_markup(client, newsroom):
    article = build_article(newsroom.sources["gazette"], None, "Quotes", "storm", 402, timezone.now(),
                            lead_image_url='https://img.example/a.png" onerror="alert(1)',
                            lead_image_caption='<b onmouseover="x()">caption</b>',
                            canonical_url='https://gazette.example/q?a="><script>alert(3)</script>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'onerror="alert(1)' not in html and "<b onmouseover" not in html and "<script>alert(3)" not in html


def test_the_site_cleans_article_html_with_the_extractors_allow_list():
    from newsdesk.pipeline.extraction.render import ALLOWED_TAGS, sanitize
    from newsdesk.site.articles.sanitize import article_html

    allowed = "".join(f'<{tag} class="x" title="t">{tag}</{tag}>' for tag in sorted(ALLOWED_TAGS - {"img", "br"}))
    html = (allowed + '<img src="https://img.example/a.png" alt="A" width="9"><br>'
            '<a href="mailto:desk@news.example">mail</a><a href="javascript:x()">js</a>'
            "<div>div</div><span>span</span><h1>h1</h1><u>u</u><table><tr><td>td</td></tr></table>"
            '<iframe src="https://x.example/"></iframe><script>alert(1)</script><!-- note -->')
    site = str(article_html(html))
    assert site.replace(' loading="lazy"', "") == sanitize(html)
    for tag in ALLOWED_TAGS:
        assert f"<{tag}" in site, tag
    for gone in ("<div", "<span", "<h1", "<u>", "<table", "<td", "<iframe", "<script", "class=",
                 "width=", "javascript:", "<!--"):
        assert gone not in site, gone
