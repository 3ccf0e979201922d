"""Errors in the GeoReport v2 format: a list of ``{code, description}``, JSON or XML.

The format is the path's suffix (``.xml`` gives XML, anything else JSON).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.open311 import texts as t
from api.open311.limits import TooManyRequestsError
from api.open311.render import error_documents, respond
from workflow.open311.errors import Open311Error

STATUS_BY_KIND = {"bad_request": 400, "forbidden": 403, "not_found": 404}


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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Open311Error, open311_error_handler)
    app.add_exception_handler(TooManyRequestsError, rate_limit_handler)
