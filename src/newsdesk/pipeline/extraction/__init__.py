"""HTML to Article: the extraction stage, and per-source template learning.

``extract(html, url, options)`` parses the page (lxml), reads its metadata (meta tags, JSON-LD,
bylines, the date shown under the headline), cuts the body into segments (paragraphs,
headings, list items, quotes, figures) keeping the spaces at inline-tag boundaries, scores each
segment with a small gradient-boosted tree classifier (trained by ``bench/train_extract.py``,
shipped as constant data, evaluated with numpy), and renders the kept segments as Blocks,
sanitized HTML and plain text.

``learn_template(pages)`` learns what recurs across pages of one source (promos, newsletter
prompts, related-story boxes); ``ExtractOptions(template=...)`` then removes it.
"""

from .core import extract
from .options import ExtractOptions
from .template import SourceTemplate, TemplateOptions, learn_template

__all__ = ["ExtractOptions", "SourceTemplate", "TemplateOptions", "extract", "learn_template"]
