"""newsdesk's pure pipeline: bytes in, frozen dataclasses out; it never imports Django.

    from newsdesk.pipeline import extract
    article = extract(html, url=None, options=None)  # -> Article

The stages live in their own modules (``feeds``, ``fetch``, ``urls``, ...) and the extractor in
the ``extract`` package, whose modules import as ``from newsdesk.pipeline.extract import core``.
Here ``extract`` is the function: the package is imported first, below, so that the binding made
afterwards is the one that stays (the import system sets a package's attribute on its parent
only when the package is first loaded). ``import newsdesk.pipeline.extract.core as core`` reads
that attribute, so it finds the function; use the ``from`` form.
"""

from .errors import ExtractionError
from .extract import ExtractOptions, extract
from .model import Article

__all__ = ["Article", "ExtractOptions", "ExtractionError", "extract"]
