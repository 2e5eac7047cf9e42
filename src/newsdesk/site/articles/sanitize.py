"""The one place where article HTML becomes markup the site renders.

Article bodies were written by other sites. The pipeline stores them already cleaned; they are
cleaned again here with the pipeline's own allow-list, so a row written some other way (an old
version, an import, a manual edit) can still never carry script into a page.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

from newsdesk.pipeline.extraction.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES


def article_html(html: str) -> SafeString:
    """The article body cleaned to the allow-list, ready to render."""
    cleaned = nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes=URL_SCHEMES, link_rel="noopener nofollow", strip_comments=True,
                        set_tag_attribute_values={"img": {"loading": "lazy"}})
    return mark_safe(cleaned)
