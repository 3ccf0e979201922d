"""What ``/openapi.json`` declares beyond what FastAPI infers, and an honest 405.

FastAPI documents 200 and 422 only; our routes also answer 400 (a body that is not JSON),
401/403 (staff login, department scope: every route depending on ``api.security``'s staff
gates), 404 (unknown ids) and 409 (business conflicts). A client generated from the schema
must know them, so they are added here in one pass over the generated schema, with the one
error model ``{"error", "field", "message"}`` (``api.errors``). Media types other than JSON
are declared by the routes (``api.media``). Starlette's 405 names only the methods of the
first route matching the path; ours names every method the path has.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from api.errors import error_format_of, error_formats
from api.security import current_staff, desk_staff
from api.staff.params import FILTER_PARAMETERS, report_filter

ERROR_SCHEMA: Final = {
    "title": "ErrorPublic",
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "field": {"type": ["string", "null"]},
        "message": {"type": "string"},
        "allowed": {"type": "array", "items": {"type": "string"}},
        "detail": {},
    },
}
_ERROR_REF: Final = {"$ref": "#/components/schemas/ErrorPublic"}
CONFLICTS: Final = frozenset(
    {
        ("post", "/api/v1/bookings"),
        ("post", "/api/v1/bookings/{receipt_no}/cancel"),
        ("post", "/api/v1/bookings/{receipt_no}/reschedule"),
        ("patch", "/api/v1/reports/{report_id}"),
        ("post", "/api/v1/plans"),
    }
)
# What api/line/webhook.py answers besides 200: 400 (signature, body), 404 (unknown town, no
# LINE channel), 413 (body over 1 MB), 503 (events not stored: LINE redelivers).
_WEBHOOK_CODES: Final = ("400", "404", "413", "503")
EXTRA_CODES: Final = {
    ("post", "/line/webhook"): _WEBHOOK_CODES,
    ("post", "/line/{town}/webhook"): _WEBHOOK_CODES,
}
SIGNED_BODY: Final = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}
SIGNATURE: Final = {
    "name": "X-Line-Signature",
    "in": "header",
    "required": True,
    "description": "base64 HMAC-SHA256 of the body, keyed with the channel secret",
    "schema": {"type": "string"},
}
METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_DESCRIPTIONS: Final = {
    "400": "the body is not JSON (or not the declared form)",
    "401": "staff login missing or expired",
    "403": "not allowed for this staff member (role or department)",
    "404": "no such resource in this municipality",
    "409": "refused by a business rule (day full, status change not allowed ...)",
    "413": "the body is too large",
    "503": "the database is unavailable; retry later",
}
_STAFF_GATES: Final = (current_staff, desk_staff)


def _depends_on(dependant: Dependant, calls: tuple[object, ...]) -> bool:
    """Whether ``dependant`` depends, at any depth, on one of ``calls``."""
    return any(sub.call in calls or _depends_on(sub, calls) for sub in dependant.dependencies)


def operations_depending_on(app: FastAPI, *calls: object) -> set[tuple[str, str]]:
    """(method, path) of every operation depending, at any depth, on one of ``calls``."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and _depends_on(route.dependant, calls):
            path = context.path_format or ""
            found |= {(method.lower(), path) for method in context.methods or ()}
    return found


def staff_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every operation that needs a signed-in staff member (401/403)."""
    return operations_depending_on(app, *_STAFF_GATES)


def _codes_of(method: str, path: str, operation: dict[str, Any], staff: bool) -> list[str]:
    codes = []
    if "requestBody" in operation:
        codes.append("400")
    if staff:
        codes += ["401", "403"]
    if path == "/api/v1/token":
        codes.append("401")
    if "{" in path:
        codes.append("404")
    if (method, path) in CONFLICTS:
        codes.append("409")
    return codes + list(EXTRA_CODES.get((method, path), ()))


def _declare(method: str, path: str, operation: dict[str, Any], staff: bool) -> None:
    responses = operation.setdefault("responses", {})
    for code in _codes_of(method, path, operation, staff):
        responses.setdefault(
            code,
            {
                "description": _DESCRIPTIONS[code],
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
        )
    if (method, path) in EXTRA_CODES:  # the webhook reads its raw body (signed), not a model
        operation["requestBody"] = SIGNED_BODY
        operation["parameters"] = [*operation.get("parameters", []), SIGNATURE]


def contract_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with every error answer declared (cached).

    Paths with an error format of their own (``api.errors.ErrorFormat``, e.g. GeoReport v2)
    declare their answers on their routes; FastAPI's 422 is not one of them.
    """
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorPublic"] = ERROR_SCHEMA
        staff = staff_operations(app)
        filtered = operations_depending_on(app, report_filter)
        prefixes = tuple(f.prefix for f in error_formats(app))
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if path.startswith(prefixes):
                    operation["responses"].pop("422", None)
                    continue
                if (method, path) in filtered:  # read from the query by the dependency itself
                    operation["parameters"] = [*operation.get("parameters", []), *FILTER_PARAMETERS]
                _declare(method, path, operation, (method, path) in staff)
        app.openapi_schema = schema
    return app.openapi_schema


def link(method: str, path: str, **parameters: Any) -> dict[str, Any]:
    """An OpenAPI link to the operation ``method path``; ``requestBody=`` gives its body.

    Values are runtime expressions such as ``$response.body#/receipt_no``: a client (and the
    contract test's stateful phase) follows an answer to the next call it makes possible.
    """
    pointer = path.replace("~", "~0").replace("/", "~1")
    found: dict[str, Any] = {"operationRef": f"#/paths/{pointer}/{method.lower()}"}
    body = parameters.pop("requestBody", None)
    if parameters:
        found["parameters"] = parameters
    if body is not None:
        found["requestBody"] = body
    return found


def links(status: int, **named: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry declaring the links of a route's ``status`` answer."""
    return {status: {"links": named}}


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of the request's path answers, asked of the router itself."""
    allowed = []
    for method in METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    app = request.app
    assert isinstance(app, FastAPI)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
    own_format = error_format_of(request)
    if own_format is not None:
        return own_format.http_error(request, exc.status_code, headers)
    if exc.status_code != 405:
        return _error_model(exc)
    allow = headers["Allow"]
    body = {"error": "method_not_allowed", "field": None, "message": f"use one of: {allow}"}
    return JSONResponse(body, status_code=405, headers={"Allow": allow})


_CODES: Final = {400: "invalid_body", 401: "unauthorized", 403: "forbidden", 404: "not_found"}


def _error_model(exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's ``{"detail": ...}`` (kept, clients read it) in the declared error model."""
    body = {
        "error": _CODES.get(exc.status_code, "http_error"),
        "field": None,
        "message": exc.detail if isinstance(exc.detail, str) else "",
        "detail": exc.detail,
    }
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_openapi_contract(app: FastAPI) -> None:
    """Serve the completed schema; HTTP errors in the error model, 405 with every method."""
    app.openapi = lambda: contract_openapi(app)  # type: ignore[method-assign]
    app.add_exception_handler(StarletteHTTPException, _http_error)
