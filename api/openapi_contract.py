"""What ``/openapi.json`` declares beyond what FastAPI infers, and an honest 405.

FastAPI documents 200 and 422 only; our routes also answer 400 (a body that is not JSON),
401/403 (staff login, department scope), 404 (unknown ids), 409 (business conflicts) and
non-JSON media types (CSV, GeoJSON, PDF). A client generated from the schema must know them,
so they are added here in one pass over the generated schema, with the one error model
``{"error", "field", "message"}`` (``api.errors``). Starlette's 405 names only the methods of
the first route matching the path; ours names every method the path has.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

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
PUBLIC_PATHS: Final = frozenset(
    {
        "/healthz",
        "/api/v1/town",
        "/api/v1/districts",
        "/api/v1/evacuation-sites",
        "/api/v1/items",
        "/api/v1/calendar",
        "/api/v1/token",
        "/line/webhook",
    }
)
CONFLICTS: Final = frozenset(
    {
        ("post", "/api/v1/bookings"),
        ("post", "/api/v1/bookings/{receipt_no}/cancel"),
        ("post", "/api/v1/bookings/{receipt_no}/reschedule"),
        ("patch", "/api/v1/reports/{report_id}"),
        ("post", "/api/v1/plans"),
    }
)
MEDIA_TYPES: Final = {
    ("get", "/api/v1/reports"): ("application/json", "application/geo+json"),
    ("get", "/api/v1/reports.csv"): ("text/csv",),
    ("get", "/api/v1/reports.geojson"): ("application/geo+json",),
    ("get", "/api/v1/disaster/reports"): ("application/geo+json",),
    ("get", "/api/v1/plans/{date}/worksheets.pdf"): ("application/pdf",),
}
METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_DESCRIPTIONS: Final = {
    "400": "the body is not JSON (or not the declared form)",
    "401": "staff login missing or expired",
    "403": "not allowed for this staff member (role or department)",
    "404": "no such resource in this municipality",
    "409": "refused by a business rule (day full, status change not allowed ...)",
}


def _codes_of(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    codes = []
    if "requestBody" in operation:
        codes.append("400")
    if path not in PUBLIC_PATHS:
        codes += ["401", "403"]
    if path == "/api/v1/token":
        codes.append("401")
    if "{" in path:
        codes.append("404")
    if (method, path) in CONFLICTS:
        codes.append("409")
    return codes


def _declare(method: str, path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for code in _codes_of(method, path, operation):
        responses.setdefault(
            code,
            {
                "description": _DESCRIPTIONS[code],
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
        )
    media = MEDIA_TYPES.get((method, path))
    ok = responses.get("200")
    if media and ok is not None:
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        ok["content"] = {kind: {"schema": schema} for kind in media}


def contract_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with every error answer and media type declared (cached)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorPublic"] = ERROR_SCHEMA
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _declare(method, path, operation)
        app.openapi_schema = schema
    return app.openapi_schema


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of the request's path answers, asked of the router itself."""
    allowed = []
    for method in METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code != 405:
        return _error_model(exc)
    app = request.app
    assert isinstance(app, FastAPI)
    allow = ", ".join(allowed_methods(app, request.scope))
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
