"""The one place where content from outside becomes markup or addresses the site renders.

Article bodies were written by other sites. The pipeline stores them already cleaned; they are
cleaned again here with the pipeline's own allow-list, so a row written some other way (an old
version, an import, a manual edit) can still never carry script into a page. Addresses that
outlets and readers gave (a lead image, a commenter's website) are checked again for the same
reason before they become a ``src`` or an ``href``.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

from newsdesk.pipeline.extraction.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from newsdesk.pipeline.urls import is_http_url


def article_html(html: str) -> SafeString:
    """The article body cleaned to the allow-list, ready to render."""
    cleaned = nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes=URL_SCHEMES, link_rel="noopener nofollow", strip_comments=True,
                        set_tag_attribute_values={"img": {"loading": "lazy"}})
    return mark_safe(cleaned)


def http_url(url: str) -> str:
    """``url`` without surrounding space when it is an absolute http(s) address with a host, else "".

    Anything else (javascript:, data:, vbscript:, a scheme hidden behind tabs, control
    characters or mixed case, an address without a host) is never rendered as a link or a source.
    """
    return url.strip() if is_http_url(url) else ""
