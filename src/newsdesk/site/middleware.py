"""Security middleware: the Content Security Policy (which Django 5.2 does not set by itself),
Secure cookies over https, and the client address that login throttling counts."""

from __future__ import annotations

from django.conf import settings


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` from the ``SECURE_CSP`` setting ({directive: [sources]}).

    Paths under a prefix in ``SECURE_CSP_PATH_OVERRIDES`` ({prefix: {directive: [sources]}}) get
    those directives replaced, e.g. the admin's inline styles.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        base = dict(getattr(settings, "SECURE_CSP", {}))
        self.default = _policy(base)
        self.overrides = [(prefix, _policy({**base, **extra}))
                          for prefix, extra in getattr(settings, "SECURE_CSP_PATH_OVERRIDES", {}).items()]

    def __call__(self, request):
        response = self.get_response(request)
        if self.default and "Content-Security-Policy" not in response:
            policy = next((p for prefix, p in self.overrides if request.path.startswith(prefix)), self.default)
            response["Content-Security-Policy"] = policy
        return response


class SecureCookiesMiddleware:
    """Marks every cookie Secure on responses to requests that arrived over https.

    Behind the trusted proxy ``request.is_secure()`` follows its X-Forwarded-Proto, so the same
    installation answers plain http on 127.0.0.1 and sets Secure cookies for its public https name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


def client_address(request) -> str | None:
    """The reader's address as django-axes counts it: REMOTE_ADDR, which waitress sets from
    X-Forwarded-For only for requests through ``NEWSDESK_TRUSTED_PROXY``."""
    return request.META.get("REMOTE_ADDR") or None
