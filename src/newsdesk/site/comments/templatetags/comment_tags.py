"""Template tags for the comments section."""

from __future__ import annotations

from django import template

from newsdesk.site.comments.text import comment_html

register = template.Library()


@register.filter
def comment_text(text: str):
    """A comment's text, escaped, with paragraphs, line breaks and nofollow links."""
    return comment_html(text)
