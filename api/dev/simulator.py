"""``/dev/line``: a LINE simulator for dev mode — a phone-like chat that talks to our own bot.

The page's actions become real LINE webhook events (text, location, image, postbacks from
quick replies, Flex buttons, date pickers and the rich menu, follow), built and signed here
with the channel secret exactly as LINE signs them, and POSTed over HTTP to this server's own
``/line/webhook``. The bot's answers reach the in-app fake Messaging API
(``api.dev.line_api``) through the worker and the real SDK; the page polls them from there.
Only mounted when ``MACHI_ENV=dev`` (``install_dev_line``); everywhere else it is a 404.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from functools import lru_cache
from typing import Annotated, Any, Final, Literal

import httpx
from fastapi import (
    APIRouter,
    FastAPI,
    File,
    Form,
    Header,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, Field, model_validator

from api.basemap import basemap_of
from api.dev import line_api as dev_line_api
from api.dev import line_richmenu as dev_line_richmenu
from api.dev.line_api import DevLineState, state_of
from api.line.channels import ChannelSecrets
from api.line.richmenu import render_richmenu_png, richmenu_definition
from api.line.webhook import SIGNATURE_HEADER, signature_of
from api.templating import templates
from api.towns import request_town
from machi.settings import Settings
from workflow.reports.images import MAX_PHOTO_BYTES

router = APIRouter(prefix="/dev/line", include_in_schema=False)

USER_ID: Final = re.compile(r"^U[0-9a-f]{32}$")
DESTINATION: Final = "U" + "0" * 32  # the bot's own user id, as LINE puts it in every body
TOKEN_MAX_AGE_S: Final = 24 * 3600
WEBHOOK_TIMEOUT_S: Final = 10.0


@lru_cache(maxsize=1)
def _project_menu_png() -> bytes:
    return render_richmenu_png()  # about a second to draw: once per process


def install_dev_line(app: FastAPI) -> None:
    """Mount the simulator and the fake LINE API on a dev app (never call it elsewhere)."""
    app.state.dev_line = DevLineState()
    app.include_router(dev_line_api.router)
    app.include_router(dev_line_richmenu.router)
    app.include_router(router)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="dev-line-simulator")


def _check_token(request: Request, token: str | None) -> None:
    """The page's token in ``X-CSRF-Token``: another site cannot make us send events."""
    try:
        _serializer(request.app.state.settings).loads(token or "", max_age=TOKEN_MAX_AGE_S)
    except BadSignature as exc:
        raise HTTPException(403, detail="simulator token missing or wrong") from exc


def _check_user(user_id: str) -> None:
    if not USER_ID.fullmatch(user_id):
        raise HTTPException(422, detail="user_id must be U followed by 32 hex digits")


@router.get("", response_class=HTMLResponse)
def simulator_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    context = {
        "csrf_token": _serializer(settings).dumps("simulator"),
        "basemap": basemap_of(settings).config(),
    }
    return templates.TemplateResponse(request, "dev/line.html", context)


# --- events ---


# LINE's datetimepicker formats: 2026-12-22, 09:30, 2026-12-22T09:30 (ASCII digits only)
_DAY: Final = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_CLOCK: Final = "[0-9]{2}:[0-9]{2}"


class PickerParams(BaseModel):
    """What a datetimepicker action returns in ``postback.params``: one value, by its mode."""

    date: str | None = Field(default=None, pattern=f"^{_DAY}$")
    time: str | None = Field(default=None, pattern=f"^{_CLOCK}$")
    datetime: str | None = Field(default=None, pattern=f"^{_DAY}T{_CLOCK}$")

    @model_validator(mode="after")
    def _one_value(self) -> PickerParams:
        if len(self.model_dump(exclude_none=True)) != 1:
            raise ValueError("exactly one of date, time, datetime")
        return self


class SimulatedEvent(BaseModel):
    """What the page asks to send; becomes one LINE webhook event."""

    user_id: str = Field(max_length=33)
    type: Literal["text", "postback", "location", "follow", "unfollow"]
    text: str | None = Field(default=None, max_length=5000)
    data: str | None = Field(default=None, max_length=300)
    display_text: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=100)
    params: PickerParams | None = None  # a datetimepicker's choice (postbacks only)

    @model_validator(mode="after")
    def _params_only_on_postbacks(self) -> SimulatedEvent:
        if self.params is not None and self.type != "postback":
            raise ValueError("params belong to a postback")
        return self


def _message_id() -> str:
    return str(uuid.uuid4().int % 10**18)


