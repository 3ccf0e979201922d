"""Build LINE webhook events and signed bodies the way LINE sends them (for tests and bench)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
import uuid
from typing import Any

from PIL import Image

SIGNATURE_HEADER = "X-Line-Signature"


def new_event_id() -> str:
    """A fresh ``webhookEventId`` (LINE uses 26-character ULIDs)."""
    return uuid.uuid4().hex[:26].upper()


def new_user_id() -> str:
    return "U" + uuid.uuid4().hex


def new_message_id() -> str:
    return str(uuid.uuid4().int % 10**18)


def sign(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def body_of(
    events: list[dict[str, Any]], destination: str = "Uffffffffffffffffffffffffffffffff"
) -> bytes:
    return json.dumps({"destination": destination, "events": events}, ensure_ascii=False).encode()


def _event(user_id: str, kind: str, *, redelivery: bool = False, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": new_event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": uuid.uuid4().hex,
        **fields,
    }


def message_event(user_id: str, message: dict[str, Any]) -> dict[str, Any]:
    return _event(user_id, "message", message={"id": new_message_id(), **message})


def text_event(user_id: str, text: str) -> dict[str, Any]:
    return message_event(user_id, {"type": "text", "text": text})


def postback_event(user_id: str, data: str) -> dict[str, Any]:
    return _event(user_id, "postback", postback={"data": data})


def location_event(
    user_id: str, lon: float, lat: float, address: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "location", "latitude": lat, "longitude": lon}
    if address is not None:
        message["title"] = "位置情報"
        message["address"] = address
    return message_event(user_id, message)


def image_event(user_id: str, message_id: str) -> dict[str, Any]:
    event = message_event(user_id, {"type": "image", "contentProvider": {"type": "line"}})
    event["message"]["id"] = message_id
    return event


def follow_event(user_id: str) -> dict[str, Any]:
    return _event(user_id, "follow", follow={"isUnblocked": False})


def unfollow_event(user_id: str) -> dict[str, Any]:
    event = _event(user_id, "unfollow")
    del event["replyToken"]
    return event


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG whose EXIF carries a GPS position (立川市役所 area) and a camera."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "MachiTestCamera"  # Make
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1] = "N"
    gps[2] = (35.0, 41.0, 52.8)
    gps[3] = "E"
    gps[4] = (139.0, 24.0, 27.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
