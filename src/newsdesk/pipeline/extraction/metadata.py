"""Article metadata from a page's head, JSON-LD and bylines: title, authors, date, and the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from .. import jsontext
from .dates import find_date
from .segment import clean_text, image_url

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—•·:»«]|::)\s+")
_BY_PREFIX = re.compile(r"^\s*(?:(?:written|reviewed|posted|words|story|text|article|photos?)\s+)?"
                        r"(?:(?:by|von|par|por|di|door|av|af)\s*[:\-]?\s+|by(?=(?-i:[A-Z])))", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@|\d{3,}|^(?:the )?author$|^admin$|min read", re.I)
_ARTICLE_TYPES = ("article", "newsarticle", "blogposting", "reportagenewsarticle", "report",
                  "analysisnewsarticle", "opinionnewsarticle", "techarticle", "scholarlyarticle",
                  "socialmediaposting", "liveblogposting", "webpage", "posting", "backgroundnewsarticle")


@dataclass
class Metadata:
    """What the page says about itself; empty strings where it says nothing."""

    title: str = ""
    authors: tuple[str, ...] = ()
    date: object = None
    language: str = ""
    canonical_url: str | None = None
    description: str = ""
    site_name: str = ""
    image: str = ""
    sections: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    jsonld: list = field(default_factory=list)

    @property
    def article_body(self) -> str:
        """The story's text as the page's structured data gives it (JSON-LD articleBody), or ''."""
        for obj in self.jsonld:
            body = obj.get("articleBody")
            if isinstance(body, str) and body.strip():
                return body
        return ""

    def page_kind(self) -> tuple[float, ...]:
        """What kind of page this says it is: news article, blog post, other article, ..."""
        types: set[str] = set()
        for obj in self.jsonld:
            t = obj.get("@type")
            for name in (t if isinstance(t, list) else [t]):
                if isinstance(name, str):
                    types.add(name.lower())
        news = any("news" in t or t == "report" for t in types)
        blog = "blogposting" in types or "posting" in types
        article = any(t.endswith("article") for t in types)
        og_article = self.meta.get("og:type", "").lower() == "article"
        published = any(k in self.meta for k in ("article:published_time", "datepublished",
                                                  "pubdate", "publish-date", "date"))
        return (float(news), float(blog), float(article), float(og_article), float(published),
                float(bool(self.authors)))


def read_metadata(root: etree._Element, url: str | None, fast: bool = False) -> Metadata:
    """Read metadata from an uncleaned tree (JSON-LD lives in <script> elements)."""
    meta = _meta_tags(root)
    jsonld = _jsonld_articles(root)
    md = Metadata(meta=meta, jsonld=jsonld)
    doc_title = clean_text(root.findtext(".//title") or "")
    md.site_name = meta.get("og:site_name") or _ld_publisher(jsonld) or ""
    md.title = _title(root, meta, jsonld, doc_title, md.site_name)
    md.authors = _authors(root, meta, jsonld)
    md.date = find_date(root, meta, jsonld, url)
    md.language = _language(root, meta)
    md.canonical_url = _canonical(root, meta, url)
    md.description = clean_text(meta.get("og:description") or meta.get("description")
                                or meta.get("twitter:description") or "")
    md.sections = _sections(meta, jsonld)
    image = (meta.get("og:image") or meta.get("og:image:url") or meta.get("og:image:secure_url")
             or meta.get("twitter:image") or meta.get("twitter:image:src") or _ld_image(jsonld))
    md.image = image_url(image, url) if isinstance(image, str) else ""
    return md


_MAX_SECTIONS = 5


def _sections(meta: dict[str, str], jsonld: list[dict]) -> tuple[str, ...]:
    """The site's sections the page says it belongs to (article:section, articleSection)."""
    found: list[str] = []
    values: list = [meta.get("article:section", "")]
    for obj in jsonld:
        value = obj.get("articleSection")
        values += value if isinstance(value, list) else [value]
    for value in values:
        if not isinstance(value, str):
            continue
        for part in value.split(","):
            name = clean_text(part)[:100]
            if name and name.lower() not in {f.lower() for f in found}:
                found.append(name)
    return tuple(found[:_MAX_SECTIONS])