def _payload(body: SimulatedEvent) -> dict[str, Any]:
    if body.type == "text":
        return {"message": {"id": _message_id(), "type": "text", "text": body.text or ""}}
    if body.type == "postback":
        postback: dict[str, Any] = {"data": body.data or ""}
        if body.params is not None:  # LINE puts the picked value beside the data
            postback["params"] = body.params.model_dump(exclude_none=True)
        return {"postback": postback}
    if body.type == "location":
        if body.lat is None or body.lon is None:
            raise HTTPException(422, detail="lat and lon are required for a location")
        message: dict[str, Any] = {"id": _message_id(), "type": "location"}
        message.update(title="位置情報", latitude=body.lat, longitude=body.lon)
        if body.address:
            message["address"] = body.address
        return {"message": message}
    if body.type == "follow":
        return {"follow": {"isUnblocked": False}}
    return {}


def _event(state: DevLineState, user_id: str, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": uuid.uuid4().hex[:26].upper(),
        "deliveryContext": {"isRedelivery": False},
        **fields,
    }
    if kind != "unfollow":  # LINE gives no reply token to an unfollow
        event["replyToken"] = state.issue_reply_token(user_id)
    return event


def _own_webhook(request: Request) -> str:
    """The request town's webhook on this very server (the town in the path, as LINE calls it)."""
    host, port = request.scope.get("server") or ("127.0.0.1", request.url.port or 80)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    code = request_town(request).code
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/line/{code}/webhook"


async def _channel_secret(request: Request, settings: Settings) -> str:
    secrets = getattr(request.app.state, "line_secrets", None)
    if isinstance(secrets, ChannelSecrets):
        return await secrets.secret(request_town(request).id) or ""
    return settings.line_channel_secret


async def _deliver(request: Request, event: dict[str, Any]) -> dict[str, Any]:
    """POST the event, signed as LINE signs it, to our own webhook; report what it said."""
    settings: Settings = request.app.state.settings
    body = json.dumps({"destination": DESTINATION, "events": [event]}, ensure_ascii=False)
    raw = body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: signature_of(raw, await _channel_secret(request, settings)),
    }
    async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S) as client:
        try:
            answer = await client.post(_own_webhook(request), content=raw, headers=headers)
        except httpx.HTTPError as exc:
            return {"ok": False, "webhook_status": None, "error": str(exc), "event": event}
    return {"ok": answer.status_code == 200, "webhook_status": answer.status_code, "event": event}


@router.post("/events")
async def send_event(
    request: Request,
    body: SimulatedEvent,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    _check_token(request, x_csrf_token)
    _check_user(body.user_id)
    state = state_of(request)
    kind = "message" if body.type in ("text", "location") else body.type
    return await _deliver(request, _event(state, body.user_id, kind, _payload(body)))


@router.post("/images")
async def send_image(
    request: Request,
    user_id: Annotated[str, Form(max_length=33)],
    image: Annotated[UploadFile, File()],
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Keep the uploaded bytes as LINE keeps a photo's content, then send the image event."""
    _check_token(request, x_csrf_token)
    _check_user(user_id)
    data = await image.read(2 * MAX_PHOTO_BYTES)  # beyond the cap: the worker must refuse it
    state = state_of(request)
    message_id = _message_id()
    state.add_content(message_id, data, image.content_type or "application/octet-stream")
    message = {"id": message_id, "type": "image", "contentProvider": {"type": "line"}}
    return await _deliver(request, _event(state, user_id, "message", {"message": message}))


# --- what the bot sent ---


@router.get("/messages")
def bot_messages(
    request: Request,
    user_id: Annotated[str, Query(max_length=33)],
    after: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    _check_user(user_id)
    sent = state_of(request).sent_to(user_id, after)
    return {
        "last": max((s.seq for s in sent), default=after),
        "sent": [{"seq": s.seq, "kind": s.kind, "at": s.at, "messages": s.messages} for s in sent],
    }


@router.get("/richmenu")
def rich_menu(request: Request) -> dict[str, Any]:
    """The default menu set up through the fake API, or else the project's own definition."""
    configured = state_of(request).default_rich_menu()
    if configured is not None:
        return {"source": "setup", "definition": configured[0], "image": "/dev/line/richmenu.png"}
    return {
        "source": "project",
        "definition": richmenu_definition(),
        "image": "/dev/line/richmenu.png",
    }


@router.get("/richmenu.png")
def rich_menu_image(request: Request) -> Response:
    configured = state_of(request).default_rich_menu()
    if configured is not None and configured[1] is not None:
        data, content_type = configured[1]
        return Response(data, media_type=content_type)
    return Response(_project_menu_png(), media_type="image/png")
