"""Endpoints of the fake LINE Messaging API (see ``line_server``); pure functions of the state."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGES = 5
RETRY_KEY_PATHS = (
    "/v2/bot/message/push",
    "/v2/bot/message/multicast",
    "/v2/bot/message/narrowcast",
)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    json: Any  # parsed body when it was JSON, else None
    status: int = 0  # what the client was answered
    delivered: bool = False  # the fake accepted it (2xx), even if an injected failure hid that
    at: float = 0.0  # the fake's clock when it was handled

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("x-line-retry-key")


@dataclass
class FakeLineState:
    """What the fake knows; routes read and change it under the server's lock."""

    contents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    accepted_retry_keys: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    used_reply_tokens: set[str] = field(default_factory=set)
    # Tokens the fake issued (token -> user, issue time): they expire after the TTL, as LINE's do.
    issued_reply_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    reply_token_ttl_s: float = 60.0
    now: float = 0.0  # the fake's clock, set before each request is routed
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    rich_menu_images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    default_rich_menu_id: str | None = None
    message_counter: int = 0


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(status, body, "application/json", headers or {})


def _not_found() -> Response:
    return json_response(404, {"message": "Not found"})


def _bad_request(detail: str) -> Response:
    return json_response(
        400,
        {"message": "The request body has 1 error(s)", "details": [{"message": detail}]},
    )


def _messages_error(request: RecordedRequest) -> str | None:
    body = request.json
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        return f"messages must contain 1 to {MAX_MESSAGES} items"
    if not all(isinstance(m, dict) and "type" in m for m in messages):
        return "every message needs a type"
    return None


def _sent(state: FakeLineState, count: int) -> dict[str, Any]:
    sent = []
    for _ in range(count):
        state.message_counter += 1
        sent.append(
            {"id": str(500000000000000 + state.message_counter), "quoteToken": uuid.uuid4().hex}
        )
    return {"sentMessages": sent}


def _send(state: FakeLineState, request: RecordedRequest, status: int, with_sent: bool) -> Response:
    """Accept a push / multicast / narrowcast once per retry key, as LINE does."""
    error = _messages_error(request)
    if error is not None:
        return _bad_request(error)
    key = request.retry_key
    if key is not None and key in state.accepted_retry_keys:
        request_id, payload = state.accepted_retry_keys[key]
        conflict = {"message": "The retry key is already accepted", **payload}
        return json_response(409, conflict, {"x-line-accepted-request-id": request_id})
    payload = _sent(state, len(request.json["messages"])) if with_sent else {}
    if key is not None:
        state.accepted_retry_keys[key] = (str(uuid.uuid4()), payload)
    return json_response(status, payload)


def push(state: FakeLineState, request: RecordedRequest) -> Response:
    if not isinstance(request.json, dict) or not request.json.get("to"):
        return _bad_request("to is required")
    return _send(state, request, 200, with_sent=True)


def multicast(state: FakeLineState, request: RecordedRequest) -> Response:
    to = request.json.get("to") if isinstance(request.json, dict) else None
    if not isinstance(to, list) or not 1 <= len(to) <= 500:
        return _bad_request("to must contain 1 to 500 user IDs")
    return _send(state, request, 200, with_sent=False)


def narrowcast(state: FakeLineState, request: RecordedRequest) -> Response:
    return _send(state, request, 202, with_sent=False)


def reply(state: FakeLineState, request: RecordedRequest) -> Response:
    error = _messages_error(request)
    if error is not None:
        return _bad_request(error)
    token = request.json.get("replyToken")
    issued = state.issued_reply_tokens.get(token) if isinstance(token, str) else None
    expired = issued is not None and state.now - issued[1] > state.reply_token_ttl_s
    if not token or token in state.used_reply_tokens or expired:
        return json_response(400, {"message": "Invalid reply token"})
    state.used_reply_tokens.add(token)
    return json_response(200, _sent(state, len(request.json["messages"])))


def content(state: FakeLineState, _request: RecordedRequest, message_id: str) -> Response:
    if message_id not in state.contents:
        return _not_found()
    data, content_type = state.contents[message_id]
    return Response(200, data, content_type)


def profile(state: FakeLineState, _request: RecordedRequest, user_id: str) -> Response:
    if user_id not in state.profiles:
        return _not_found()
    return json_response(200, state.profiles[user_id])


def create_rich_menu(state: FakeLineState, request: RecordedRequest) -> Response:
    body = request.json
    if not isinstance(body, dict) or not {"size", "areas", "name", "chatBarText"} <= body.keys():
        return _bad_request("size, areas, name and chatBarText are required")
    rich_menu_id = f"richmenu-{uuid.uuid4().hex}"
    state.rich_menus[rich_menu_id] = body
    return json_response(200, {"richMenuId": rich_menu_id})


def upload_rich_menu_image(
    state: FakeLineState, request: RecordedRequest, rich_menu_id: str
) -> Response:
    if rich_menu_id not in state.rich_menus:
        return _not_found()
    content_type = request.headers.get("content-type", "")
    if content_type not in ("image/png", "image/jpeg") or not request.body:
        return json_response(415, {"message": "Unsupported Media Type"})
    if rich_menu_id in state.rich_menu_images:
        return json_response(400, {"message": "An image has already been uploaded to the richmenu"})
    state.rich_menu_images[rich_menu_id] = (request.body, content_type)
    return json_response(200, {})


def set_default_rich_menu(
    state: FakeLineState, _request: RecordedRequest, rich_menu_id: str
) -> Response:
    if rich_menu_id not in state.rich_menus:
        return _not_found()
    state.default_rich_menu_id = rich_menu_id
    return json_response(200, {})


def get_default_rich_menu(state: FakeLineState, _request: RecordedRequest) -> Response:
    if state.default_rich_menu_id is None:
        return _not_found()
    return json_response(200, {"richMenuId": state.default_rich_menu_id})


def list_rich_menus(state: FakeLineState, _request: RecordedRequest) -> Response:
    menus = [{"richMenuId": key, **menu} for key, menu in state.rich_menus.items()]
    return json_response(200, {"richmenus": menus})


def delete_rich_menu(
    state: FakeLineState, _request: RecordedRequest, rich_menu_id: str
) -> Response:
    if state.rich_menus.pop(rich_menu_id, None) is None:
        return _not_found()
    state.rich_menu_images.pop(rich_menu_id, None)
    if state.default_rich_menu_id == rich_menu_id:
        state.default_rich_menu_id = None
    return json_response(200, {})


Route = Callable[..., Response]
_ID = r"([^/]+)"

ROUTES: list[tuple[str, str, Route]] = [
    ("POST", "/v2/bot/message/reply", reply),
    ("POST", "/v2/bot/message/push", push),
    ("POST", "/v2/bot/message/multicast", multicast),
    ("POST", "/v2/bot/message/narrowcast", narrowcast),
    ("GET", f"/v2/bot/message/{_ID}/content", content),
    ("GET", f"/v2/bot/profile/{_ID}", profile),
    ("GET", "/v2/bot/richmenu/list", list_rich_menus),
    ("POST", "/v2/bot/richmenu", create_rich_menu),
    ("POST", f"/v2/bot/richmenu/{_ID}/content", upload_rich_menu_image),
    ("DELETE", f"/v2/bot/richmenu/{_ID}", delete_rich_menu),
    ("POST", f"/v2/bot/user/all/richmenu/{_ID}", set_default_rich_menu),
    ("GET", "/v2/bot/user/all/richmenu", get_default_rich_menu),
]
