"""A fake LINE Messaging API served by the app itself in dev mode (``/dev/line-api``).

With ``MACHI_ENV=dev`` and ``MACHI_LINE_API_BASE`` unset, the settings point the SDK here, so
``make run`` works without a LINE channel: the worker's replies and pushes, its photo
downloads, and ``machi line setup-richmenu`` all land in this process, in memory, where the
simulator page (``api.dev.simulator``) lists them. It answers like LINE where our code
depends on it: bearer-token check (401), reply tokens work once (400 after), a push retry
key accepted before answers 409 with ``x-line-accepted-request-id``, unknown content / rich
menus answer 404. Never mounted outside dev; the tests use ``tests/fakes/line_server.py``.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from machi.settings import DEV_LINE_ACCESS_TOKEN

_DEV_TOWN_TOKEN: Final = re.compile(rf"Bearer {re.escape(DEV_LINE_ACCESS_TOKEN)}-\d{{5}}")
MAX_MESSAGES: Final = 5
KEEP_SENT: Final = 2000
KEEP_CONTENTS: Final = 200
KEEP_TOKENS: Final = 5000
EVERYONE: Final = "*"  # recipient of broadcasts / narrowcasts


@dataclass(frozen=True)
class SentMessages:
    """One accepted send request: who got which message objects."""

    seq: int
    kind: str  # reply | push | multicast | broadcast | narrowcast
    to: str  # a user id, or EVERYONE
    messages: list[dict[str, Any]]
    at: float  # epoch seconds


@dataclass
class DevLineState:
    """What the fake knows; every method takes the lock (handlers run in threads)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: int = 0
    sent: deque[SentMessages] = field(default_factory=lambda: deque(maxlen=KEEP_SENT))
    reply_tokens: OrderedDict[str, str] = field(default_factory=OrderedDict)
    retry_keys: dict[str, str] = field(default_factory=dict)
    contents: OrderedDict[str, tuple[bytes, str]] = field(default_factory=OrderedDict)
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    rich_menu_images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    default_rich_menu_id: str | None = None

    def issue_reply_token(self, user_id: str) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self.reply_tokens[token] = user_id
            while len(self.reply_tokens) > KEEP_TOKENS:
                self.reply_tokens.popitem(last=False)
        return token

    def add_content(self, message_id: str, data: bytes, content_type: str) -> None:
        with self.lock:
            self.contents[message_id] = (data, content_type)
            while len(self.contents) > KEEP_CONTENTS:
                self.contents.popitem(last=False)

    def record(self, kind: str, to: list[str], messages: list[dict[str, Any]]) -> None:
        with self.lock:
            for user in to:
                self.seq += 1
                self.sent.append(SentMessages(self.seq, kind, user, messages, time.time()))

    def sent_to(self, user_id: str, after: int) -> list[SentMessages]:
        with self.lock:
            return [s for s in self.sent if s.seq > after and s.to in (user_id, EVERYONE)]

    def default_rich_menu(self) -> tuple[dict[str, Any], tuple[bytes, str] | None] | None:
        """The default menu set up through the API (definition, image), if any."""
        with self.lock:
            menu_id = self.default_rich_menu_id
            if menu_id is None or menu_id not in self.rich_menus:
                return None
            return self.rich_menus[menu_id], self.rich_menu_images.get(menu_id)


router = APIRouter(prefix="/dev/line-api", include_in_schema=False)


def state_of(request: Request) -> DevLineState:
    state = request.app.state.dev_line
    assert isinstance(state, DevLineState)
    return state


def json_answer(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(
        body, status_code=status, headers={"x-line-request-id": _id(), **(headers or {})}
    )


def _id() -> str:
    return str(uuid.uuid4())


def authorised(request: Request) -> bool:
    """The default town's token, or a demo town's dev token (``dev_line_credentials``)."""
    token = request.app.state.settings.line_channel_access_token
    given = request.headers.get("authorization", "")
    return given == f"Bearer {token}" or _DEV_TOWN_TOKEN.fullmatch(given) is not None


AUTH_FAILED = {"message": "Authentication failed. Confirm that the access token is valid."}


async def read_json(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _messages_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        return None
    if not all(isinstance(m, dict) and isinstance(m.get("type"), str) for m in messages):
        return None
    return messages


def bad_request(detail: str) -> Response:
    return json_answer(
        400, {"message": "The request body has 1 error(s)", "details": [{"message": detail}]}
    )


def _sent_body(count: int) -> dict[str, Any]:
    return {
        "sentMessages": [
            {"id": str(uuid.uuid4().int % 10**18), "quoteToken": uuid.uuid4().hex}
            for _ in range(count)
        ]
    }


@router.post("/v2/bot/message/reply")
async def reply(request: Request) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    body = await read_json(request) or {}
    messages = _messages_of(body)
    if messages is None:
        return bad_request(f"messages must contain 1 to {MAX_MESSAGES} items")
    state = state_of(request)
    with state.lock:
        user = state.reply_tokens.pop(str(body.get("replyToken")), None)
    if user is None:
        return json_answer(400, {"message": "Invalid reply token"})
    state.record("reply", [user], messages)
    return json_answer(200, _sent_body(len(messages)))


def _already_accepted(state: DevLineState, request: Request) -> Response | None:
    key = request.headers.get("x-line-retry-key")
    if key is None:
        return None
    with state.lock:
        accepted = state.retry_keys.get(key)
        if accepted is None:
            state.retry_keys[key] = _id()
            return None
    conflict = {"message": "The retry key is already accepted"}
    return json_answer(409, conflict, {"x-line-accepted-request-id": accepted})


def _recipients(kind: str, body: dict[str, Any]) -> list[str] | None:
    """Who a send request goes to; None when a push / multicast names nobody valid."""
    if kind in ("broadcast", "narrowcast"):
        return [EVERYONE]
    to = body.get("to")
    users = [to] if kind == "push" else to
    if not isinstance(users, list) or not users:
        return None
    return users if all(isinstance(u, str) and u for u in users) else None


async def _send(request: Request, kind: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    body = await read_json(request) or {}
    messages = _messages_of(body)
    if messages is None:
        return bad_request(f"messages must contain 1 to {MAX_MESSAGES} items")
    recipients = _recipients(kind, body)
    if recipients is None:
        return bad_request("to is required")
    state = state_of(request)
    conflict = _already_accepted(state, request)
    if conflict is not None:
        return conflict
    state.record(kind, recipients, messages)
    if kind == "push":
        return json_answer(200, _sent_body(len(messages)))
    return json_answer(202 if kind == "narrowcast" else 200, {})


@router.post("/v2/bot/message/push")
async def push(request: Request) -> Response:
    return await _send(request, "push")


@router.post("/v2/bot/message/multicast")
async def multicast(request: Request) -> Response:
    return await _send(request, "multicast")


@router.post("/v2/bot/message/broadcast")
async def broadcast(request: Request) -> Response:
    return await _send(request, "broadcast")


@router.post("/v2/bot/message/narrowcast")
async def narrowcast(request: Request) -> Response:
    return await _send(request, "narrowcast")


@router.get("/v2/bot/message/{message_id}/content")
def content(request: Request, message_id: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    state = state_of(request)
    with state.lock:
        found = state.contents.get(message_id)
    if found is None:
        return json_answer(404, {"message": "Not found"})
    data, content_type = found
    return Response(data, media_type=content_type, headers={"x-line-request-id": _id()})


@router.get("/v2/bot/profile/{user_id}")
def profile(request: Request, user_id: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    return json_answer(
        200, {"userId": user_id, "displayName": "シミュレーターの利用者", "language": "ja"}
    )
