"""Page and fragment cache for anonymous readers, invalidated by a version key.

Every cached page's key embeds the current *content version*. Any committed change to a
deal, clause, company, deal party or regulatory review replaces the version, so every cached page goes
stale at once without having to know which pages showed the changed row. Stale
entries are never read again and simply expire.

The bump runs on commit (``transaction.on_commit``), so a reader never caches a page
built from data that a rolled-back transaction showed for a moment.

``shared`` caches what every reader of one data version gets alike, whoever they are (staff
too): a chart's layout (the network's Kamada-Kawai, the Sankey diagrams), the footer's
"data as of" date. It is computed once per data version instead of once per request.
"""

import hashlib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

VERSION_KEY = "pactwatch:content-version"


def _code_version() -> str:
    """A digest of the templates and code that shape pages, so a deploy never serves old HTML.

    Every worker of one release computes the same value (same files), so they share entries.
    """
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder, pattern in (("templates", "**/*.html"), ("partnerships", "**/*.py"), ("static/css", "*.css")):
        for path in sorted((root / folder).glob(pattern)):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


# The version is read on every cached page view; remembering it for a second per process
# halves the Redis round trips of a cache hit. Another process's bump shows within the TTL.
_memo = {"version": None, "until": 0.0}


def content_version() -> str:
    ttl = getattr(settings, "PAGE_CACHE_VERSION_TTL", 1.0)
    now = time.monotonic()
    if ttl and _memo["version"] and now < _memo["until"]:
        return _memo["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        candidate = uuid.uuid4().hex
        # add(): two first readers racing agree on one version.
        version = candidate if cache.add(VERSION_KEY, candidate, timeout=None) else cache.get(VERSION_KEY)
        if version is None:  # cache unreachable: nothing will hit anyway, remember nothing
            return candidate
    _memo.update(version=version, until=now + ttl)
    return version


def bump_content_version() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    _memo.update(version=version, until=time.monotonic() + getattr(settings, "PAGE_CACHE_VERSION_TTL", 1.0))


def _bump_on_commit(sender, **kwargs):
    transaction.on_commit(bump_content_version)


def connect_signals() -> None:
    from partnerships.models import Clause, Company, Deal, DealParty, RegulatoryEvent, RegulatoryReview

    # Regulatory reviews show on deal pages and in partnership phase chains.
    for model in (Deal, Clause, Company, DealParty, RegulatoryReview, RegulatoryEvent):
        uid = f"pactwatch-cache-{model.__name__}"
        post_save.connect(_bump_on_commit, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_commit, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(_bump_on_commit, sender=Deal.sources.through, dispatch_uid="pactwatch-cache-sources")
    m2m_changed.connect(
        _bump_on_commit, sender=RegulatoryReview.deals.through, dispatch_uid="pactwatch-cache-review-deals"
    )


def page_cache_enabled(request) -> bool:
    """Only anonymous GETs share cached pages: staff see candidates and fresh data."""
    if not getattr(settings, "PAGE_CACHE_ENABLED", True) or request.method != "GET":
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def wants_fragment(request) -> bool:
    """An htmx swap wants the partial; an htmx *history restore* (Back after a cache miss) wants the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _key(prefix: str, request, extra: str = "") -> str:
    fragment = "1" if wants_fragment(request) else "0"
    # The Host header is part of the key: a page built for one allowed host never answers for another.
    raw = f"{request.get_host()}|{request.get_full_path()}|{fragment}|{extra}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"pactwatch:{prefix}:{CODE_VERSION}:{content_version()}:{digest}"


def cached_response(request, build, *, prefix: str = "page", timeout: int | None = None):
    """Serve ``build()``'s response from the cache for anonymous readers.

    Only complete 200 responses are stored; redirects and 404s are computed each time
    (they are cheap and must follow merges immediately). A page must not carry a
    per-visitor token (a CSRF form): such forms are loaded by htmx from their own view.
    """
    if not page_cache_enabled(request):
        response = build()
        _vary(response)
        return response
    key = _key(prefix, request)
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        response = HttpResponse(content, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        _vary(response)
        return response
    response = build()
    if response.status_code == 200 and not getattr(response, "streaming", False):
        cache.set(
            key,
            (response.content, response["Content-Type"]),
            timeout if timeout is not None else settings.PAGE_CACHE_SECONDS,
        )
        response["X-Page-Cache"] = "miss"
    _vary(response)
    return response


def _vary(response: HttpResponse) -> None:
    # The same URL answers a full page or an htmx fragment.
    from django.utils.cache import patch_vary_headers

    patch_vary_headers(response, ("HX-Request",))


def shared(name: str, build, *parts):
    """``build()``, computed once per data version and code version for these ``parts``.

    For results every reader gets alike (chart layouts, the footer's date), never for
    anything that depends on who asks. ``FRAGMENT_CACHE_ENABLED = False`` computes every time.
    """
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return build()
    raw = "|".join(str(part) for part in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    key = f"pactwatch:shared:{name}:{CODE_VERSION}:{content_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = (build(),)  # a tuple: a build that returns None is cached too
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found[0]
