"""What every page's layout shows: the site's name, tagline and logo, its sections and banner."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from newsdesk.site import pagecache
from newsdesk.site.articles.models import Banner
from newsdesk.site.articles.tree import CategoryTree

LOGO = "newsdesk/logo.svg"  # a theme overrides it with theme/static/newsdesk/logo.svg


def logo_url(configured: str) -> str:
    """The logo's URL: NEWSDESK_SITE_LOGO as given when it is a URL, else a static file path."""
    if configured.startswith(("http://", "https://", "/")):
        return configured
    return static(configured or LOGO)


def site_info() -> dict[str, str]:
    """Name, tagline and logo URL, from settings only (safe for error pages: no database)."""
    conf = settings.NEWSDESK
    return {"name": str(conf.get("SITE_NAME") or "newsdesk"), "tagline": str(conf.get("SITE_TAGLINE") or ""),
            "logo_url": logo_url(str(conf.get("SITE_LOGO") or ""))}


def category_tree(request) -> CategoryTree:
    """The category tree, read once until a category changes, however many pages ask for it."""
    tree = getattr(request, "_newsdesk_tree", None)
    if tree is None:
        tree = request._newsdesk_tree = shared_category_tree()
    return tree


def shared_category_tree() -> CategoryTree:
    """The category tree this process keeps until a category changes (see ``pagecache.layout``)."""
    return pagecache.layout("category-tree", CategoryTree.load)


# The layout's fixed links, by the name templates use (``{{ links.feed_atom }}``).
LAYOUT_LINKS = ("home", "latest", "search", "map", "feed", "feed-atom", "feed-json", "sitemap")
_links: dict[str, dict[str, str]] = {}


def layout_links() -> dict[str, str]:
    """The addresses of the layout's fixed links, reversed once per script prefix: every page
    shows a dozen, and reversing each costs more than the rest of its line."""
    prefix = get_script_prefix()
    links = _links.get(prefix)
    if links is None:
        links = _links[prefix] = {name.replace("-", "_"): reverse(name) for name in LAYOUT_LINKS}
    return links


def _banner():
    return Banner.objects.filter(enabled=True).first() or {}


def site(request) -> dict:
    """Template context for the layout. The database is read only if the template uses it."""
    return {
        "site": site_info(),
        "links": layout_links(),
        "nav_categories": SimpleLazyObject(lambda: category_tree(request).roots()),
        "banner": SimpleLazyObject(lambda: pagecache.layout("banner", _banner)),
    }
