import gzip
import ipaddress
import socket
import threading
import time
import zlib
from email.utils import formatdate

import brotli
import pytest

from newsdesk import __version__
from newsdesk.pipeline.errors import (
    BlockedAddress,
    FetchError,
    HTTPStatusError,
    RobotsDisallowed,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from newsdesk.pipeline.fetch import Fetcher, FetchOptions, decode_response, parse_retry_after
from newsdesk.pipeline.netguard import GuardedBackend, address_kind
from tests.support.httpserver import LocalServer, Reply, Stream

LOOPBACK = ("127.0.0.1",)
MiB = 1024 * 1024


def make_options(**overrides) -> FetchOptions:
    defaults = {"min_host_delay": 0.0, "respect_robots": False, "private_allowlist": LOOPBACK,
                "connect_timeout": 2.0, "read_timeout": 2.0}
    return FetchOptions(**{**defaults, **overrides})


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def fetcher():
    with Fetcher(make_options()) as client:
        yield client


# -- plain GET, headers, content coding -------------------------------------------------------

def test_get_returns_body_lowercased_headers_and_sends_user_agent(server, fetcher):
    headers = {"Content-Type": "text/html; charset=utf-8", "X-Custom": "1"}
    server.route("/page", Reply(body=b"<p>hi</p>", headers=headers))
    response = fetcher.get(server.url("/page"), accept="text/html")
    assert response.status == 200
    assert response.content == b"<p>hi</p>"
    assert response.url == server.url("/page")
    assert response.content_type == "text/html"
    assert response.headers["x-custom"] == "1"
    assert all(name == name.lower() for name in response.headers)
    sent = server.requests[-1].headers
    assert sent["user-agent"].startswith(f"newsdesk/{__version__} (+https://")
    assert sent["accept"] == "text/html"


def test_fragment_is_not_sent(server, fetcher):
    server.route("/page", body=b"ok")
    assert fetcher.get(server.url("/page#section")).url == server.url("/page")


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_compressed_bodies_are_decompressed(server, fetcher, encoding):
    text = "<p>Nouvelles du jour, encore et encore.</p>\n" * 500
    server.route("/page", Reply(body=text.encode(), encoding=encoding))
    response = fetcher.get(server.url("/page"))
    assert response.content == text.encode()
    assert "br" in server.requests[-1].headers["accept-encoding"]


def test_raw_deflate_without_zlib_header_is_decompressed(server, fetcher):
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = packer.compress(b"raw deflate body " * 50) + packer.flush()
    server.route("/page", Reply(body=raw, headers={"Content-Encoding": "deflate"}))
    assert fetcher.get(server.url("/page")).content == b"raw deflate body " * 50


def test_corrupt_gzip_body_is_a_fetch_error(server, fetcher):
    server.route("/page", Reply(body=b"\x1f\x8b\x08\x00garbage" * 10,
                                headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="decompress"):
        fetcher.get(server.url("/page"))


def test_decode_response_uses_the_header_charset(server, fetcher):
    server.route("/page", Reply(body="café".encode("cp1252"),
                                headers={"Content-Type": "text/html; charset=windows-1252"}))
    assert decode_response(fetcher.get(server.url("/page"))) == "café"


def test_cookies_are_not_kept_between_requests(server, fetcher):
    server.route("/set", Reply(body=b"", headers={"Set-Cookie": "id=1; Path=/"}))
    server.route("/next", body=b"")
    fetcher.get(server.url("/set"))
    fetcher.get(server.url("/next"))
    assert "cookie" not in server.requests[-1].headers


# -- conditional GET ----------------------------------------------------------------------------

def test_conditional_get_with_etag(server, fetcher):
    def page(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=b"<rss/>", headers={"ETag": '"v1"'})

    server.route("/feed", page)
    first = fetcher.get(server.url("/feed"))
    assert (first.status, first.etag, first.content) == (200, '"v1"', b"<rss/>")
    second = fetcher.get(server.url("/feed"), etag=first.etag)
    assert second.not_modified
    assert (second.status, second.content, second.etag) == (304, b"", '"v1"')


def test_conditional_get_with_last_modified(server, fetcher):
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def page(request):
        if request.headers.get("if-modified-since") == stamp:
            return Reply(status=304)  # without validators: the caller's must be kept
        return Reply(body=b"<rss/>", headers={"Last-Modified": stamp})

    server.route("/feed", page)
    first = fetcher.get(server.url("/feed"))
    assert first.last_modified == stamp
    second = fetcher.get(server.url("/feed"), last_modified=first.last_modified)
    assert (second.status, second.content, second.last_modified) == (304, b"", stamp)


# -- redirects ----------------------------------------------------------------------------------

def chain_of(server, length: int) -> str:
    statuses = (301, 302, 303, 307, 308)
    for hop in range(length):
        server.route(f"/r{hop}", Reply.redirect(f"/r{hop + 1}", status=statuses[hop % 5]))
    server.route(f"/r{length}", body=b"arrived")
    return server.url("/r0")


def test_redirect_chain_of_three_is_followed(server, fetcher):
    response = fetcher.get(chain_of(server, 3))
    assert response.content == b"arrived"
    assert response.url == server.url("/r3")


def test_redirect_chain_up_to_the_limit_is_followed(server, fetcher):
    assert fetcher.get(chain_of(server, 5)).content == b"arrived"


def test_redirect_chain_of_six_is_refused(server, fetcher):
    with pytest.raises(TooManyRedirects, match="more than 5 redirects") as caught:
        fetcher.get(chain_of(server, 6))
    assert server.url("/r6") in str(caught.value)
    assert server.hits("/r6") == 0


def test_redirect_loop_is_refused_naming_the_loop(server, fetcher):
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect(server.url("/a")))
    with pytest.raises(TooManyRedirects) as caught:
        fetcher.get(server.url("/a"))
    a, b = server.url("/a"), server.url("/b")
    assert str(caught.value) == f"redirect loop: {a} -> {b} -> {a}"
    assert server.hits("/a") == 1


def test_redirect_without_location_is_an_error(server, fetcher):
    server.route("/a", Reply(status=302))
    with pytest.raises(FetchError, match="without a Location"):
        fetcher.get(server.url("/a"))


def test_redirect_to_a_non_http_scheme_is_refused(server, fetcher):
    server.route("/a", Reply.redirect("file:///etc/passwd"))
    with pytest.raises(FetchError, match="not an http or https URL"):
        fetcher.get(server.url("/a"))


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/file", "http://"])
def test_unfetchable_urls_are_refused(fetcher, url):
    with pytest.raises(FetchError):
        fetcher.get(url)


# -- size limit ---------------------------------------------------------------------------------

def test_declared_content_length_over_limit_is_refused_up_front(server):
    server.route("/huge", Reply(body=Stream(b"x" * 65536, count=320),
                                headers={"Content-Length": str(20 * MiB)}))
    with Fetcher(make_options(max_bytes=MiB)) as fetcher:
        started = time.monotonic()
        with pytest.raises(TooLarge, match=f"{20 * MiB} bytes"):
            fetcher.get(server.url("/huge"))
    assert time.monotonic() - started < 2
    assert server.wait_idle(timeout=3), "server still sending after the client gave up"


def test_chunked_body_over_limit_is_cut_off_while_streaming(server):
    server.route("/huge", Reply(body=Stream(b"x" * 65536, count=1000)))  # 64 MiB, no length
    with Fetcher(make_options(max_bytes=MiB)) as fetcher:
        started = time.monotonic()
        with pytest.raises(TooLarge):
            fetcher.get(server.url("/huge"))
        assert time.monotonic() - started < 2
        assert server.wait_idle(timeout=3), "server still sending after the client gave up"
        assert server.broken == 1
        server.route("/after", body=b"still serving")
        assert fetcher.get(server.url("/after")).content == b"still serving"


def test_body_exactly_at_limit_is_accepted(server):
    server.route("/page", Reply(body=Stream(b"y" * 1024, count=1024)))
    with Fetcher(make_options(max_bytes=MiB)) as fetcher:
        assert len(fetcher.get(server.url("/page")).content) == MiB


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_decompression_bomb_is_cut_off(server, encoding):
    pack = {"gzip": gzip.compress, "br": lambda data: brotli.compress(data, quality=5)}[encoding]
    bomb = pack(b"\0" * (64 * MiB))
    assert len(bomb) < MiB // 10
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": encoding}))
    with Fetcher(make_options(max_bytes=MiB)) as fetcher, pytest.raises(TooLarge):
        fetcher.get(server.url("/bomb"))


# -- HTTP errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [404, 410, 500, 502])
def test_error_statuses_raise_with_the_status(server, fetcher, status):
    server.route("/page", Reply(status=status, body=b"nope"))
    with pytest.raises(HTTPStatusError, match=str(status)) as caught:
        fetcher.get(server.url("/page"))
    assert caught.value.status == status
    assert caught.value.url == server.url("/page")
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds(server, fetcher, status):
    server.route("/page", Reply(status=status, headers={"Retry-After": "120"}))
    with pytest.raises(HTTPStatusError) as caught:
        fetcher.get(server.url("/page"))
    assert (caught.value.status, caught.value.retry_after) == (status, 120.0)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_http_date(server, fetcher, status):
    later = formatdate(time.time() + 300, usegmt=True)
    server.route("/page", Reply(status=status, headers={"Retry-After": later}))
    with pytest.raises(HTTPStatusError) as caught:
        fetcher.get(server.url("/page"))
    assert 290 <= caught.value.retry_after <= 300


def test_unusable_retry_after_is_ignored(server, fetcher):
    server.route("/page", Reply(status=429, headers={"Retry-After": "soon"}))
    with pytest.raises(HTTPStatusError) as caught:
        fetcher.get(server.url("/page"))
    assert caught.value.retry_after is None


def test_retry_after_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# -- timeouts and connection failures -------------------------------------------------------------

def test_read_timeout(server):
    server.route("/slow", Reply(body=b"late", delay=2.0))
    with Fetcher(make_options(read_timeout=0.2)) as fetcher:
        started = time.monotonic()
        with pytest.raises(Timeout, match="sent nothing for 0.2s"):
            fetcher.get(server.url("/slow"))
    assert time.monotonic() - started < 1.5


def test_trickling_body_hits_the_total_timeout(server):
    server.route("/trickle", Reply(body=Stream(b"x", count=100, pause=0.05)))
    with Fetcher(make_options(total_timeout=0.3)) as fetcher:
        with pytest.raises(Timeout, match="in all"):
            fetcher.get(server.url("/trickle"))


def test_connection_refused_is_a_fetch_error(fetcher):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="could not connect to 127.0.0.1") as caught:
        fetcher.get(f"http://127.0.0.1:{port}/")
    assert not isinstance(caught.value, Timeout)


