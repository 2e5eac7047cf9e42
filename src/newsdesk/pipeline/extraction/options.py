"""The one options object of the extraction stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .classifier import BlockModel
    from .template import SourceTemplate


@dataclass(frozen=True)
class ExtractOptions:
    """How :func:`newsdesk.pipeline.extraction.extract` should work.

    ``template`` removes blocks learned as boilerplate of the page's source. ``fast`` skips
    looking for a date in the page's text (dates then come from its structured data and URL)
    and the second opinion. ``second_opinion`` lets trafilatura read the pages the classifier
    is unsure of; where the two disagree, its body is taken when it found more, and prunes the
    classifier's doubtful segments when it found less (see ``second.py``). ``include_images``
    keeps figures in ``blocks``/``html``/``images``; ``include_links`` keeps ``<a href>`` in the rendered HTML. ``model`` replaces the shipped
    block classifier (for evaluating a retrained one).
    """

    template: SourceTemplate | None = None
    fast: bool = False
    second_opinion: bool = True
    include_images: bool = True
    include_links: bool = True
    model: BlockModel | None = None
