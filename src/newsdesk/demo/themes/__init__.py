"""The outlets' templates, one module each; theme_for picks one by its key."""

from __future__ import annotations

from .base import Theme
from .bespoke import BespokeTheme
from .jnews import JNewsTheme
from .joomla import JoomlaTheme
from .tagdiv import TagDivTheme

THEMES = (JNewsTheme, JoomlaTheme, BespokeTheme, TagDivTheme)


def theme_for(key: str) -> Theme:
    """The theme with this key ("jnews", "joomla", "bespoke" or "tagdiv"); raises KeyError."""
    for theme in THEMES:
        if theme.key == key:
            return theme()
    raise KeyError(key)


__all__ = ["THEMES", "Theme", "theme_for"]
