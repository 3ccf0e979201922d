"""``POST /line/webhook``: verify the signature, store every event once, answer 200 at once.

Nothing else happens on this path (no LINE call, no dialogue): LINE wants an answer within
seconds and redelivers otherwise, so the worker does the work from the stored events.
The insert runs on a small async psycopg pool opened by this router's lifespan, so a burst of
webhooks never queues behind the thread pool; without the lifespan (no ASGI startup) it falls
back to the app's SQLAlchemy engine in a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Final

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import get_municipality_id
from api.line.channels import ChannelSecrets
from api.line.events import parse_webhook_body
from machi.settings import Settings
from workflow.db import UNAVAILABLE_ERRORS, Engine
from workflow.line.inbox import (
    InboundEvent,
    WebhookPool,
    open_webhook_pool,
    store_webhook_events,
    store_webhook_events_sync,
)

log = logging.getLogger("machi.webhook")
SIGNATURE_HEADER: Final = "x-line-signature"
MAX_BODY_BYTES: Final = 1_000_000


@asynccontextmanager
async def webhook_pool(app: FastAPI) -> AsyncIterator[None]:
    """Open the webhook's async pool at startup (without waiting for the DB), close at exit."""
    settings: Settings = app.state.settings
    pool = await open_webhook_pool(settings.database_url)
    app.state.webhook_pool = pool
    try:
        yield
    finally:
        del app.state.webhook_pool
        await pool.close()


router = APIRouter(tags=["line"], lifespan=webhook_pool)


def signature_of(body: bytes, channel_secret: str) -> str:
    """LINE's signature of a body: base64 of HMAC-SHA256 keyed with the channel secret."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_ok(body: bytes, signature: str | None, channel_secret: str) -> bool:
    """Constant-time check of the ``X-Line-Signature`` header against the body."""
    if not signature:
        return False
    expected = signature_of(body, channel_secret).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


@router.post("/line/{town}/webhook", summary="LINE Messaging API webhook of one town")
async def town_webhook(
    request: Request,
    town: Annotated[str, Path(description="the town's JIS code", pattern=r"^\d{5,6}$")],  # noqa: ARG001
) -> JSONResponse:
    """The webhook URL of one town's LINE channel (``api.towns`` resolved ``town``: 404 if not)."""
    return await line_webhook(request)


@router.post("/line/webhook", summary="LINE Messaging API webhook (the default town)")
async def line_webhook(request: Request) -> JSONResponse:
    # No Depends(): FastAPI runs the sync dependencies of api.deps in the thread pool, three
    # thread hops per request, which on this hot path cost more than the insert itself.
    settings: Settings = request.app.state.settings
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _error(413, "too_large", "request body too large")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "too_large", "request body too large")
    try:
        secret = await _secret(request, settings)
    except UNAVAILABLE_ERRORS:  # the town registry cannot be read: the database is down
        log.warning("webhook: channel secret not readable, LINE will redeliver", exc_info=True)
        return _error(503, "unavailable", "events not stored; retry later")
    if secret is None:
        return _error(404, "line_not_configured", "this town has no LINE channel")
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER), secret):
        return _error(400, "invalid_signature", "X-Line-Signature is missing or does not match")
    try:
        inbound = parse_webhook_body(body)
    except ValueError:
        return _error(400, "invalid_body", "body is not a LINE webhook JSON object")
    try:
        await _store(request, inbound)
    except UNAVAILABLE_ERRORS:  # the database is down or restarting
        log.warning("webhook: events not stored, LINE will redeliver", exc_info=True)
        return _error(503, "unavailable", "events not stored; retry later")
    return JSONResponse({"status": "ok", "received": len(inbound)})


async def _secret(request: Request, settings: Settings) -> str | None:
    secrets = getattr(request.app.state, "line_secrets", None)
    if isinstance(secrets, ChannelSecrets):
        return await secrets.secret(get_municipality_id(request))
    return settings.line_channel_secret


async def _store(request: Request, inbound: list[InboundEvent]) -> None:
    state = request.app.state
    municipality_id = get_municipality_id(request)
    pool = getattr(state, "webhook_pool", None)
    if isinstance(pool, WebhookPool):
        await store_webhook_events(pool, municipality_id, inbound)
        return
    engine: Engine = state.engine
    await run_in_threadpool(store_webhook_events_sync, engine, municipality_id, inbound)
