"""Browser tests: a real chromium (Debian's) driven by Playwright against the live test server."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from newsdesk.site import pagecache

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def static_root():
    """The folder WhiteNoise indexes when the live server starts; tests serve static files from the apps."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def browser_settings(settings):
    """Static files from the app folders (the live server serves them), a short reading time
    before a comment may be posted, and an empty page cache."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.NEWSDESK_COMMENT_LIMITS = {"min_seconds": 1}
    cache.clear()
    pagecache.store().clear()
    yield settings
    cache.clear()
    pagecache.store().clear()


@pytest.fixture
def browser(monkeypatch):
    """A headless chromium; the test is skipped where Debian's chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own database calls are
    # still plain synchronous calls, which Django would otherwise refuse next to a loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder where browser tests leave screenshots (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
