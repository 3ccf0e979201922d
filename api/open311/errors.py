"""Errors in the GeoReport v2 format: a list of ``{code, description}``, JSON or XML.

The format is the path's suffix (``.xml`` gives XML, anything else JSON). Besides the
workflow's refusals, every other error under ``/open311/`` is given in this format too
(``api.errors.ErrorFormat``): a request the schema refuses is a 400 naming the field (404
for a path: an unknown format or photo name), an unknown path 404, a wrong method 405.
"""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from api.errors import ErrorFormat, install_error_format
from api.open311 import texts as t
from api.open311.limits import TooManyRequestsError
from api.open311.render import error_documents, respond
from workflow.open311.errors import Open311Error

PREFIX: Final = "/open311/"
STATUS_BY_KIND = {"bad_request": 400, "forbidden": 403, "not_found": 404}
_REASON_BY_STATUS: Final = {404: "path", 405: "method"}


def format_of(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def error_response(
    request: Request, status_code: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    body = error_documents(status_code, [description])
    return respond(format_of(request), "errors", "error", body, status_code, headers)


async def open311_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Open311Error)
    description = t.error_text(exc.reason, exc.field, exc.values)
    return error_response(request, STATUS_BY_KIND.get(exc.kind, 400), description)


async def rate_limit_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooManyRequestsError)
    seconds = exc.retry_after_s
    description = t.error_text("rate_limited", None, {"seconds": seconds})
    return error_response(request, 429, description, {"Retry-After": str(seconds)})


def http_error(request: Request, status: int, headers: dict[str, str]) -> Response:
    """Starlette's own errors (unknown path, wrong method, unreadable form) in GeoReport."""
    values: dict[str, object] = {"allow": headers.get("Allow", "")}
    description = t.error_text(_REASON_BY_STATUS.get(status, "malformed"), "body", values)
    return error_response(request, status, description, headers)


def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """The first field the schema refuses: 404 for a path segment, else 400."""
    errors = list(exc.errors())
    where = [str(part) for part in errors[0]["loc"]] if errors else ["query"]
    field = where[-1]
    if where[0] == "path":
        reason = "format" if field == "fmt" else "path"
        return error_response(request, 404, t.error_text(reason, field, {}))
    missing = bool(errors) and errors[0]["type"] == "missing"
    reason = "required" if missing else "malformed"
    return error_response(request, 400, t.error_text(reason, field, {}))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Open311Error, open311_error_handler)
    app.add_exception_handler(TooManyRequestsError, rate_limit_handler)
    install_error_format(app, ErrorFormat(PREFIX, http_error, validation_error))
