"""Themed error pages. The 500 page reads nothing from the database, which may be what failed."""

from __future__ import annotations

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from newsdesk.site.context_processors import site_info


@requires_csrf_token
def server_error(request):
    """Render 500.html with the site's name only; fall back to plain text if even that fails."""
    try:
        body = loader.get_template("500.html").render({"site": site_info(), "error_page": True})
    except Exception:  # the template itself may be what is broken; answer anyway
        return HttpResponseServerError("Server error", content_type="text/plain")
    return HttpResponseServerError(body)
