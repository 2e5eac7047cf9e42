"""newsdesk.pipeline.urls: canonical URLs and the choice of rel=canonical."""

from __future__ import annotations

import pytest

from newsdesk.pipeline.urls import canonicalize, choose_canonical, is_http_url, same_site


@pytest.mark.parametrize("url, expected", [
    # case: scheme and host lower-cased, path kept
    ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
    ("https://example.com./a", "https://example.com/a"),
    # default ports dropped, others kept
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    # empty path, empty query, fragments
    ("https://example.com", "https://example.com/"),
    ("https://example.com?", "https://example.com/"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?b=1#top", "https://example.com/a?b=1"),
    ("https://example.com/#!/story/12", "https://example.com/#!/story/12"),
    # tracking parameters
    ("https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"),
    ("https://example.com/a?UTM_Source=x&id=3", "https://example.com/a?id=3"),
    ("https://example.com/a?id=3&fbclid=IwAR0abc", "https://example.com/a?id=3"),
    ("https://example.com/a?gclid=1&dclid=2&msclkid=3&yclid=4&igshid=5", "https://example.com/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&ref_src=twsrc", "https://example.com/a"),
    ("https://example.com/a?utm_content=&page=2", "https://example.com/a?page=2"),
    # generic names are not trackers: kept
    ("https://example.com/a?ref=main&source=rss", "https://example.com/a?ref=main&source=rss"),
    ("https://example.com/a?utmost=1", "https://example.com/a?utmost=1"),
    # remaining parameters sorted by name, stable for repeated names, raw values untouched
    ("https://example.com/s?q=b&a=1&q=a", "https://example.com/s?a=1&q=b&q=a"),
    ("https://example.com/s?flag&x=a%2Bb+c", "https://example.com/s?flag&x=a%2Bb+c"),
    ("https://example.com/s?b=2&&a=1", "https://example.com/s?a=1&b=2"),
    # percent-escapes normalised, unsafe characters escaped, dot segments resolved
    ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
    ("https://example.com/caf\u00e9 menu", "https://example.com/caf%C3%A9%20menu"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/../a", "https://example.com/a"),
    ("https://example.com/v1.2/file.html", "https://example.com/v1.2/file.html"),
    # international host names
    ("https://BÜCHER.example/Straße", "https://xn--bcher-kva.example/Stra%C3%9Fe"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    ("https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/", "https://xn--e1afmkfd.xn--p1ai/"),
    # IPv6 and user info survive
    ("http://[::1]:80/a", "http://[::1]/a"),
    ("https://user:pw@Example.com/a", "https://user:pw@example.com/a"),
    # whitespace around, and things that are not http(s) URLs, come back as they are
    ("  https://example.com/a  ", "https://example.com/a"),
    ("mailto:desk@example.com", "mailto:desk@example.com"),
    ("/relative/path", "/relative/path"),
    ("https://example.com:notaport/a", "https://example.com:notaport/a"),
])
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


@pytest.mark.parametrize("url", [
    "https://example.com/a?b=1&utm_source=x#f",
    "HTTP://WWW.Example.com:80",
    "https://bücher.example/ä?z=1&a=2",
])
def test_canonicalize_is_idempotent(url):
    once = canonicalize(url)
    assert canonicalize(once) == once


@pytest.mark.parametrize("page, declared, expected", [
    # same site: the declared URL wins (canonicalized)
    ("https://www.paper.example/a?utm_source=x", "https://www.paper.example/news/a",
     "https://www.paper.example/news/a"),
    ("https://paper.example/amp/a", "https://www.paper.example/a", "https://www.paper.example/a"),
    ("https://www.paper.example/a", "http://paper.example/a", "http://paper.example/a"),
    ("https://www.paper.example/a", "https://WWW.PAPER.example/a#x", "https://www.paper.example/a"),
    # relative declarations resolve against the page
    ("https://www.paper.example/2024/a?page=2", "/2024/a", "https://www.paper.example/2024/a"),
    ("https://www.paper.example/2024/a", "a-full", "https://www.paper.example/2024/a-full"),
    ("https://www.paper.example/2024/a", "//www.paper.example/2024/b", "https://www.paper.example/2024/b"),
    # other sites, including look-alikes and sibling subdomains, are not trusted
    ("https://www.paper.example/a", "https://aggregator.example/a", "https://www.paper.example/a"),
    ("https://paper.example/a", "https://paper.example.evil.example/a", "https://paper.example/a"),
    ("https://blog.paper.example/a", "https://shop.paper.example/a", "https://blog.paper.example/a"),
    # not http(s), missing, blank
    ("https://www.paper.example/a", "javascript:alert(1)", "https://www.paper.example/a"),
    ("https://www.paper.example/a", "ftp://www.paper.example/a", "https://www.paper.example/a"),
    ("https://www.paper.example/a?utm_medium=x", None, "https://www.paper.example/a"),
    ("https://www.paper.example/a", "   ", "https://www.paper.example/a"),
    # a template bug pointing every article at the home page is ignored
    ("https://www.paper.example/2024/a", "https://www.paper.example/", "https://www.paper.example/2024/a"),
    ("https://www.paper.example/?p=1", "/", "https://www.paper.example/?p=1"),
    ("https://www.paper.example", "https://paper.example/", "https://paper.example/"),
])
def test_choose_canonical(page, declared, expected):
    assert choose_canonical(page, declared) == expected


@pytest.mark.parametrize("a, b, expected", [
    ("https://paper.example/a", "http://paper.example:8080/b", True),
    ("https://www.paper.example/", "https://paper.example/", True),
    ("https://WWW.Paper.Example/", "https://paper.example./", True),
    ("https://bücher.example/", "https://xn--bcher-kva.example/", True),
    ("https://news.paper.example/", "https://paper.example/", False),
    ("https://paper.example/", "https://paper.example.org/", False),
    ("https://wwwpaper.example/", "https://paper.example/", False),
    ("/relative", "/relative", False),
    ("", "", False),
])
def test_same_site(a, b, expected):
    assert same_site(a, b) is expected


@pytest.mark.parametrize("value, expected", [
    ("https://example.com", True),
    ("HTTP://example.com/a?b", True),
    (" https://example.com/a ", True),
    ("ftp://example.com/", False),
    ("https://", False),
    ("https:///path", False),
    ("//example.com/a", False),
    ("example.com", False),
    ("mailto:a@example.com", False),
    ("javascript:alert(1)", False),
    ("http://[::1/", False),
    ("", False),
    (None, False),
    (42, False),
])
def test_is_http_url(value, expected):
    assert is_http_url(value) is expected
