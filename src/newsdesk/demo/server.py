"""The loopback server: one threaded HTTP server per demo outlet, each on its own port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import urlsplit

from .content import load_outlets
from .model import Outlet
from .site import OutletSite


class ServedOutlet(NamedTuple):
    outlet: Outlet
    base_url: str
    feed_url: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a benchmark's thousands of requests reuse connections
    server_version = "nginx"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection gives its thread back after this many seconds
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (about 40 ms per request on a kept-alive connection).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        self._reply(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._reply(send_body=False)

    def _reply(self, send_body: bool) -> None:
        server = self.server
        with server.counter:
            server.in_flight += 1
            server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
            server.requests += 1
            if self.path == server.feed_path:
                server.feed_requests += 1
        try:
            if server.delay:
                time.sleep(server.delay)  # a slower outlet, for benchmarks and tests
            reply = server.site.handle(self.path, dict(self.headers.items()))
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if send_body and reply.body:
                self.wfile.write(reply.body)
        finally:
            with server.counter:
                server.in_flight -= 1

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # quiet: tests and the CLI have their own output


class _OutletHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site_factory, delay: float = 0.0):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.site: OutletSite = site_factory(self.server_address[1])
        self.delay = delay
        # Requests being answered now, the most at once so far, and in all (politeness checks).
        self.counter = threading.Lock()
        self.in_flight = self.peak_in_flight = self.requests = self.feed_requests = 0
        parts = urlsplit(self.site.feed_url)
        self.feed_path = parts.path + (f"?{parts.query}" if parts.query else "")

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up mid-reply is not our problem


class DemoServer:
    """Serves every demo outlet over HTTP on host, one port each (ephemeral when port=0, else
    port, port+1, ...). Use as a context manager, or call start() and stop(); thread-safe."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, scale: int = 1,
                 outlets: Sequence[Outlet] | None = None, delay: float = 0.0):
        self.host = host
        self.port = port
        self.scale = scale
        self.delay = delay  # seconds before each answer
        self._outlets = list(outlets) if outlets is not None else None
        self._lock = threading.Lock()
        self._servers: list[_OutletHTTPServer] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> DemoServer:
        """Bind and start serving; returns self. Raises OSError if a port is taken, RuntimeError if started."""
        with self._lock:
            if self._servers:
                raise RuntimeError("DemoServer already started")
            if self._outlets is None:
                self._outlets = load_outlets(self.scale)
            try:
                for i, outlet in enumerate(self._outlets):
                    port = self.port + i if self.port else 0
                    self._servers.append(_OutletHTTPServer(
                        (self.host, port), lambda bound, outlet=outlet: OutletSite(outlet, self._base_url(bound)),
                        self.delay))
            except OSError:
                self._close_all()
                raise
            for server in self._servers:
                thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                          name=f"demo-outlet-{server.site.outlet.slug}", daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving and release the ports; safe to call twice."""
        with self._lock:
            for server in self._servers:
                server.shutdown()
            self._close_all()
            for thread in self._threads:
                thread.join(timeout=5)
            self._threads.clear()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def outlets(self) -> list[ServedOutlet]:
        """(outlet, base_url, feed_url) of each outlet being served."""
        return [ServedOutlet(s.site.outlet, s.site.base_url, s.site.feed_url) for s in self._servers]

    def peak_in_flight(self) -> dict[str, int]:
        """The most requests each outlet was answering at once (by outlet slug)."""
        return {server.site.outlet.slug: server.peak_in_flight for server in self._servers}

    def requests(self) -> dict[str, int]:
        """Requests each outlet answered (by outlet slug)."""
        return {server.site.outlet.slug: server.requests for server in self._servers}

    def feed_requests(self) -> dict[str, int]:
        """Requests for each outlet's feed (by outlet slug)."""
        return {server.site.outlet.slug: server.feed_requests for server in self._servers}

    def site(self, outlet_slug: str) -> OutletSite:
        """The served site of an outlet; raises KeyError."""
        for server in self._servers:
            if server.site.outlet.slug == outlet_slug:
                return server.site
        raise KeyError(outlet_slug)

    def article_url(self, outlet_slug: str, article_slug: str) -> str:
        """Where an article is served; raises KeyError."""
        return self.site(outlet_slug).article_url(article_slug)

    def _base_url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    def _close_all(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers.clear()
