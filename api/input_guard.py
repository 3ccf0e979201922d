"""The edge guard against text PostgreSQL refuses (see ``api.textsafety``), as ASGI middleware.

* path, query string and url-encoded form bodies: NUL removed (``%00`` always is a NUL there);
* JSON bodies: every string cleaned (NUL dropped, lone surrogates replaced) and re-encoded;
* multipart text fields are cleaned where the form is read.
Cleaned, not refused: the schema lets any string through, so a refusal would break the
OpenAPI contract, and a resident's message should get through without its stray NUL.
The LINE webhook is left alone here: its signature covers the raw bytes, and it stores
events in a cleaned form itself (``api.line.events``). A last handler turns a NUL that still
reaches psycopg into a 422 naming the problem rather than a 500.
"""

from __future__ import annotations

import json
import re
from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.textsafety import clean_json, clean_text, is_safe, unsafe_field
from workflow.db import DATA_ERRORS
from workflow.texts.staff import INVALID_CHARACTERS_JA

EXEMPT_PATHS: Final = frozenset({"/line/webhook"})
# Every town's webhook too: its body must reach the signature check byte for byte.
_EXEMPT_PATTERN: Final = re.compile(r"^/line/[^/]+/webhook/?$")
MAX_CHECKED_BYTES: Final = 4_000_000
ERROR_CODE: Final = "invalid_characters"


def refusal(field: str) -> JSONResponse:
    """The 422 answer for a field holding characters that cannot be stored."""
    body = {"error": ERROR_CODE, "field": field, "message": INVALID_CHARACTERS_JA}
    return JSONResponse(body, status_code=422)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _without_nul(raw: bytes) -> bytes:
    return raw.replace(b"%00", b"").replace(b"\x00", b"")


def _clean_url(scope: Scope) -> Scope:
    path = scope.get("path", "")
    query = scope.get("query_string", b"")
    if is_safe(path) and b"%00" not in query:
        return scope
    cleaned = {**scope, "path": clean_text(path), "query_string": _without_nul(query)}
    if "raw_path" in scope and scope["raw_path"] is not None:
        cleaned["raw_path"] = _without_nul(scope["raw_path"])
    return cleaned


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body, or a prefix and False when it is larger than worth checking."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body", False))
        if size > MAX_CHECKED_BYTES and more:
            return b"".join(chunks), False
    return b"".join(chunks), True


def _clean_json_body(body: bytes) -> bytes:
    try:
        value = json.loads(body)
    except ValueError:  # not JSON (or not UTF-8): the route's own validation answers
        return body
    if unsafe_field(value) is None:
        return body
    return json.dumps(clean_json(value), ensure_ascii=False).encode()


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": not complete}

    return replayed


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", []) if k != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def _exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or _EXEMPT_PATTERN.match(path) is not None


class InputGuard:
    """Pure ASGI middleware: clean unstorable characters before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        scope = _clean_url(scope)
        content_type = _content_type(scope)
        if _is_json(content_type) or content_type == "application/x-www-form-urlencoded":
            body, complete = await _read_body(receive)
            if complete:
                body = _clean_json_body(body) if _is_json(content_type) else _without_nul(body)
                scope = _with_length(scope, len(body))
            receive = _replay(body, complete, receive)
        await self.app(scope, receive, send)


async def _nul_reached_the_database(_request: Request, exc: Exception) -> JSONResponse:
    if "NUL" not in str(exc):
        raise exc
    return refusal("body")


def install_input_guard(app: FastAPI) -> None:
    """Add the guard middleware and the last-resort handler for NUL reaching psycopg."""
    app.add_middleware(InputGuard)
    for error in DATA_ERRORS:
        app.add_exception_handler(error, _nul_reached_the_database)
