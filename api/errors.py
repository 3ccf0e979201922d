"""One mapping from domain errors to HTTP answers.

The body is ``{"error": kind, "code": code, "field": f, "message": ja}``: ``kind`` is the
error family (it picks the status), ``code`` the case, ``message`` its sentence from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from workflow import errors as e
from workflow.texts.sentences import error_text
from workflow.texts.staff import INVALID_INPUT_JA

STATUS_BY_ERROR: dict[type[e.WorkflowError], int] = {
    e.NotFoundError: 404,
    e.OutsideAreaError: 422,
    e.InvalidInputError: 422,
    e.CapacityFullError: 409,
    e.TransitionError: 409,
    e.ForbiddenError: 403,
}


def _status(exc: e.WorkflowError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 400


async def workflow_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.WorkflowError)
    body: dict[str, object] = {
        "error": exc.kind,
        "code": exc.code,
        "field": exc.field,
        "message": error_text(exc),
    }
    if isinstance(exc, e.TransitionError):
        body["allowed"] = list(exc.allowed)
    return JSONResponse(body, status_code=_status(exc))


@dataclass(frozen=True)
class ErrorFormat:
    """The errors of the paths under ``prefix`` in a format of their own (GeoReport v2).

    ``http_error(request, status, headers)`` answers Starlette's 404/405 and the like;
    ``validation_error(request, exc)`` answers a request the schema refuses.
    """

    prefix: str
    http_error: Callable[[Request, int, dict[str, str]], Response]
    validation_error: Callable[[Request, RequestValidationError], Response]


def install_error_format(app: FastAPI, error_format: ErrorFormat) -> None:
    app.state.error_formats = (*error_formats(app), error_format)


def error_formats(app: FastAPI) -> tuple[ErrorFormat, ...]:
    found = getattr(app.state, "error_formats", ())
    assert isinstance(found, tuple)
    return found


def error_format_of(request: Request) -> ErrorFormat | None:
    """The error format of the request's path, None for the API's own error model."""
    app = request.app
    assert isinstance(app, FastAPI)
    path = request.url.path
    return next((f for f in error_formats(app) if path.startswith(f.prefix)), None)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 (``detail`` kept) plus the error model's ``error`` and ``field``."""
    assert isinstance(exc, RequestValidationError)
    own_format = error_format_of(request)
    if own_format is not None:
        return own_format.validation_error(request, exc)
    errors = list(exc.errors())
    where = [str(part) for part in errors[0]["loc"][1:]] if errors else []
    body = {
        "error": "invalid_input",
        "field": ".".join(where) or None,
        "message": INVALID_INPUT_JA,
        "detail": jsonable_encoder(errors),
    }
    return JSONResponse(body, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(e.WorkflowError, workflow_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
