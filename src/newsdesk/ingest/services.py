"""The ingest operations that the CLI, the admin, tasks and the scheduler all call."""

from .polling import PollResult, backoff_delay, due_sources, fetch_entry, page_from_response, poll_source
from .sources import (SourceError, add_source, discover, export_opml, find_source, import_opml, remove_source,
                      source_rows)
from .store import NEW, UNCHANGED, UPDATED, Page, store_article
from .templates import extract_options_for, reextract_article, refresh_template

__all__ = [
    "NEW", "UNCHANGED", "UPDATED", "Page", "PollResult", "SourceError", "add_source", "backoff_delay",
    "discover", "due_sources", "export_opml", "extract_options_for", "fetch_entry", "find_source",
    "import_opml", "page_from_response", "poll_source", "reextract_article", "refresh_template",
    "remove_source", "source_rows", "store_article",
]
