"""The SSRF guard: which URLs and addresses an outbound request may reach.

``check_url_allowed`` is the one rule for every outbound request Pactwatch makes (newsroom
fetches today, webhooks when they exist): it refuses non-http(s) URLs, credentials in
URLs, and any host that is, or resolves to, an address that is not plainly public. It
runs at save time (a validator on ``Newsroom.url``) and again at fetch time for every
redirect hop, and the client then connects to the very addresses it returned.

Python's ``is_global`` alone is not enough: on 3.11 it is True for IPv4-compatible
(``::127.0.0.1``), NAT64 (``64:ff9b::7f00:1``) and site-local (``fec0::1``) addresses, and
an IPv4-mapped address (``::ffff:127.0.0.1``) does not report itself as loopback. Those
forms are unwrapped or refused explicitly below.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings

from .errors import FetchError, UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 spellings that reach IPv4 space or private networks although ``is_global`` says yes.
_REFUSED_V6 = (
    ipaddress.ip_network("::/96"),  # IPv4-compatible (deprecated): ::a.b.c.d
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64, well-known prefix
    ipaddress.ip_network("64:ff9b:1::/48"),  # NAT64, local-use prefix
    ipaddress.ip_network("fec0::/10"),  # site-local (deprecated, still routed inside some networks)
    ipaddress.ip_network("2002::/16"),  # 6to4: wraps an IPv4 address
    ipaddress.ip_network("2001::/32"),  # Teredo: wraps an IPv4 address
)


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


# Replaced by tests and the benchmark to map fake names; production uses DNS.
resolve_host: Callable[[str, int], list[str]] = _resolve


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "SCRAPER_ALLOW_LOOPBACK", False))


def address_is_public(ip: IPAddress) -> bool:
    """True only for a unicast address on the public internet (loopback too in test mode)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        elif ip.is_loopback:
            return _loopback_allowed()
        elif any(ip in network for network in _REFUSED_V6):
            return False
    if ip.is_loopback:
        return _loopback_allowed()
    # is_global is False for private, link-local, CGNAT (100.64/10), documentation ranges...
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def split_checked(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the client may request, or ``UnsafeURLError``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"Not a valid URL: {url!r}", url=url) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(
            f"Only http and https URLs can be fetched, not {parts.scheme or 'none'!r}.", url=url
        )
    if parts.username or parts.password:
        raise UnsafeURLError("URLs with credentials are refused.", url=url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURLError("The URL has no host.", url=url)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _resolved(host: str, port: int, url: str, *, allow_unresolvable: bool) -> list[str]:
    try:
        addresses = resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        if allow_unresolvable:
            return []
        raise FetchError(f"{host} does not resolve ({exc}).", permanent=False, url=url) from exc
    if not addresses and not allow_unresolvable:
        raise FetchError(f"{host} does not resolve.", permanent=False, url=url)
    return addresses


def check_url_allowed(url: str, *, resolve: bool = True, allow_unresolvable: bool = False) -> list[str]:
    """Refuse URLs whose host is, or resolves to, a non-public address; return the checked IPs.

    At save time a name that does not resolve *yet* is accepted (``allow_unresolvable``);
    at fetch time it is a transient error.
    """
    _scheme, host, port = split_checked(url)
    literal = _literal(host)
    if literal is not None:
        if not address_is_public(literal):
            raise UnsafeURLError(f"{host} is not a public address.", url=url)
        return [str(literal)]
    if (host == "localhost" or host.endswith(".localhost")) and not _loopback_allowed():
        raise UnsafeURLError(f"{host} is not a public host.", url=url)
    if not resolve:
        return []
    addresses = _resolved(host, port, url, allow_unresolvable=allow_unresolvable)
    for address in addresses:
        if not address_is_public(ipaddress.ip_address(address.split("%")[0])):
            raise UnsafeURLError(f"{host} resolves to {address}, which is not a public address.", url=url)
    return addresses


def validate_public_url(url: str) -> None:
    """Model-field validator: the save-time half of the SSRF guard."""
    check_url_allowed(url, allow_unresolvable=True)
