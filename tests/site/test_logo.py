"""NEWSDESK_SITE_LOGO: a URL or a static path, shown in the header."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings


@pytest.mark.django_db
@pytest.mark.parametrize("configured, expected", [
    ("https://cdn.example/brand.png", 'src="https://cdn.example/brand.png"'),
    ("", 'src="/static/newsdesk/logo'),
])
def test_configured_logo_is_shown(client, configured, expected):
    cache.clear()
    with override_settings(NEWSDESK={**settings.NEWSDESK, "SITE_LOGO": configured}):
        page = client.get("/").content.decode()
    cache.clear()
    assert expected in page
