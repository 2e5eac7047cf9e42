"""The first layer: a WSGI wrapper that answers cached pages before Django runs.

A hit costs a dictionary lookup and a comparison of a few counters in shared memory, so a
cached page is served at the speed of the WSGI server. Everything else (a miss, a POST, a
reader with a pending message) goes to Django unchanged.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib.messages.storage.cookie import CookieStorage

from . import key_from_environ, store
from .middleware import not_modified, public_headers

_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class PageCacheFront:
    def __init__(self, application):
        self.application = application
        self.message_cookie = f"{CookieStorage.cookie_name}="

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (method == "GET" or method == "HEAD") and self.message_cookie not in environ.get("HTTP_COOKIE", ""):
            page = store().get(key_from_environ(environ))
            if page is not None:
                body, etag, encoding = page.representation(environ.get("HTTP_ACCEPT_ENCODING", ""))
                extra = public_headers(page, etag, encoding)
                if not_modified(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
                    extra.pop("Content-Encoding", None)
                    start_response("304 Not Modified", list(extra.items()))
                    return []
                headers = [*page.headers, *extra.items(), ("Content-Length", str(len(body)))]
                start_response(_REASONS.get(page.status, str(page.status)), headers)
                return [] if method == "HEAD" else [body]
        return self.application(environ, start_response)
