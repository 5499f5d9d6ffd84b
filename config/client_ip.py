"""The visitor's IP address, as the one function every per-visitor rule asks.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy, so every visitor would share one
subscribe rate limit and one admin lockout. The proxy reports the real address in
``X-Forwarded-For``, but any client can send that header too, so it is believed only as
far as it was written by proxies listed in ``TRUSTED_PROXIES``:

- ``REMOTE_ADDR`` is not a trusted proxy: it is the client (the header is ignored);
- otherwise walk ``X-Forwarded-For`` from the right (the entry our proxy appended),
  skipping trusted proxies; the first other address is the client. Entries further
  left were written by the client and are never used.

Used by the subscribe rate limits, consent records and django-axes
(``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address) -> bool:
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in getattr(settings, "TRUSTED_PROXIES", ()))


def client_ip(request) -> str | None:
    """The address of the visitor who sent ``request`` (a string), or None if unknown."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not _trusted(remote):
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: nothing to its left can be trusted
        if not _trusted(address):
            return str(address)
        remote = address
    return str(remote)
