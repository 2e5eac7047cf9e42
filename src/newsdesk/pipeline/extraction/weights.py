"""The shipped block classifier, read once from the generated ``_weights`` module.

DEFAULT_MODEL is constant data (read-only arrays and mappings in a frozen dataclass), like a
compiled pattern: nothing writes to it after import. It is None when the generated module is
missing or was trained on another feature layout; extraction then falls back to text density.
"""

from __future__ import annotations

from .classifier import BlockModel
from .features import FEATURE_NAMES


def _load() -> BlockModel | None:
    try:
        from ._weights import MODEL
    except ImportError:  # before the first training run
        return None
    model = BlockModel.loads("".join(MODEL) if isinstance(MODEL, tuple) else MODEL)
    return model if model.feature_names == FEATURE_NAMES else None


DEFAULT_MODEL: BlockModel | None = _load()
