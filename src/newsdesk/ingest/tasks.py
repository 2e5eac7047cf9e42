"""Small jobs that take ids, are idempotent, and write in one transaction each, run in this process
(the admin's actions, the embedded scheduler). ``worker`` holds their distributed forms, the
Celery tasks that ``newsdesk worker`` runs.
"""

from __future__ import annotations

from newsdesk.pipeline.fetch import Fetcher

from . import services
from .fetching import make_fetcher


def poll_source(source_id: int, fetcher: Fetcher | None = None) -> services.PollResult:
    """Poll one source. A caller that polls many passes one shared fetcher for politeness."""
    if fetcher is not None:
        return services.poll_source(source_id, fetcher)
    with make_fetcher() as own:
        return services.poll_source(source_id, own)


def reextract_article(article_id: int) -> str:
    """Extract a stored article again from its stored page with its source's template."""
    return services.reextract_article(article_id)


def refresh_template(source_id: int) -> bool:
    """Learn a source's template again and re-extract the pages it was learned from."""
    return services.refresh_template(source_id, reextract=True)
