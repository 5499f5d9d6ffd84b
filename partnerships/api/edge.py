"""What every ``/api/`` request goes through before (and after) the operations, in one middleware.

It sits right after WhiteNoise, ahead of sessions, authentication and CSRF (the API uses none of
them), so a cached answer or a 304 costs a rate-limit count, a cache read and nothing else:

1. rate limit per client address: 429 with ``Retry-After`` (``limits``);
2. ``OPTIONS``: the CORS preflight, answered here; other methods than GET/HEAD reach the API,
   which refuses them with 405;
3. conditional GET: the ``ETag`` is a digest of the code version, the page cache's content
   version (bumped on commit by every change to a deal, clause, company or party) and the
   URL, so it is known before any query: ``If-None-Match`` → 304 at once. ``Last-Modified``
   is when this process first saw that content version. The archive (announcements, newsroom
   health, search) changes without a version bump, so its answers are keyed on a window of
   ``API_ARCHIVE_SECONDS`` too;
4. the answer cache (``PAGE_CACHE_ENABLED``): 200s stored under the same key as the ETag;
5. every 4xx/5xx becomes RFC 9457 problem details, wherever it came from (a Django 404 for
   an unknown path, the NUL-byte guard's 400, a crash);
6. CORS: ``Access-Control-Allow-Origin: *`` on every answer.

HEAD is answered as GET without the body.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from partnerships.api import limits
from partnerships.api.problems import CONTENT_TYPE, generic_detail, problem_response
from partnerships.cache import CODE_VERSION, content_version

PREFIX = "/api/"
ROOT = "/api/v1/"
UNCACHED = (ROOT + "docs/",)
ARCHIVE = tuple(ROOT + name for name in ("announcements/", "sources/", "search/"))
METHODS = "GET, HEAD, OPTIONS"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, Retry-After",
}
PREFLIGHT = {
    "Access-Control-Allow-Methods": METHODS,
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
_KEPT = ("Content-Type", "Link")  # headers a cached answer keeps
_since: dict[str, float] = {}


class ApiEdgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        response = self._answer(request)
        for name, value in CORS.items():
            response[name] = value
        return response

    def _answer(self, request):
        wait = limits.retry_after(request)
        if wait is not None:
            response = problem_response(
                request,
                kind="rate-limited",
                detail=f"More than {settings.API_RATE_LIMIT} requests in {settings.API_RATE_WINDOW} s "
                f"from your address; try again in {wait} s.",
            )
            response["Retry-After"] = str(wait)
            return response
        if request.method == "OPTIONS":
            return _preflight(request)
        if request.method not in ("GET", "HEAD"):
            return _as_problem(request, self.get_response(request))
        if request.method == "GET":
            return self._get(request)
        request.method = "GET"
        try:
            response = self._get(request)
        finally:
            request.method = "HEAD"
        length = len(response.content) if not response.streaming else None
        response.content = b""
        if length is not None:
            response["Content-Length"] = str(length)
        return response

    def _get(self, request):
        path = request.path_info
        if path.startswith(UNCACHED):
            return _as_problem(request, self.get_response(request))
        validators = _validators(request, archive=path.startswith(ARCHIVE))
        not_modified = get_conditional_response(
            request, etag=validators.etag, last_modified=validators.last_modified
        )
        if not_modified is not None:
            return _stamp(not_modified, validators)
        use_cache = getattr(settings, "PAGE_CACHE_ENABLED", True)
        hit = cache.get(validators.key) if use_cache else None
        if hit is not None:
            response = HttpResponse(hit["content"], content_type=hit["Content-Type"])
            if hit.get("Link"):
                response["Link"] = hit["Link"]
            response["X-Api-Cache"] = "hit"
            return _stamp(response, validators)
        response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return _as_problem(request, response)
        if use_cache:
            stored = {name: response[name] for name in _KEPT if response.has_header(name)}
            cache.set(validators.key, {**stored, "content": response.content}, validators.timeout)
            response["X-Api-Cache"] = "miss"
        return _stamp(response, validators)


class _Validators:
    __slots__ = ("etag", "key", "last_modified", "timeout")

    def __init__(self, etag: str, key: str, last_modified: int, timeout: int):
        self.etag, self.key, self.last_modified, self.timeout = etag, key, last_modified, timeout


def _validators(request, *, archive: bool) -> _Validators:
    """ETag, cache key, Last-Modified (epoch seconds) and cache lifetime of this GET."""
    version = content_version()
    if archive:
        window = settings.API_ARCHIVE_SECONDS
        bucket = int(time.time() // window)
        version, since, timeout = f"{version}:{bucket}", bucket * window, window
    else:
        since, timeout = _version_since(version), settings.PAGE_CACHE_SECONDS
    raw = f"{CODE_VERSION}|{version}|{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return _Validators(f'"{digest}"', f"pactwatch:api:{digest}", int(since), timeout)


def _version_since(version: str) -> float:
    """When this content version was first seen (shared through the cache, kept per process)."""
    since = _since.get(version)
    if since is None:
        key = f"pactwatch:api:since:{version}"
        now = float(int(time.time()))
        cache.add(key, now, timeout=30 * 24 * 3600)
        since = cache.get(key) or now
        if len(_since) > 32:
            _since.clear()
        _since[version] = since
    return since


def _stamp(response, validators: _Validators):
    response["ETag"] = validators.etag
    response["Last-Modified"] = http_date(validators.last_modified)
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _preflight(request):
    try:
        resolve(request.path_info)
    except Resolver404:
        return problem_response(request, status=404, kind="not-found", detail=generic_detail(404))
    response = HttpResponse(status=204)
    response["Allow"] = METHODS
    for name, value in PREFLIGHT.items():
        response[name] = value
    return response


def _as_problem(request, response):
    """Any 4xx/5xx that is not problem details yet becomes one (headers such as Allow kept)."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(CONTENT_TYPE):
        return response
    kind = {404: "not-found", 405: "method-not-allowed", 500: "server-error"}.get(response.status_code)
    problem = problem_response(
        request, kind=kind, status=response.status_code, detail=generic_detail(response.status_code)
    )
    if response.status_code == 405:
        problem["Allow"] = METHODS
    return problem
