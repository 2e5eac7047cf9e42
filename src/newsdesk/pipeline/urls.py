"""Canonical URLs: one spelling per article, so the same story is stored once.

``canonicalize`` normalises what is safe to normalise everywhere (case of scheme and host, IDNA,
default ports, fragments, well-known tracking parameters, query order). ``choose_canonical``
decides whether to trust a page's own ``<link rel=canonical>``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import idna

__all__ = ["canonicalize", "choose_canonical", "is_http_url", "same_site", "TRACKING_PARAMS"]

HTTP_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Only parameters that are tracking everywhere they appear. Generic names such as "ref",
# "source" or "id" are kept: on some sites they select the content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "igshid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url",
    "mkt_tok", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "oly_anon_id", "oly_enc_id",
    "vero_id", "wickedid", "s_kwcid",
})
TRACKING_PREFIXES = ("utm_",)

# RFC 3986 unreserved characters: percent-escapes of these mean the same as the character.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters that may stay literal in a path or query; anything else is percent-encoded.
_PATH_SAFE = frozenset("/:@!$&'()*+,;=%") | _UNRESERVED
_QUERY_SAFE = _PATH_SAFE | frozenset("?")


def is_http_url(s: object) -> bool:
    """Tell whether ``s`` is an absolute http(s) URL with a host.

    Returns False for anything else, including non-strings and URLs with spaces in the host.
    """
    if not isinstance(s, str) or not s.strip():
        return False
    try:
        parts = urlsplit(s.strip())
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in HTTP_SCHEMES or not host:
        return False
    return not any(c.isspace() for c in host)


def canonicalize(url: str) -> str:
    """Return the canonical spelling of an absolute http(s) URL.

    Lower-cases scheme and host, encodes an international host with IDNA, drops the default
    port, the fragment (except an ``#!`` route) and tracking parameters, sorts the remaining
    query parameters by name (stable, so repeated names keep their order), writes an empty path
    as "/", resolves "." and ".." segments and normalises percent-escapes. The path's case is
    kept. A string that is not an absolute http(s) URL is returned stripped but otherwise as is.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in HTTP_SCHEMES or not parts.hostname:
        return url
    host = _normalise_host(parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _clean_query(parts.query)
    # "#!" routes (AJAX-crawlable pages) identify content; other fragments only scroll.
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def same_site(a: str, b: str) -> bool:
    """Tell whether two URLs are on the same host, ignoring scheme, port and a leading "www.".

    Returns False when either has no host.
    """
    ha, hb = _site_host(a), _site_host(b)
    return bool(ha) and ha == hb


def choose_canonical(page_url: str, declared: str | None) -> str:
    """Choose the URL to store a page under.

    The page's declared ``<link rel=canonical>`` (resolved against ``page_url`` when relative)
    wins when it is http(s) and on the same site as the page; otherwise, and when it points an
    article at the site's home page (a common template bug that would merge every article into
    one), the page's own URL is used. Returns a canonicalized URL.
    """
    fallback = canonicalize(page_url)
    if not declared or not declared.strip():
        return fallback
    try:
        resolved = urljoin(page_url.strip(), declared.strip())
    except ValueError:
        return fallback
    if not is_http_url(resolved) or not same_site(resolved, page_url):
        return fallback
    chosen = canonicalize(resolved)
    if _is_home(chosen) and not _is_home(fallback):
        return fallback
    return chosen


def _normalise_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host


def _site_host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname
    except (ValueError, AttributeError):
        return ""
    if not host:
        return ""
    host = _normalise_host(host)
    return host[4:] if host.startswith("www.") else host


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def _normalise_escapes(text: str, safe: frozenset[str]) -> str:
    """Upper-case percent-escapes, decode escaped unreserved characters, encode unsafe ones."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    text = _PERCENT.sub(fix, text)
    out = []
    for i, char in enumerate(text):
        if char in safe and not (char == "%" and not _PERCENT.match(text, i)):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out)


def _clean_query(query: str) -> str:
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        raw_name = part.split("=", 1)[0]
        name = unquote(raw_name.replace("+", " ")).lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append((unquote(raw_name.replace("+", " ")), _normalise_escapes(part, _QUERY_SAFE)))
    kept.sort(key=lambda pair: pair[0])
    return "&".join(part for _, part in kept)
