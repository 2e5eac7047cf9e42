"""HTML to Article: the extraction stage, and per-source template learning."""

from .core import extract
from .options import ExtractOptions
from .template import SourceTemplate, TemplateOptions, learn_template

__all__ = ["ExtractOptions", "SourceTemplate", "TemplateOptions", "extract", "learn_template"]
