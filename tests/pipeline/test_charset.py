import codecs
import random

import pytest

from newsdesk.pipeline.charset import decode, decode_html, normalize_encoding
from newsdesk.pipeline.extraction import extract

FRENCH = "<p>Le café crème était à côté de la fenêtre, près de l’école — « déjà vu ».</p>"
RUSSIAN = "Президент заявил, что экономика страны растёт быстрее, чем ожидалось."


def test_header_charset_is_used():
    assert decode(FRENCH.encode("cp1252"), "text/html; charset=windows-1252") == (FRENCH, "cp1252")


def test_quoted_header_charset_is_used():
    assert decode(RUSSIAN.encode("koi8-r"), 'text/html; charset="KOI8-R"') == (RUSSIAN, "koi8-r")


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO_8859-1", "latin1", "us-ascii", "ascii"])
def test_latin1_and_ascii_labels_mean_windows_1252(label):
    assert normalize_encoding(label) == "cp1252"
    text, encoding = decode(b"\x93quoted\x94 \x96 dash", f"text/html; charset={label}")
    assert (text, encoding) == ("\u201cquoted\u201d \u2013 dash", "cp1252")


@pytest.mark.parametrize("label", ["utf-7", "base64", "rot13", "unicode_escape", "no-such-charset"])
def test_labels_that_are_no_web_charset_are_ignored(label):
    assert normalize_encoding(label) is None
    assert decode("café".encode(), f"text/html; charset={label}") == ("café", "utf-8")


@pytest.mark.parametrize(
    ("bom", "encoding", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    ],
)
def test_byte_order_mark_wins_over_header(bom, encoding, expected):
    text, found = decode(bom + FRENCH.encode(encoding), "text/html; charset=windows-1252")
    assert (text, found) == (FRENCH, expected)


def test_meta_charset():
    page = b'<html><head><meta charset="windows-1251"><title>x</title>' + RUSSIAN.encode("cp1251")
    text, encoding = decode(page)
    assert encoding == "cp1251"
    assert text.endswith(RUSSIAN)


def test_meta_http_equiv_with_attributes_in_any_order():
    page = (b'<html><head><meta content="text/html; charset=iso-8859-15" http-equiv="Content-Type">'
            + "Prix : 5 €".encode("iso-8859-15"))
    text, encoding = decode(page)
    assert encoding == "iso8859-15"
    assert text.endswith("Prix : 5 €")


def test_xml_declaration():
    body = "<title>Zażółć gęślą jaźń</title>"
    feed = b'<?xml version="1.0" encoding="ISO-8859-2"?>\n<rss>' + body.encode("iso-8859-2")
    text, encoding = decode(feed, "application/rss+xml")
    assert encoding == "iso8859-2"
    assert body in text


def test_header_wins_over_meta():
    page = b'<meta charset="koi8-r">' + RUSSIAN.encode("cp1251")
    assert decode(page, "text/html; charset=windows-1251")[1] == "cp1251"


def test_declaration_past_the_sniffing_window_is_not_read():
    page = b"<!--" + b" " * 5000 + b'--><meta charset="koi8-r">' + "café".encode()
    assert decode(page)[1] == "utf-8"


def test_meta_claiming_utf16_without_bom_means_utf8():
    page = b'<meta charset="utf-16"><p>' + "café".encode()
    assert decode(page) == ('<meta charset="utf-16"><p>café', "utf-8")


def test_undeclared_utf8():
    assert decode(FRENCH.encode()) == (FRENCH, "utf-8")


@pytest.mark.parametrize(("text", "encoding"), [(FRENCH, "cp1252"), (RUSSIAN, "cp1251")])
def test_undeclared_legacy_encoding_is_detected(text, encoding):
    assert decode(text.encode(encoding)) == (text, encoding)


def test_header_says_utf8_but_bytes_are_windows_1252():
    text, encoding = decode(FRENCH.encode("cp1252"), "text/html; charset=utf-8")
    assert (text, encoding) == (FRENCH, "cp1252")


def test_header_says_utf8_but_bytes_are_windows_1251():
    assert decode(RUSSIAN.encode("cp1251"), "text/html; charset=UTF-8") == (RUSSIAN, "cp1251")


def test_header_says_latin1_but_bytes_are_utf8():
    # Valid multi-byte UTF-8 is almost never meant as latin-1; decoding it so would give "cafÃ©".
    assert decode(FRENCH.encode(), "text/html; charset=ISO-8859-1") == (FRENCH, "utf-8")


def test_meta_says_latin1_but_bytes_are_utf8():
    page = b'<meta charset="iso-8859-1">' + "café".encode()
    assert decode(page)[0].endswith("café")


def test_ascii_only_content_keeps_declared_single_byte_charset():
    assert decode(b"plain", "text/plain; charset=iso-8859-1") == ("plain", "cp1252")


def test_undecodable_bytes_in_declared_multibyte_charset_are_replaced():
    text, encoding = decode(b"\x82\xa0ok\xff\xff\xff", "text/html; charset=shift_jis")
    assert "ok" in text
    assert isinstance(encoding, str)


def test_empty_content():
    assert decode(b"") == ("", "utf-8")
    assert decode(b"", "text/html; charset=windows-1251") == ("", "cp1251")


def test_random_garbage_never_raises():
    rng = random.Random(20240601)
    headers = [None, "", "text/html", "text/html; charset=utf-8", "text/html; charset=utf-16",
               "text/html; charset=shift_jis", "text/html; charset=euc-jp", "charset=base64",
               "text/html; charset=\x00\xff", "text/html; charset=utf-32", "charset=="]
    prefixes = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE,
                b'<meta charset="gb18030">', b'<?xml version="1.0" encoding="utf-16"?>']
    for _ in range(300):
        content = rng.choice(prefixes) + rng.randbytes(rng.randrange(0, 600))
        text, encoding = decode(content, rng.choice(headers))
        assert isinstance(text, str)
        assert encoding


def test_lying_utf8_header_on_a_western_page_in_cp1252_uses_the_page_language():
    text = "Café owners in Zürich welcomed the décision, saying the façade would be restored."
    page = f'<html lang="en"><head><title>Café</title></head><body>{"<p>" + text + "</p>" * 6}</body></html>'
    decoded, encoding = decode(page.encode("cp1252"), "text/html; charset=utf-8")
    assert encoding == "cp1252"
    assert text in decoded


def test_extraction_reads_page_bytes_as_decode_does():
    # No declaration anywhere: only decode's detection tells windows-1251 from windows-1252.
    page = ("<html><body><article><h1>Экономика растёт быстрее</h1>"
            + f"<p>{RUSSIAN} Аналитики ждут роста и в следующем году.</p>" * 5
            + "</article></body></html>").encode("cp1251")
    assert decode_html(page) == decode(page)[0]
    from_bytes = extract(page, "https://news.example/economy")
    assert RUSSIAN in from_bytes.text
    assert from_bytes.text == extract(decode(page)[0], "https://news.example/economy").text
