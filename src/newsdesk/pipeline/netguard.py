"""Refuse URLs whose host is, or resolves to, a non-public address.

A news aggregator fetches URLs that strangers control (feed entries, redirects), so without this
check anyone could make it read the admin port of a router, a cloud metadata endpoint or a
service on the loopback interface.
"""

from __future__ import annotations

import ipaddress
import socket

import httpcore

from newsdesk.pipeline.errors import BlockedAddress, FetchError

__all__ = ["GuardedBackend", "address_kind", "check_host", "normalize_host", "public_addresses"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 gateways translate these to the embedded IPv4 address, which may well be private.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def normalize_host(host: str) -> str:
    """Return ``host`` lower-cased, without brackets or a trailing dot, IP literals canonical."""
    host = host.strip().lower().strip("[]").rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def address_kind(ip: IPAddress) -> str | None:
    """Return why ``ip`` is not a public address ("loopback", "private", ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        # Addresses that carry an IPv4 address inside reach that address; judge it instead.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
        if ip.is_site_local:
            return "site-local"
    # Order matters: the first matching kind names the address in the editor's message.
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for kind, matched in checks:
        if matched:
            return kind
    # is_global also excludes ranges the flags above miss, such as 100.64.0.0/10 (carrier NAT).
    return None if ip.is_global else "non-public"


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"could not resolve host {host}: {exc}") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # Strip an IPv6 zone ("fe80::1%eth0") before parsing.
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def check_host(host: str, port: int, *, url: str = "", allowlist: tuple[str, ...] = ()) -> None:
    """Resolve ``host`` and refuse it unless every address it resolves to is public.

    A host in ``allowlist`` (names or IP literals, compared as written, not by address) passes
    without resolution. Raises BlockedAddress when refused, FetchError when the name does not
    resolve.
    """
    public_addresses(host, port, url=url, allowlist=allowlist)


def public_addresses(host: str, port: int, *, url: str = "",
                     allowlist: tuple[str, ...] = ()) -> list[IPAddress] | None:
    """The addresses ``host`` resolves to, all public, or None for a host in ``allowlist``.

    Raises as :func:`check_host` does.
    """
    name = normalize_host(host)
    if name in {normalize_host(entry) for entry in allowlist}:
        return None
    try:
        literal: IPAddress | None = ipaddress.ip_address(name)
    except ValueError:
        literal = None
    addresses = [literal] if literal is not None else _resolve(name, port)
    # One bad address is enough: the connection may use any of them.
    for ip in addresses:
        kind = address_kind(ip)
        if kind is None:
            continue
        where = f"{name} is" if literal is not None else f"{name} resolves to {ip},"
        raise BlockedAddress(
            f"refused: {where} {_article(kind)} {kind} address; "
            "add the source with --allow-private to allow it",
            url=url,
        )
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to public addresses.

    The name is resolved once, every address checked, and the connection made to a checked
    address, so a DNS server that answers differently from one lookup to the next (DNS
    rebinding) cannot lead a fetch to an internal address between the check and the connect.
    """

    def __init__(self, allowlist: tuple[str, ...] = ()):
        self._allowlist = allowlist
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options=None) -> httpcore.NetworkStream:
        addresses = public_addresses(host, port, allowlist=self._allowlist)
        if addresses is None:  # allow-listed: connect by name
            return self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        failure: Exception | None = None
        for ip in addresses:
            try:
                return self._backend.connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"could not connect to {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options=None) -> httpcore.NetworkStream:
        raise BlockedAddress(f"refused: unix socket {path}")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
