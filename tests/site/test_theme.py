"""Re-theming from the data directory's theme/ folder, and static files with hashed names."""

from __future__ import annotations

import copy
import gzip
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(settings, tmp_path):
    """A theme folder in a fresh data directory, wired up as settings.py does for THEME_DIR."""
    root = tmp_path / "theme"
    (root / "templates" / "newsdesk" / "includes").mkdir(parents=True)
    (root / "static" / "newsdesk" / "css").mkdir(parents=True)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [root / "templates"]
    settings.TEMPLATES = templates  # resets the template engines
    settings.STATICFILES_DIRS = [root / "static"]  # resets the static finders
    return root


def test_a_theme_template_overrides_the_built_in_one(client, newsroom, theme):
    (theme / "templates" / "newsdesk" / "includes" / "footer.html").write_text(
        '<footer class="site-footer"><p>Printed by the Riverside Press for {{ site.name }}</p></footer>')
    html = client.get("/").content.decode()
    assert "Printed by the Riverside Press for newsdesk" in html
    assert 'class="fineprint"' not in html  # the built-in footer is gone
    assert "Top stories" in html  # everything else is still the built-in theme


def test_a_theme_can_replace_the_stylesheet_and_the_logo(client, newsroom, theme):
    logo = theme / "static" / "newsdesk" / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"><title>Riverside</title></svg>')
    (theme / "static" / "newsdesk" / "css" / "site.css").write_text("body { background: #fdf6e3; }")
    assert Path(finders.find("newsdesk/logo.svg")) == logo
    assert Path(finders.find("newsdesk/css/site.css")).read_text() == "body { background: #fdf6e3; }"
    assert Path(finders.find("newsdesk/favicon.svg")).parent.name == "newsdesk"  # not overridden: built-in


def test_collected_static_files_have_hashed_names_long_cache_and_compression(settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new client builds the middleware, which indexes the collected files
    html = client.get("/").content.decode()
    stylesheet = html.split('<link rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/newsdesk/css/site.") and stylesheet.endswith(".css")
    assert stylesheet != "/static/newsdesk/css/site.css"
    response = client.get(stylesheet, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert b"--accent" in gzip.decompress(b"".join(response.streaming_content))


def test_html_pages_are_compressed(client, newsroom):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Top stories" in gzip.decompress(response.content)


def test_the_theming_guide_lists_every_built_in_template():
    guide = (Path(__file__).parents[2] / "src" / "newsdesk" / "site" / "templates" / "THEME.md").read_text()
    templates = Path(__file__).parents[2] / "src" / "newsdesk" / "site" / "templates"
    for path in templates.rglob("*.html"):
        assert f"`{path.relative_to(templates)}`" in guide, path
