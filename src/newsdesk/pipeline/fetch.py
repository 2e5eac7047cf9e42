"""HTTP for the pipeline: conditional GET, size and redirect limits, robots.txt, politeness
toward each host, and the private-address guard.

The only pipeline module that talks to the network, and only through a ``Fetcher`` the caller
creates, so its connection pool, robots.txt cache and per-host state live and die with that object.
Processes that must be polite together (distributed workers) pass ``gates`` and ``robots`` that
keep that state where they all see it (``newsdesk.ingest.coordination``).
"""

from __future__ import annotations

import email.utils
import functools
import http.cookiejar
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import brotli
import httpcore
import httpx
from protego import Protego

from newsdesk import __version__
from newsdesk.pipeline import charset
from newsdesk.pipeline.errors import (
    BlockedAddress,
    FetchError,
    HTTPStatusError,
    RobotsDisallowed,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from newsdesk.pipeline.model import Response
from newsdesk.pipeline.netguard import GuardedBackend, check_host, normalize_host

__all__ = ["DEFAULT_USER_AGENT", "FetchOptions", "Fetcher", "HostBusy", "HostGates", "LocalGates", "RobotsStore",
           "decode_response", "parse_retry_after"]

DEFAULT_USER_AGENT = f"newsdesk/{__version__} (+https://github.com/newsdesk/newsdesk)"

_REDIRECTS = {301, 302, 303, 307, 308}
_ACCEPT_ENCODING = "gzip, deflate, br"
_ROBOTS_MAX_BYTES = 512 * 1024  # Google reads at most 500 KiB of a robots.txt, too
_PIECE = 64 * 1024  # most decompressed bytes produced per step, so a bomb cannot balloon memory


@dataclass(frozen=True)
class FetchOptions:
    """How a ``Fetcher`` behaves. Times are in seconds, sizes in bytes."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 15.0  # longest silence while waiting for the server
    total_timeout: float = 60.0  # longest one request may take in all, against trickling servers
    max_bytes: int = 10 * 1024 * 1024  # of the decompressed body
    max_redirects: int = 5
    per_host_concurrency: int = 2
    min_host_delay: float = 1.0  # between the starts of two requests to one host
    respect_robots: bool = True
    robots_ttl: float = 3600.0
    allow_private: bool = False
    private_allowlist: tuple[str, ...] = ()  # host names or IPs exempt from the private guard


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks to wait (delay or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def decode_response(response: Response) -> str:
    """Return the body of ``response`` as text, its encoding chosen by ``charset.decode``."""
    return charset.decode(response.content, response.headers.get("content-type"))[0]


class _ZlibStage:
    def __init__(self, name: str):
        self.name = name
        self._inflate: zlib._Decompress | None = None

    def _start(self, first: bytes) -> zlib._Decompress:
        if self.name == "deflate":
            # Some servers send raw deflate without the zlib header the standard asks for.
            wrapped = (len(first) >= 2 and first[0] & 0x0F == 8
                       and (first[0] << 8 | first[1]) % 31 == 0)
            return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS | 16)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            if not data:
                return
            self._inflate = self._start(data)
        while not self._inflate.eof:
            out = self._inflate.decompress(data, _PIECE)
            if out:
                yield out
            data = self._inflate.unconsumed_tail
            # A full piece may leave output pending inside zlib even when all input is consumed.
            if not data and len(out) < _PIECE:
                break

    def flush(self) -> Iterator[bytes]:
        out = self._inflate.flush() if self._inflate is not None else b""
        if out:
            yield out


class _BrotliStage:
    name = "br"

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._decompressor.process(data, output_buffer_limit=_PIECE)
        if out:
            yield out
        while not self._decompressor.can_accept_more_data():
            out = self._decompressor.process(b"", output_buffer_limit=_PIECE)
            if not out:
                break
            yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _BodyDecoder:
    """Undoes Content-Encoding in bounded pieces (httpx's decoders inflate a chunk at once)."""

    def __init__(self, content_encoding: str):
        stages: list[_ZlibStage | _BrotliStage] = []
        for name in reversed([e.strip().lower() for e in content_encoding.split(",")]):
            if name in ("gzip", "x-gzip", "deflate"):
                stages.append(_ZlibStage(name))
            elif name == "br":
                stages.append(_BrotliStage())
            # Anything else ("identity", or a misconfigured "utf-8") passes through, as in httpx.
        self._stages = stages

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._through(index + 1, piece)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            for piece in stage.flush():
                yield from self._through(index + 1, piece)


class HostBusy(Exception):
    """The host's next turn is further away than the caller was willing to wait.

    Raised by shared gates that were given a ``max_wait`` (a distributed worker runs the task again
    later rather than sit idle); not a FetchError, since nothing went wrong with the request.
    """

    def __init__(self, host: str, retry_in: float, reserved: float | None = None):
        super().__init__(f"{host} is busy; its next turn is in {retry_in:.1f}s")
        self.host = host
        self.retry_in = retry_in
        self.reserved = reserved  # the Unix time of the turn kept for the caller, if one was


class HostGates(Protocol):
    """Politeness toward every host: ``turn(host)`` is entered around each request."""

    def turn(self, host: str) -> AbstractContextManager[None]: ...


class RobotsStore(Protocol):
    """Where robots.txt files are kept between fetchers: ``load(origin, fetch)`` returns the
    origin's robots.txt text (None: no rules to obey), calling ``fetch()`` only when it has none."""

    def load(self, origin: str, fetch: Callable[[], str | None]) -> str | None: ...


class _HostGate:
    """Politeness toward one host: a cap on requests in flight and a gap between their starts."""

    def __init__(self, concurrency: int, delay: float):
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._delay = delay
        self._next_start = 0.0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self._delay
            if start > now:
                time.sleep(start - now)
            yield


class LocalGates:
    """Politeness kept inside this process: what one ``newsdesk run`` or ``newsdesk fetch`` needs."""

    def __init__(self, concurrency: int = 2, delay: float = 1.0):
        self._concurrency = concurrency
        self._delay = delay
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}

    def turn(self, host: str) -> AbstractContextManager[None]:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(self._concurrency, self._delay)
        return gate.turn()


@contextmanager
def _network_errors(url: str, options: FetchOptions) -> Iterator[None]:
    """Translate httpx's exceptions into the pipeline's, with messages an editor can act on."""
    host = httpx.URL(url).host
    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise Timeout(f"timed out connecting to {host} after {options.connect_timeout:g}s",
                      url=url) from exc
    except httpx.TimeoutException as exc:
        raise Timeout(f"{host} sent nothing for {options.read_timeout:g}s while we read {url}",
                      url=url) from exc
    except httpx.ConnectError as exc:
        raise FetchError(f"could not connect to {host}: {exc}", url=url) from exc
    except httpx.RemoteProtocolError as exc:
        raise FetchError(f"{host} sent a malformed HTTP response: {exc}", url=url) from exc
    except httpx.TransportError as exc:
        raise FetchError(f"connection to {host} failed: {exc}", url=url) from exc
    except (zlib.error, brotli.error) as exc:
        raise FetchError(f"could not decompress the body of {url}: {exc}", url=url) from exc
    except BlockedAddress as exc:  # from the guarded connection: name the URL it was for
        exc.url = exc.url or url
        raise


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The one verifying SSL context of the process, shared by every fetcher's connection pools.

    Reading the system's certificate store takes tens of milliseconds; a fetcher made per task
    or per article's pictures would spend more on that than on its fetches. A context is made to
    be shared: nothing changes it after it is made.
    """
    return httpx.create_ssl_context(trust_env=False)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose network backend is the address guard.

    httpx takes no network backend, so the pool it builds is replaced by one that has it, with
    the same SSL context and httpx's default limits.
    """

    def __init__(self, allowlist: tuple[str, ...] = ()):
        super().__init__(verify=_ssl_context(), trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0,
            network_backend=GuardedBackend(allowlist),
        )


def _parse_url(url: str | httpx.URL, *, redirected_from: str | None = None) -> httpx.URL:
    source = f" (redirect from {redirected_from})" if redirected_from else ""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL as exc:
        raise FetchError(f"not a valid URL{source}: {url!r}: {exc}", url=str(url)) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(f"not an http or https URL{source}: {url}", url=str(url))
    return parsed.copy_with(fragment=None)


class Fetcher:
    """Fetches URLs politely and safely; thread-safe, one per process or per worker pool.

    Use as a context manager, or call ``close()`` when done.
    """

    def __init__(self, options: FetchOptions | None = None, *, gates: HostGates | None = None,
                 robots: RobotsStore | None = None):
        self.options = options or FetchOptions()
        self._host_gates = gates or LocalGates(self.options.per_host_concurrency, self.options.min_host_delay)
        self._robots_store = robots
        # Reject every cookie: a jar shared by all sources would leak state between them.
        def client(transport: httpx.HTTPTransport) -> httpx.Client:
            return httpx.Client(
                headers={"User-Agent": self.options.user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
                timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
                follow_redirects=False,
                cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
                # Proxies from the environment would bypass the address guard and the tests' loopback.
                trust_env=False,
                transport=transport,
            )

        # Fetches of sources not allowed private addresses connect only to addresses checked at
        # connect time; the others (``--allow-private``) have a pool of their own.
        self._client = client(_GuardedTransport(self.options.private_allowlist))
        self._private_client = client(httpx.HTTPTransport(verify=_ssl_context(), trust_env=False))
        # robots.txt groups name a product token; matching the whole User-Agent would let a
        # "User-agent: github" group apply to us through the URL in ours.
        self._robots_token = (self.options.user_agent.split("/")[0].split() or ["newsdesk"])[0]
        self._lock = threading.Lock()
        self._robots: dict[str, tuple[Protego | None, float]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    @property
    def gates(self) -> HostGates:
        """The politeness this fetcher keeps toward each host."""
        return self._host_gates

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pools."""
        self._client.close()
        self._private_client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            allow_private: bool | None = None, accept: str | None = None) -> Response:
        """Fetch ``url``, following redirects, and return the final ``Response``.

        With ``etag`` / ``last_modified`` the request is conditional, and an unchanged resource
        comes back as a Response with status 304 and empty content. ``allow_private`` overrides
        the options' for this call. Raises BlockedAddress, RobotsDisallowed, TooManyRedirects,
        TooLarge, HTTPStatusError, Timeout, or FetchError for any other failure.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        private_ok = self.options.allow_private if allow_private is None else allow_private
        response = self._fetch(url, headers, private_ok=private_ok,
                               max_bytes=self.options.max_bytes,
                               check_robots=self.options.respect_robots)
        if response.status == 304:
            # Servers may omit the validators on a 304; the caller's still hold.
            response = Response(url=response.url, status=304, headers=response.headers,
                                content=b"", etag=response.etag or etag,
                                last_modified=response.last_modified or last_modified,
                                elapsed=response.elapsed)
        return response

    def _fetch(self, url: str, headers: dict[str, str], *, private_ok: bool, max_bytes: int,
               check_robots: bool) -> Response:
        chain = [_parse_url(url)]
        elapsed = 0.0
        while True:
            current = chain[-1]
            current_url = str(current)
            # The guard runs on every hop, after DNS resolution, so neither a redirect nor a
            # public-looking name can lead to an internal address (with a clear message before
            # any request, robots.txt included); the guarded client checks again the addresses
            # it connects to, so a name that resolves differently the second time cannot either.
            client = self._private_client if private_ok else self._client
            if not private_ok:
                check_host(current.raw_host.decode("ascii"), current.port or _default_port(current),
                           url=current_url, allowlist=self.options.private_allowlist)
            if check_robots:
                self._check_robots(current, private_ok)
            with self._gate(current), _network_errors(current_url, self.options):
                started = time.monotonic()
                request = client.build_request("GET", current, headers=headers)
                response = _send(client, request)
                try:
                    status = response.status_code
                    if status in _REDIRECTS:
                        chain.append(self._redirect_target(chain, response))
                        elapsed += time.monotonic() - started
                        continue
                    if status >= 400:
                        raise _status_error(current_url, response)
                    content = b"" if status == 304 else self._read_body(
                        response, current_url, max_bytes, started + self.options.total_timeout)
                finally:
                    response.close()
                elapsed += time.monotonic() - started
            return Response(
                url=current_url,
                status=status,
                headers={name.lower(): value for name, value in response.headers.items()},
                content=content,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                elapsed=elapsed,
            )

    def _gate(self, url: httpx.URL) -> AbstractContextManager[None]:
        # One server per host and port, as robots.txt and connection limits count them: two
        # outlets behind one address on different ports are two servers.
        host = normalize_host(url.host)
        return self._host_gates.turn(f"{host}:{url.port}" if url.port else host)

    def _redirect_target(self, chain: list[httpx.URL], response: httpx.Response) -> httpx.URL:
        here = str(chain[-1])
        location = response.headers.get("location", "").strip()
        if not location:
            raise FetchError(f"{here} answered {response.status_code} without a Location header",
                             url=here, status=response.status_code)
        try:
            joined = chain[-1].join(location)
        except httpx.InvalidURL as exc:
            raise FetchError(f"{here} redirects to an invalid URL: {location!r}",
                             url=here) from exc
        target = _parse_url(joined, redirected_from=here)
        if target in chain:
            loop = chain[chain.index(target):] + [target]
            raise TooManyRedirects("redirect loop: " + " -> ".join(str(u) for u in loop),
                                   url=str(chain[0]))
        if len(chain) - 1 >= self.options.max_redirects:
            hops = " -> ".join(str(u) for u in [*chain, target])
            raise TooManyRedirects(f"more than {self.options.max_redirects} redirects: {hops}",
                                   url=str(chain[0]))
        return target

    def _read_body(self, response: httpx.Response, url: str, max_bytes: int,
                   deadline: float) -> bytes:
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(f"{url} is {int(declared)} bytes, over the limit of {max_bytes}",
                           url=url)
        decoder = _BodyDecoder(response.headers.get("content-encoding", ""))
        parts: list[bytes] = []
        size = 0

        def take(pieces: Iterator[bytes]) -> None:
            nonlocal size
            for piece in pieces:
                size += len(piece)
                if size > max_bytes:
                    # Returning closes the response, and with it the connection, unread.
                    raise TooLarge(f"{url} is over the limit of {max_bytes} bytes", url=url)
                parts.append(piece)

        for chunk in response.iter_raw():
            take(decoder.feed(chunk))
            if time.monotonic() > deadline:
                raise Timeout(f"{url} took longer than {self.options.total_timeout:g}s in all",
                              url=url)
        take(decoder.flush())
        return b"".join(parts)

    def _check_robots(self, url: httpx.URL, private_ok: bool) -> None:
        if url.path == "/robots.txt":
            return
        rules = self._robots_for(url, private_ok)
        try:
            allowed = rules is None or rules.can_fetch(str(url), self._robots_token)
        except Exception:  # noqa: BLE001 - a parser bug is no reason to stop fetching
            allowed = True
        if not allowed:
            raise RobotsDisallowed(
                f"robots.txt of {url.host} disallows {url} for {self._robots_token}", url=str(url))

    def _robots_for(self, url: httpx.URL, private_ok: bool) -> Protego | None:
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        with self._lock:
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        # One fetch per origin even when many threads ask at once.
        with origin_lock:
            with self._lock:
                cached = self._robots.get(origin)
            if cached is not None and cached[1] > time.monotonic():
                return cached[0]
            if self._robots_store is None:
                rules = self._load_robots(origin + "/robots.txt", private_ok)
            else:
                text = self._robots_store.load(origin, lambda: self._robots_text(origin + "/robots.txt", private_ok))
                rules = _parse_robots(text)
            with self._lock:
                self._robots[origin] = (rules, time.monotonic() + self.options.robots_ttl)
            return rules

    def _load_robots(self, robots_url: str, private_ok: bool) -> Protego | None:
        """Return the parsed rules, or None (allow everything) when there are none to obey."""
        return _parse_robots(self._robots_text(robots_url, private_ok))

    def _robots_text(self, robots_url: str, private_ok: bool) -> str | None:
        """The robots.txt as text, or None when there is none to obey."""
        try:
            response = self._fetch(robots_url, {}, private_ok=private_ok,
                                   max_bytes=_ROBOTS_MAX_BYTES, check_robots=False)
        except FetchError:
            # 4xx means no rules. A 5xx or an unreachable server would be safest read as
            # "disallow all", but a broken robots.txt should not stop a news feed.
            return None
        return decode_response(response)


def _parse_robots(text: str | None) -> Protego | None:
    if text is None:
        return None
    try:
        return Protego.parse(text)
    except Exception:  # noqa: BLE001 - an unparseable robots.txt holds no rules we can obey
        return None


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send a GET; once more when a kept-alive connection turns out to have been closed by the
    server (it hangs up before answering: nothing was done, and the GET is safe to repeat)."""
    try:
        return client.send(request, stream=True)
    except httpx.RemoteProtocolError as exc:
        if "without sending a response" not in str(exc):
            raise
        return client.send(request, stream=True)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _status_error(url: str, response: httpx.Response) -> HTTPStatusError:
    status = response.status_code
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    message = f"{url} answered {status} {response.reason_phrase}".rstrip()
    if retry_after is not None:
        message += f"; retry after {retry_after:.0f}s"
    return HTTPStatusError(message, url=url, status=status, retry_after=retry_after)
