"""newsdesk's pure pipeline: bytes in, frozen dataclasses out; it never imports Django.

    from newsdesk.pipeline import extract
    article = extract(html, url=None, options=None)  # -> Article

The stages live in their own modules (``feeds``, ``fetch``, ``urls``, ...) and the extractor in
the ``extraction`` package (``newsdesk.pipeline.extraction.core``, ``.template``, ...), so that
``extract`` here is the function and nothing else.
"""

from .errors import ExtractionError
from .extraction import ExtractOptions, extract
from .model import Article

__all__ = ["Article", "ExtractOptions", "ExtractionError", "extract"]
