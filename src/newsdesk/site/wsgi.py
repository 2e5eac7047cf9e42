"""WSGI entry point: ``newsdesk.site.wsgi:application`` for any WSGI server.

Django, behind the page cache's first layer (cached pages answered before Django runs), behind
the trusted proxy's X-Forwarded-* headers (so the cache keys and Django see the reader's scheme
and host).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.site.settings")
django_application = get_wsgi_application()

from newsdesk.site.pagecache.front import PageCacheFront  # noqa: E402  (after Django is set up)
from newsdesk.site.proxy import ProxyHeaders  # noqa: E402

application = ProxyHeaders(PageCacheFront(django_application), str(settings.NEWSDESK["TRUSTED_PROXY"]),
                           int(settings.NEWSDESK["TRUSTED_PROXY_COUNT"]))