# -- robots.txt -----------------------------------------------------------------------------------

ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: github\nDisallow: /\n"


def test_robots_disallow_and_cache(server):
    server.route("/robots.txt", Reply(body=ROBOTS, headers={"Content-Type": "text/plain"}))
    server.route("/news/1", body=b"article")
    server.route("/private/1", body=b"secret")
    with Fetcher(make_options(respect_robots=True)) as fetcher:
        with pytest.raises(RobotsDisallowed, match="disallows"):
            fetcher.get(server.url("/private/1"))
        for _ in range(3):
            assert fetcher.get(server.url("/news/1")).content == b"article"
    assert server.hits("/private/1") == 0
    assert server.hits("/robots.txt") == 1


def test_robots_group_for_our_token(server):
    server.route("/robots.txt", body=b"User-agent: newsdesk\nDisallow: /\n")
    server.route("/news/1", body=b"article")
    with Fetcher(make_options(respect_robots=True)) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/news/1"))


def test_robots_checked_on_redirect_target(server):
    server.route("/robots.txt", body=ROBOTS)
    server.route("/go", Reply.redirect("/private/1"))
    with Fetcher(make_options(respect_robots=True)) as fetcher, pytest.raises(RobotsDisallowed):
        fetcher.get(server.url("/go"))
    assert server.hits("/private/1") == 0


