"""The one guarded HTTP client every scraper request goes through.

Vendor newsrooms are untrusted input on the network: a URL can point at our own
infrastructure (SSRF), a server can answer with 50 MB or a 6 KB body that inflates to
4 GiB, trickle bytes forever, loop redirects, or hide its body behind bot protection.
Every request here therefore:

- is refused unless each address its host resolves to is public, and connects to the
  very address that was checked (``guard``);
- re-checks every redirect hop, refuses malformed ``Location`` headers and stops after
  ``SCRAPER_MAX_REDIRECTS`` (``client``);
- honours robots.txt (protego, cached per host) and per-host politeness: one request in
  flight per host and ``SCRAPER_HOST_DELAY`` between requests, shared by all Celery
  workers through Redis; a host may have its own policy (sec.gov: one slot for all its
  hosts, ``SEC_REQUEST_DELAY``, ``SEC_USER_AGENT``) (``politeness``);
- has one deadline for connect, headers and body together, shorter than its host-slot
  lease (``client``);
- reads the raw stream and decompresses it itself, counting decoded bytes against
  ``SCRAPER_MAX_BYTES``; stacked or unknown encodings are refused (``decode``);
- picks the charset from headers, meta tags or detection, and rejects a body that still
  decodes to garbage (``decode``);
- turns every failure into a typed :class:`FetchError` whose ``permanent`` flag says
  whether retrying can help (``errors``).
"""

from .client import MAX_RETRY_AFTER, FetchResult, fetch, looks_like_challenge, parse_retry_after
from .decode import TooLarge, decode_body, decode_checked, garbage_ratio, inflate
from .errors import FetchError, UnsafeURLError
from .guard import address_is_public, check_url_allowed, validate_public_url
from .politeness import (
    DEFAULT_POLICY,
    HostPolicy,
    clear_caches,
    host_policy,
    host_slot,
    request_deadline,
    robots_allowed,
    sec_policy,
    slot_lease,
)

__all__ = [
    "DEFAULT_POLICY",
    "MAX_RETRY_AFTER",
    "FetchError",
    "FetchResult",
    "HostPolicy",
    "TooLarge",
    "UnsafeURLError",
    "address_is_public",
    "check_url_allowed",
    "clear_caches",
    "decode_body",
    "decode_checked",
    "fetch",
    "garbage_ratio",
    "host_policy",
    "host_slot",
    "inflate",
    "looks_like_challenge",
    "parse_retry_after",
    "request_deadline",
    "robots_allowed",
    "sec_policy",
    "slot_lease",
    "validate_public_url",
]
