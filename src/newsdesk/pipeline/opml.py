"""OPML subscription lists: read one into flat outlines, write sources out as one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from .errors import OPMLError, unexpected_errors
from .urls import is_http_url

__all__ = ["OpmlOutline", "parse_opml", "write_opml"]


@dataclass(frozen=True)
class OpmlOutline:
    """One subscribed feed. ``category`` is the folder it was listed under, or ""."""

    title: str
    xml_url: str
    html_url: str = ""
    category: str = ""


@unexpected_errors(OPMLError, "this OPML file")
def parse_opml(content: bytes) -> list[OpmlOutline]:
    """Read the feeds of an OPML document, nested folders flattened.

    A feed's category is the text of the folder outline holding it (the nearest one when folders
    nest), else the first entry of its own ``category`` attribute. Feeds listed twice are kept
    once; ``feed:`` URLs are read as http(s); outlines without an http(s) xmlUrl are skipped.
    Returns the feeds in document order. Raises OPMLError (a FeedError) when the bytes are not
    OPML, or nest deeper than libxml2's limit of 256 levels.
    """
    if not content or not content.strip():
        raise OPMLError("the OPML file is empty")
    # Subscription lists come from users: no DTD, no entities, no network.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            raise OPMLError(f"this OPML file is beyond what newsdesk reads ({exc.msg}): it nests "
                            "outlines more than 256 deep or declares entities that expand "
                            "it many times over") from None
        raise OPMLError(f"this is not a valid OPML document ({exc})") from None
    if _local(root) != "opml":
        raise OPMLError(f"this XML document (root <{root.tag}>) is not OPML")
    body = next((el for el in root if _local(el) == "body"), None)
    found: dict[str, OpmlOutline] = {}
    if body is not None:
        for outline in _walk(body, ""):
            found.setdefault(outline.xml_url, outline)
    return list(found.values())


def write_opml(outlines: Iterable[OpmlOutline], title: str = "newsdesk sources") -> str:
    """Write outlines as an OPML 2.0 document, one folder outline per category.

    Categories appear in the order first seen; uncategorised feeds sit at the top level.
    Returns the document as text, starting with an XML declaration.
    """
    root = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(root, "head"), "title").text = title
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for outline in outlines:
        parent = body
        if outline.category:
            if outline.category not in folders:
                folders[outline.category] = etree.SubElement(
                    body, "outline", text=outline.category, title=outline.category)
            parent = folders[outline.category]
        attrs = {"type": "rss", "text": outline.title, "title": outline.title,
                 "xmlUrl": outline.xml_url}
        if outline.html_url:
            attrs["htmlUrl"] = outline.html_url
        etree.SubElement(parent, "outline", attrs)
    text = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text


def _walk(parent, category: str):
    for el in parent:
        if _local(el) != "outline":
            continue
        attrs = {k.lower(): v for k, v in el.attrib.items()}
        label = " ".join((attrs.get("title") or attrs.get("text") or "").split())
        xml_url = _http_url(attrs.get("xmlurl"))
        if xml_url:
            yield OpmlOutline(
                title=label,
                xml_url=xml_url,
                html_url=_http_url(attrs.get("htmlurl")) or "",
                category=category or _first_category(attrs.get("category")),
            )
        # Children of a feed outline are unusual but exist; they stay in the enclosing folder.
        yield from _walk(el, category if xml_url else (label or category))


def _first_category(value: str | None) -> str:
    # OPML 2.0: comma-separated, slash-delimited paths such as "/News/World,/Tech".
    first = (value or "").split(",")[0]
    return first.strip().strip("/").strip()


def _http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    # Old browsers wrote subscriptions as feed://host/path or feed:https://host/path.
    if value.lower().startswith("feed:"):
        rest = value[5:]
        value = rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
    return value if is_http_url(value) else None


def _local(el) -> str:
    # Not etree.QName: it refuses the tag of an element whose namespace name holds a "}".
    return el.tag.rpartition("}")[2].lower() if isinstance(el.tag, str) else ""
