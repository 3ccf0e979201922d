"""Rendering shared by the resident pages ``/r/``: no caching, no referrer, form tokens."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.resident.csrf import form_token
from api.templating import templates
from machi.settings import Settings

NO_STORE: Final = {"Cache-Control": "no-store"}


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, f"resident/{name}", context, status_code=status, headers=dict(NO_STORE)
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def page_with_token(
    request: Request, settings: Settings, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    token = form_token(request, settings)
    response = page(request, name, {**context, "csrf_token": token.token}, status)
    token.set_cookie(response, settings)
    return response