def _meta_tags(root) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "")
        content = el.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), content.strip())
    return out


def _jsonld_articles(root) -> list[dict]:
    """JSON-LD objects of article-like types, most specific first."""
    found: list[dict] = []
    others: list[dict] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = jsontext.loads(raw)
        except RecursionError:  # nested past the interpreter's limit: no article data is
            continue
        except ValueError:
            try:  # some sites leave raw newlines or trailing semicolons in their JSON-LD
                data = jsontext.loads(re.sub(r"[\r\n\t]+", " ", raw).rstrip(";"))
            except (ValueError, RecursionError):
                continue
        for obj in _flatten(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            names = {str(t).lower() for t in types if t}
            if names & set(_ARTICLE_TYPES[:-3]) or any(n.endswith("article") for n in names):
                found.append(obj)
            elif names & {"webpage", "posting", "liveblogposting"}:
                others.append(obj)
    return found + others


def _flatten(data, depth: int = 0):
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _flatten(main, depth + 1)


def _ld_publisher(jsonld) -> str:
    for obj in jsonld:
        pub = obj.get("publisher")
        if isinstance(pub, list) and pub:
            pub = pub[0]
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            return pub["name"].strip()
    return ""


def _ld_image(jsonld) -> str:
    for obj in jsonld:
        img = obj.get("image")
        if isinstance(img, list) and img:
            img = img[0]
        if isinstance(img, dict):
            img = img.get("url") or img.get("@id")
        if isinstance(img, str) and img.strip():
            return img.strip()
    return ""


def _title(root, meta, jsonld, doc_title: str, site_name: str) -> str:
    candidates = []
    for obj in jsonld:
        headline = obj.get("headline") or obj.get("name")
        if isinstance(headline, str) and headline.strip():
            candidates.append(clean_text(headline))
            break
    for key in ("og:title", "twitter:title", "title", "dc.title", "headline"):
        if meta.get(key):
            candidates.append(clean_text(meta[key]))
    h1s = [clean_text("".join(h.itertext())) for h in root.iter("h1")]
    h1s = [h for h in h1s if 3 <= len(h) <= 300]
    # The visible <h1> is what readers see as the title; trust it when the page's own
    # metadata agrees with it, otherwise prefer metadata (an <h1> is often the site logo).
    for h in h1s:
        norm = _norm(h)
        if any(norm and (norm == _norm(c) or norm in _norm(c)) for c in candidates + [doc_title]):
            return h
    if candidates:
        return _strip_site(candidates[0], site_name)
    if len(h1s) == 1:
        return h1s[0]
    return _strip_site(doc_title, site_name)


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def _strip_site(title: str, site_name: str) -> str:
    """Drop a " | Site Name" style suffix or prefix from a title."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site = _norm(site_name)
    if site:
        kept = [p for p in parts if _norm(p) != site and site not in _norm(p)]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    # Without a known site name, the longest part is the headline.
    longest = max(parts, key=len)
    return longest if len(longest) >= 0.4 * len(title) else title


def _authors(root, meta, jsonld) -> tuple[str, ...]:
    """Authors, from the most to the least reliable source: schema.org persons, the author meta
    tag, the visible byline, and last an organisation named as author."""
    people, organisations = [], []
    for obj in jsonld:
        _ld_names(obj.get("author"), people, organisations)
        if people:
            break
    # Sites often name themselves as the author; a byline on the page is better then.
    site = {_norm(meta.get("og:site_name", "")), _norm(_ld_publisher(jsonld))} - {""}
    organisations += [p for p in people if _norm(p) in site]
    people = [p for p in people if _norm(p) not in site]
    names = people
    if not names:
        for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author",
                    "byl", "dcterms.creator"):
            value = meta.get(key, "")
            if value and _looks_like_name(value):
                names = _split_names(value)
                break
    if not names:
        names = _byline(root) or _by_line(root)
    if not names:
        names = organisations
    seen: dict[str, None] = {}
    for name in names:
        name = _clean_name(name)
        if 1 < len(name) <= 80 and not _NOT_A_NAME.search(name) and name.lower() not in (
                n.lower() for n in seen):
            seen[name] = None
    return tuple(seen)[:6]


def _looks_like_name(value: str) -> bool:
    """Not a URL or an e-mail address."""
    return bool(value.strip()) and not _NOT_A_NAME.search(value)


def _clean_name(name: str) -> str:
    name = _BY_PREFIX.sub("", clean_text(name))
    name = _BYLINE_TAIL.split(name)[0]
    return name.strip(" ,.;:|-–—•·")


def _ld_names(author, people: list, organisations: list) -> None:
    if isinstance(author, str):
        if _looks_like_name(author):
            people.extend(_split_names(author))
    elif isinstance(author, dict):
        name = author.get("name")
        if isinstance(name, str) and name.strip():
            kind = author.get("@type")
            kinds = {str(k).lower() for k in (kind if isinstance(kind, list) else [kind])}
            (organisations if kinds & {"organization", "newsmediaorganization", "corporation"}
             else people).append(name)
    elif isinstance(author, list):
        for a in author:
            _ld_names(a, people, organisations)


def _split_names(value: str) -> list[str]:
    value = _BYLINE_TAIL.split(_BY_PREFIX.sub("", clean_text(value)))[0]
    return [p for p in _AUTHOR_SPLIT.split(value) if p and p.strip()]


_BYLINE_HINT = re.compile(r"\b(?:byline|author|writer|contributor)", re.I)
_BYLINE_TAIL = re.compile(
    r"\s*(?:\||•|·|\s[-–—]\s|[-–—]\s*\d|(?:published|updated|posted|last)\b|\bon\b|\d|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)", re.I)


def _by_line(root) -> list[str]:
    """Names from a short "By Jane Doe" line, for bylines without a telling class."""
    checked = 0
    for el in root.iter("p", "span", "div", "strong", "em", "b", "small"):
        text = el.text
        if text and text.lstrip()[:3].lower() == "by " or (text and text.strip().lower() == "by"):
            line = clean_text("".join(el.itertext()))
            if 4 <= len(line) <= 80 and len(line.split()) <= 10:
                names = [n for n in _split_names(line) if len(_clean_name(n)) > 1]
                if names:
                    return names
            checked += 1
            if checked > 20:
                break
    return []


def _byline(root) -> list[str]:
    for el in root.iter("a", "span", "div", "p", "address", "strong"):
        if el.get("rel") == "author" or el.get("itemprop") == "author" or _BYLINE_HINT.search(
                (el.get("class") or "") + " " + (el.get("id") or "")):
            name_el = el.find(".//*[@itemprop='name']")
            text = clean_text("".join((name_el if name_el is not None else el).itertext()))
            if 3 <= len(text) <= 100:
                names = [n for n in _split_names(text) if len(_clean_name(n)) > 1]
                if names:
                    return names
    return []


def _language(root, meta) -> str:
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
            or meta.get("og:locale") or meta.get("content-language") or meta.get("language") or "")
    lang = lang.strip().replace("_", "-")
    return lang.split("-")[0].lower() if lang else ""


def _canonical(root, meta, url: str | None) -> str | None:
    href = None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href = link.get("href").strip()
            break
    href = href or meta.get("og:url")
    if not href:
        return url
    absolute = urljoin(url, href) if url else href
    return absolute if absolute.startswith(("http://", "https://")) else url
