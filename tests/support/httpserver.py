"""A real, threaded HTTP/1.1 server on 127.0.0.1 for tests that need HTTP without the internet.

Each ``LocalServer`` listens on a free port of 127.0.0.1 and answers from routes the test
registers: a path maps to a fixed ``Reply`` or to a handler ``Callable[[Request], Reply]``.
Unregistered paths answer 404. The server records every request and counts, per path and in all,
how many arrived and how many were being answered at the same moment.

    from tests.support.httpserver import LocalServer, Reply, Stream

    @pytest.fixture
    def server():
        with LocalServer() as running:
            yield running

    def test_something(server):
        server.route("/feed.xml", Reply(body=b"<rss/>", headers={"Content-Type": "text/xml"}))
        server.route("/old", Reply.redirect("/feed.xml"))           # 302 with a Location
        server.route("/slow", Reply(body=b"late", delay=0.5))        # sleeps before answering
        server.route("/gz", Reply(body=b"x" * 1000, encoding="gzip"))  # or "br", "deflate"
        server.route("/huge", Reply(body=Stream(b"x" * 65536, count=1000)))  # chunked, 64 MB
        server.route("/page", body=b"ok", status=200)                 # shorthand for Reply(...)
        server.route("/echo", lambda request: Reply(body=request.query.encode()))
        fetch(server.url("/feed.xml"))
        assert server.hits("/feed.xml") == 1
        assert server.requests[-1].headers["accept-encoding"]
        assert server.peak_in_flight <= 2
        assert server.wait_idle(timeout=2)  # every answer finished, or the client hung up

A body that is an iterable of bytes is streamed, with chunked transfer coding unless the reply's
headers give a Content-Length. Use ``Stream`` (or a list) rather than a generator for a route
that is requested more than once: a generator is spent after the first answer. When the client
hangs up mid-answer the handler stops and ``broken`` counts it.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import brotli

__all__ = ["LocalServer", "Reply", "Request", "Stream", "compress"]


@dataclass(frozen=True)
class Request:
    """One request as the server received it; header names are lower-cased."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    received: float  # time.monotonic() when the request line and headers had arrived


@dataclass(frozen=True)
class Reply:
    """What the server answers.

    ``body`` is bytes, or an iterable of bytes to stream. ``delay`` is seconds to wait before
    the status line. ``encoding`` ("gzip", "br", "deflate") compresses a bytes body and sets
    Content-Encoding.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0
    encoding: str | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """A redirect to ``location`` (absolute, or relative to the requested URL)."""
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class Stream:
    """A re-iterable streamed body: ``chunk`` sent ``count`` times, ``pause`` seconds apart."""

    chunk: bytes
    count: int
    pause: float = 0.0

    def __iter__(self) -> Iterator[bytes]:
        for index in range(self.count):
            if index and self.pause:
                time.sleep(self.pause)
            yield self.chunk


def compress(data: bytes, encoding: str) -> bytes:
    """Return ``data`` compressed with a Content-Encoding: "gzip", "br" or "deflate"."""
    if encoding == "gzip":
        return gzip.compress(data)
    if encoding == "br":
        return brotli.compress(data)
    if encoding == "deflate":
        return zlib.compress(data)
    raise ValueError(f"unknown content encoding {encoding!r}")


Handler = Callable[[Request], Reply]
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 and a free port; see the module docstring."""

    def __init__(self) -> None:
        self._routes: dict[str, Reply | Handler] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.broken = 0  # answers cut short because the client hung up
        self.errors: list[str] = []  # tracebacks of handlers that raised (answered 500)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalServer:
        """Start listening; returns self."""
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and wake handlers that are still sleeping out a delay."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- setup and inspection ----------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path

    def route(self, path: str, reply: Reply | Handler | None = None, /, **fields: object) -> None:
        """Answer requests for ``path`` (query ignored) with ``reply``, or ``Reply(**fields)``."""
        if reply is None:
            reply = Reply(**fields)  # type: ignore[arg-type]
        self._routes[path] = reply

    def hits(self, path: str) -> int:
        """How many requests for ``path`` (query ignored) have arrived."""
        with self._lock:
            return self._hits[path]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no answer is in progress; False if ``timeout`` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self.in_flight == 0, timeout)

    # -- used by the handler -------------------------------------------------------------
    def _arrived(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self._hits[request.path] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _finished(self, *, broken: bool = False) -> None:
        with self._idle:
            self.in_flight -= 1
            self.broken += broken
            self._idle.notify_all()

    def _reply_for(self, request: Request) -> Reply:
        route = self._routes.get(request.path)
        if route is None:
            return Reply(status=404, body=b"not found", headers={"Content-Type": "text/plain"})
        return route(request) if callable(route) else route


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalServer


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections do not outlive a test run by much
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def _serve(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            received=time.monotonic(),
        )
        owner._arrived(request)
        pending = [True]  # cleared once the answer is counted as finished

        def finish(broken: bool = False) -> None:
            if pending:
                pending.clear()
                owner._finished(broken=broken)

        try:
            try:
                reply = owner._reply_for(request)
            except Exception:  # noqa: BLE001 - report a broken test handler as a 500
                owner.errors.append(traceback.format_exc())
                reply = Reply(status=500, body=b"handler raised")
            if reply.delay:
                owner._stopping.wait(reply.delay)
            self._send(reply, finish)
        except _CLIENT_GONE:
            self.close_connection = True
            finish(broken=True)
        finally:
            finish()

    def _send(self, reply: Reply, finish: Callable[[], None]) -> None:
        headers = dict(reply.headers)
        body = reply.body
        if reply.encoding and isinstance(body, bytes | bytearray):
            body = compress(bytes(body), reply.encoding)
            headers["Content-Encoding"] = reply.encoding
        names = {name.lower() for name in headers}
        headers.setdefault("Date", formatdate(usegmt=True))
        no_body = self.command == "HEAD" or reply.status in (204, 304) or reply.status < 200
        streamed = not isinstance(body, bytes | bytearray)
        chunked = streamed and "content-length" not in names and not no_body
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        elif not streamed and "content-length" not in names and reply.status not in (204, 304):
            headers["Content-Length"] = str(len(body))
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Unknown"
        head = f"HTTP/1.1 {reply.status} {phrase}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"

        # The answer counts as finished just before its last write: once the client holds the
        # whole answer it may start the next request, and this thread may not have run yet.
        if no_body:
            finish()
            self.wfile.write(head.encode("latin-1"))
            return
        if not streamed:
            finish()
            self.wfile.write(head.encode("latin-1") + bytes(body))
            return
        self.wfile.write(head.encode("latin-1"))
        for chunk in body:
            if self.server.owner._stopping.is_set():
                self.close_connection = True
                return
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        finish()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        else:
            # A declared Content-Length may not match what was streamed; do not reuse the socket.
            self.close_connection = True