def test_robots_fetched_once_by_concurrent_first_requests(server):
    server.route("/robots.txt", Reply(body=ROBOTS, delay=0.1))
    server.route("/news/1", body=b"article")
    with Fetcher(make_options(respect_robots=True, per_host_concurrency=6)) as fetcher:
        threads = [threading.Thread(target=fetcher.get, args=(server.url("/news/1"),))
                   for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.hits("/news/1") == 6
    assert server.hits("/robots.txt") == 1


def test_robots_cache_expires(server):
    server.route("/robots.txt", body=ROBOTS)
    server.route("/news/1", body=b"article")
    with Fetcher(make_options(respect_robots=True, robots_ttl=0)) as fetcher:
        fetcher.get(server.url("/news/1"))
        fetcher.get(server.url("/news/1"))
    assert server.hits("/robots.txt") == 2


@pytest.mark.parametrize("status", [404, 403, 500, 503])
def test_robots_error_status_allows_everything(server, status):
    server.route("/robots.txt", Reply(status=status))
    server.route("/private/1", body=b"ok")
    with Fetcher(make_options(respect_robots=True)) as fetcher:
        assert fetcher.get(server.url("/private/1")).content == b"ok"
        assert fetcher.get(server.url("/private/1")).content == b"ok"
    assert server.hits("/robots.txt") == 1


def test_robots_unreachable_allows(server):
    server.route("/robots.txt", Reply(body=ROBOTS, delay=2.0))
    server.route("/private/1", body=b"ok")
    with Fetcher(make_options(respect_robots=True, read_timeout=0.2)) as fetcher:
        assert fetcher.get(server.url("/private/1")).content == b"ok"


# -- private-address guard ------------------------------------------------------------------------

def test_loopback_is_refused_without_allowlist(server):
    server.route("/page", body=b"ok")
    with Fetcher(make_options(private_allowlist=())) as fetcher:
        with pytest.raises(BlockedAddress) as caught:
            fetcher.get(server.url("/page"))
    assert str(caught.value) == ("refused: 127.0.0.1 is a loopback address; "
                                 "add the source with --allow-private to allow it")
    assert server.hits("/page") == 0


def test_allow_private_per_call_and_in_options(server):
    server.route("/page", body=b"ok")
    with Fetcher(make_options(private_allowlist=())) as fetcher:
        assert fetcher.get(server.url("/page"), allow_private=True).content == b"ok"
    with Fetcher(make_options(private_allowlist=(), allow_private=True)) as fetcher:
        assert fetcher.get(server.url("/page")).content == b"ok"
        with pytest.raises(BlockedAddress):
            fetcher.get(server.url("/page"), allow_private=False)


def test_redirect_to_localhost_is_refused(server, fetcher):
    server.route("/go", Reply.redirect(f"http://localhost:{server.port}/page"))
    server.route("/page", body=b"internal")
    expected = (r"refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address; "
                r"add the source with --allow-private to allow it")
    with pytest.raises(BlockedAddress, match=expected):
        fetcher.get(server.url("/go"))
    assert server.hits("/page") == 0


def test_a_name_that_resolves_elsewhere_at_connect_time_is_refused(server, monkeypatch):
    """DNS rebinding: the name looks public when checked, then points at the loopback."""
    server.route("/page", body=b"internal")
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])  # the first lookup: a public address

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")  # every later one: the loopback
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with Fetcher(make_options(private_allowlist=())) as fetcher:
        with pytest.raises(BlockedAddress, match="rebind.test resolves to 127.0.0.1, a loopback address"):
            fetcher.get(f"http://rebind.test:{server.port}/page")
    assert server.hits("/page") == 0


