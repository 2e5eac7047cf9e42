"""The site's own pictures: rendition files from the data directory, kept by browsers for a year.

A file's name is the hash of its bytes, so a name never changes content: the answer is
``immutable``, and its ETag is the name. Only names the site writes are served (the URL pattern
is ``images.storage.NAME``), so no address can reach outside the pictures' folder.
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_safe

from newsdesk.site.images import storage

YEAR = 365 * 24 * 3600
PATTERN = rf"^media/images/{storage.NAME}$"  # the route in ``newsdesk.site.urls``


@require_safe
def image(request, shard: str, file: str):
    """One rendition file, or 404."""
    name = f"{shard}/{file}"
    path = storage.path_of(name)
    if path is None:
        return _missing()
    etag = f'"{file.rsplit(".", 1)[0]}"'
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "ETag": etag,
               "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"}
    if etag in [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponse(status=304, headers=headers)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return _missing()
    content_type = storage.MEDIA_TYPES[path.suffix.lstrip(".")]
    return HttpResponse(data, content_type=content_type, headers=headers)


def _missing() -> HttpResponse:
    # Plain and short-lived: a picture deleted with its article may still be linked from a cached page.
    response = HttpResponseNotFound(b"No such picture.", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
