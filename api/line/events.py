"""Raw LINE webhook events (JSON dicts) -> what the webhook stores and what the dialogue reads.

Only 1:1 chats drive the dialogue: messages in groups and rooms, and events delivered in
``standby`` mode (another channel answers), are stored and marked processed without action.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any, Final

import pydantic

from api.line.model import (
    Event,
    ImageEvent,
    LocationEvent,
    OtherMessageEvent,
    PostbackEvent,
    TextEvent,
)
from api.textsafety import clean_json
from workflow.line.inbox import InboundEvent

MAX_TYPE_CHARS: Final = 32
MAX_USER_ID_CHARS: Final = 64
MAX_EVENT_ID_CHARS: Final = 64
OTHER_MESSAGE_TYPES: Final = frozenset({"sticker", "video", "audio", "file"})


class _Envelope(pydantic.BaseModel):
    destination: str | None = None
    events: list[dict[str, Any]]


class _EventHead(pydantic.BaseModel):
    webhook_event_id: str = pydantic.Field(
        alias="webhookEventId", min_length=1, max_length=MAX_EVENT_ID_CHARS
    )
    type: str = pydantic.Field(min_length=1)


def parse_webhook_body(body: bytes) -> list[InboundEvent]:
    """Parse a (signature-checked) webhook body into rows to store, in webhook order.

    Raises:
        ValueError: not JSON, not ``{"events": [...]}``, or an event without
            ``webhookEventId`` / ``type``.
    """
    # The stdlib parser, not pydantic's: it accepts lone surrogates ("\\ud800"), which a
    # resident's phone can send, so such an event is cleaned and stored instead of failing
    # the whole batch (LINE would redeliver it, and every event with it, again and again).
    envelope = _Envelope.model_validate(json.loads(body))
    return [inbound_event(raw) for raw in envelope.events]


def inbound_event(raw: dict[str, Any]) -> InboundEvent:
    """One raw event -> the row the webhook stores (raises ``ValueError`` when malformed).

    Text PostgreSQL cannot store (U+0000, lone surrogates) is cleaned first, so the event is
    stored (and answered) in that safe form while the other events of its batch go through.
    """
    raw = clean_json(raw)
    head = _EventHead.model_validate(raw)
    delivery = raw.get("deliveryContext")
    redelivery = isinstance(delivery, dict) and delivery.get("isRedelivery") is True
    return InboundEvent(
        webhook_event_id=head.webhook_event_id,
        event_type=head.type[:MAX_TYPE_CHARS],
        line_user_id=user_id_of(raw),
        is_redelivery=redelivery,
        payload_json=json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
    )


def user_id_of(raw: dict[str, Any]) -> str | None:
    """The LINE user id of the event's sender, when the source carries one."""
    source = raw.get("source")
    user_id = source.get("userId") if isinstance(source, dict) else None
    if isinstance(user_id, str) and 0 < len(user_id) <= MAX_USER_ID_CHARS:
        return user_id
    return None


def is_direct_chat(raw: dict[str, Any]) -> bool:
    """True for events from a 1:1 chat that this channel is expected to answer."""
    source = raw.get("source")
    one_to_one = isinstance(source, dict) and source.get("type") == "user"
    return one_to_one and raw.get("mode", "active") == "active"


def reply_token_of(raw: dict[str, Any]) -> str | None:
    token = raw.get("replyToken")
    return token if isinstance(token, str) and token else None


def occurred_at(raw: dict[str, Any]) -> datetime | None:
    """When the event happened according to LINE (``timestamp`` in ms since the epoch)."""
    stamp = raw.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and math.isfinite(stamp):
        try:
            return datetime.fromtimestamp(stamp / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _location(message: dict[str, Any]) -> Event | None:
    lat, lon = message.get("latitude"), message.get("longitude")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    address = message.get("address")
    return LocationEvent(float(lat), float(lon), address if isinstance(address, str) else None)


def _message_event(message: dict[str, Any]) -> Event | None:
    kind = message.get("type")
    message_id = message.get("id")
    if kind == "text" and isinstance(message.get("text"), str):
        return TextEvent(message["text"])
    if kind == "image" and isinstance(message_id, str):
        return ImageEvent(message_id)
    if kind == "location":
        return _location(message)
    if kind in OTHER_MESSAGE_TYPES:
        return OtherMessageEvent(str(kind))
    return None


def _postback_event(postback: Any) -> Event | None:
    data = postback.get("data") if isinstance(postback, dict) else None
    if not isinstance(data, str):
        return None
    params = postback.get("params")
    picked = params.get("date") if isinstance(params, dict) else None
    return PostbackEvent(data, picked if isinstance(picked, str) else None)


def to_dialogue_event(raw: dict[str, Any]) -> Event | None:
    """The dialogue event of a message / postback, or None for everything else."""
    if raw.get("type") == "postback":
        return _postback_event(raw.get("postback"))
    message = raw.get("message")
    if raw.get("type") == "message" and isinstance(message, dict):
        return _message_event(message)
    return None