def test_guarded_connections_reach_only_public_or_allowed_addresses(server):
    with pytest.raises(BlockedAddress):
        GuardedBackend().connect_tcp("127.0.0.1", server.port)
    with pytest.raises(BlockedAddress):
        GuardedBackend().connect_unix_socket("/run/docker.sock")
    stream = GuardedBackend(allowlist=LOOPBACK).connect_tcp("127.0.0.1", server.port)
    stream.close()


@pytest.mark.parametrize("target", ["127.0.0.2", "[::1]", "0.0.0.0", "2130706433", "0x7f000001",
                                    "169.254.169.254", "10.0.0.5", "[::ffff:192.168.0.1]"])
def test_redirect_to_other_private_addresses_is_refused(server, fetcher, target):
    server.route("/go", Reply.redirect(f"http://{target}:{server.port}/page"))
    with pytest.raises(BlockedAddress, match="refused: "):
        fetcher.get(server.url("/go"))


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None), ("2606:4700:4700::1111", None), ("::ffff:8.8.8.8", None),
        ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("0.0.0.0", "unspecified"),
        ("::", "unspecified"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("fc00::1", "private"),
        ("fec0::1", "site-local"), ("100.64.0.1", "non-public"), ("240.0.0.1", "private"),
        ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),
        ("2002:a00:1::", "private"), ("64:ff9b::a00:1", "private"), ("64:ff9b::808:808", None),
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


