"""The comment form's forgery check: the browser's word on where a post comes from, no cookie.

Browsers send ``Sec-Fetch-Site`` with every request (``same-origin`` from this site's own
pages) and ``Origin`` with every POST. A post another site's page makes a reader's browser send
says so in both, and is refused. A client that sends neither is not a browser that could be
tricked into posting (or one too old to matter), and is let through to the spam guards like
any other. Django's CSRF token is still used by the admin; public pages carry none, so one
cached copy of a page (here or in a proxy in front) serves every reader.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import REASON_BAD_ORIGIN
from django.utils.module_loading import import_string


def _own_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def allowed(request) -> bool:
    """Whether a POST to this site may have come from a page of this site."""
    origin = request.META.get("HTTP_ORIGIN")
    trusted = origin is not None and (origin == _own_origin(request) or origin in settings.CSRF_TRUSTED_ORIGINS)
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none") or trusted
    return origin is None or trusted


def refusal(request):
    """The 403 page for a post that came from elsewhere, else None."""
    if allowed(request):
        return None
    origin = request.META.get("HTTP_ORIGIN", "")
    return import_string(settings.CSRF_FAILURE_VIEW)(request, reason=REASON_BAD_ORIGIN % origin)
