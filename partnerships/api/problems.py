"""Errors as RFC 9457 problem details: ``application/problem+json`` with type, title, status,
detail and instance, the same shape for every 4xx and 5xx the API answers.

``type`` is a stable URI per kind of problem, pointing at its explanation on the docs page; ``detail`` says
what to change, in a sentence; ``errors`` (validation only) maps each parameter to its messages.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"

# Kinds of problem: (status, title). Their URIs are ``type_uri(key)``, explained on the docs page.
KINDS = {
    "invalid-parameters": (400, "Invalid parameters"),
    "bad-cursor": (400, "Invalid cursor"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "rate-limited": (429, "Too many requests"),
    "server-error": (500, "Server error"),
}


class Problem(Exception):
    """Raised by an operation to answer with a problem (caught by ``partnerships.api.app``)."""

    def __init__(self, kind: str, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors


def type_uri(kind: str) -> str:
    return f"{settings.SITE_URL}/api/v1/docs/#problem-{kind}"


def problem_body(*, kind: str | None, status: int, detail: str, instance: str, errors=None) -> dict:
    if kind in KINDS:
        status, title = KINDS[kind]
        uri = type_uri(kind)
    else:
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        uri = "about:blank"
    body = {"type": uri, "title": title, "status": status, "detail": detail, "instance": instance}
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    request, *, kind: str | None = None, status: int = 400, detail: str, errors=None
) -> HttpResponse:
    body = problem_body(
        kind=kind, status=status, detail=detail, instance=request.get_full_path(), errors=errors
    )
    return HttpResponse(json.dumps(body), status=body["status"], content_type=CONTENT_TYPE)


# A sentence for errors raised below the API (Django's 404, a NUL byte, a crash), by status.
GENERIC_DETAILS = {
    400: "The request could not be read.",
    404: "Nothing is published at this address. The endpoints are listed at /api/v1/docs/.",
    405: "The API is read-only: use GET, HEAD or OPTIONS.",
    500: "Something went wrong on our side; it has been logged. Try again later.",
}


def generic_detail(status: int) -> str:
    if status in GENERIC_DETAILS:
        return GENERIC_DETAILS[status]
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