# -- politeness -----------------------------------------------------------------------------------

def test_per_host_concurrency_is_capped(server):
    server.route("/page", Reply(body=b"ok", delay=0.15))
    with Fetcher(make_options(per_host_concurrency=2)) as fetcher:
        errors = []

        def fetch():
            try:
                fetcher.get(server.url("/page"))
            except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert server.hits("/page") == 6
    assert server.peak_in_flight == 2


def test_min_host_delay_spaces_request_starts(server):
    server.route("/page", body=b"ok")
    with Fetcher(make_options(min_host_delay=0.1, per_host_concurrency=4)) as fetcher:
        threads = [threading.Thread(target=fetcher.get, args=(server.url("/page"),))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    starts = sorted(request.received for request in server.requests)
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.08, gaps


def test_a_kept_alive_connection_the_server_closed_is_replaced():
    """The server hangs up on the second request of a kept-alive connection without answering
    (its idle timeout passed): the GET is sent again on a new connection."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
    connections = []

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            connections.append(conn)
            conn.recv(65536)
            conn.sendall(answer)
            if len(connections) == 1:
                conn.recv(65536)  # the second request on this connection: hang up unanswered
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    options = FetchOptions(min_host_delay=0.0, allow_private=True, respect_robots=False)
    with Fetcher(options) as fetcher:
        assert fetcher.get(f"http://127.0.0.1:{port}/one").content == b"ok"
        assert fetcher.get(f"http://127.0.0.1:{port}/two").content == b"ok"
    thread.join(5)
    listener.close()
    assert len(connections) == 2


def test_politeness_counts_each_port_as_its_own_server():
    """Two outlets on one address and different ports are two servers: the pause between two
    requests to one server does not hold up a request to the other; it does hold up the next
    request to the first."""
    from tests.support.httpserver import LocalServer

    with LocalServer() as one, LocalServer() as other:
        one.route("/a", body=b"a")
        other.route("/b", body=b"b")
        options = FetchOptions(min_host_delay=0.6, allow_private=True, respect_robots=False)
        with Fetcher(options) as fetcher:
            fetcher.get(one.url("/a"))
            started = time.monotonic()
            fetcher.get(other.url("/b"))
            assert time.monotonic() - started < 0.4
            fetcher.get(one.url("/a"))
            assert time.monotonic() - started >= 0.5
