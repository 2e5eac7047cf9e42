"""The first layer: a WSGI wrapper that answers cached pages before Django runs.

A hit costs a dictionary lookup and a comparison of a few counters in shared memory, so a
cached page is served at the speed of the WSGI server. Everything else (a miss, a POST, a
reader with a pending message) goes to Django unchanged.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib.messages.storage.cookie import CookieStorage

from . import key_from_environ, store
from .middleware import answer

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
                status, headers, body = answer(page, environ.get("HTTP_ACCEPT_ENCODING", ""),
                                               environ.get("HTTP_IF_NONE_MATCH", ""))
                start_response(_REASONS.get(status, str(status)), list(headers.items()))
                return [] if method == "HEAD" or status == 304 else [body]
        return self.application(environ, start_response)
