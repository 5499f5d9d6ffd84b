"""The ``NinjaAPI`` of ``/api/v1/``: operations, problem details for every error, the schema, the docs.

The generated schema is completed here with what ninja does not say by itself: errors are
``application/problem+json``; 200s carry ``ETag`` and ``Last-Modified`` and answer 304 to a
conditional request; 429s carry ``Retry-After``; the problem types are explained.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase

from partnerships.api.problems import CONTENT_TYPE, KINDS, Problem, problem_response, type_uri
from partnerships.api.routes import router

logger = logging.getLogger(__name__)

DESCRIPTION = """Pactwatch's data, read-only: published deals clause by clause (who gives what to
whom, how sure, with the evidence), companies and what the ledger says they give and receive,
partnerships phase by phase, the ledger, search, the announcements archive and newsroom health.

* **Stable identifiers**: deal, company and newsroom slugs are permanent. A merged deal answers
  301 with the deal that absorbed it; a company alias answers 301 with the company.
* **Caching**: every 200 has an `ETag` and a `Last-Modified`; send `If-None-Match` (or
  `If-Modified-Since`) and an unchanged answer is a bodiless 304.
* **CORS**: any origin may `GET`.
* **Rate limit**: per client address; past it, 429 with `Retry-After` (seconds).
* **Errors** are RFC 9457 problem details (`application/problem+json`).
* **Numbers**: amounts are decimal strings, in the unit or currency beside them, never converted.
"""


class ApiDocs(DocsBase):
    """Swagger UI from our own static files, started by a script file (no inline script)."""

    def render_page(self, request, api, **kwargs):
        ctx = {
            "schema_url": self.get_openapi_url(api, kwargs),
            "title": api.title,
            "problems": _problem_list(),
        }
        return render(request, "api/docs.html", ctx)


def _problem_list() -> list[dict]:
    return [
        {"key": key, "status": status, "title": title, "uri": type_uri(key)}
        for key, (status, title) in KINDS.items()
    ]


class PactwatchApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                _complete_responses(operation["responses"])
        return schema


_CACHE_HEADERS = {
    "ETag": {"description": "Changes whenever the answer would.", "schema": {"type": "string"}},
    "Last-Modified": {
        "description": "When the data behind the answer last changed.",
        "schema": {"type": "string"},
    },
}


def _complete_responses(responses: dict) -> None:
    for code in list(responses):
        responses[str(code)] = responses.pop(code)
    for status, response in responses.items():
        content = response.get("content", {})
        if status.startswith(("4", "5")) and "application/json" in content:
            response["content"] = {CONTENT_TYPE: content["application/json"]}
            response["description"] = _ERROR_DESCRIPTIONS.get(status, response.get("description", ""))
        if status == "200":
            response["headers"] = dict(_CACHE_HEADERS)
        if status == "301":
            response["description"] = "Moved for good: the Location header has the permanent address."
            response["headers"] = {"Location": {"schema": {"type": "string"}}}
        if status == "429":
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
    if "200" in responses:
        responses["304"] = {"description": "Not modified since the ETag or date the request sent."}


_ERROR_DESCRIPTIONS = {
    "400": "A parameter is invalid; `errors` names each with its messages.",
    "404": "Nothing public at this address.",
    "429": "Too many requests from this address; wait `Retry-After` seconds.",
}


api = PactwatchApi(
    title="Pactwatch API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=ApiDocs(),
    docs_url="/docs/",
    openapi_url="/schema/",
)
api.add_router("", router)


def _validation_errors(errors: list[dict]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = location[0] if location else "request"
        found.setdefault(name, []).append(error.get("msg", "is invalid"))
    return found


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = _validation_errors(exc.errors)
    described = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return problem_response(
        request, kind="invalid-parameters", detail=f"Check the parameters. {described}", errors=errors
    )


@api.exception_handler(Problem)
def _problem(request, exc):
    return problem_response(request, kind=exc.kind, detail=exc.detail, errors=exc.errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(request, kind="not-found", detail=str(exc) or "Nothing public at this address.")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(request, status=exc.status_code, detail=str(exc))


@api.exception_handler(Exception)
def _crash(request, exc):
    logger.exception("API error on %s", request.get_full_path())
    return problem_response(
        request,
        kind="server-error",
        detail="Something went wrong on our side; it has been logged. Try again later.",
    )
