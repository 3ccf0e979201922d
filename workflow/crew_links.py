"""Signed links printed as QR codes: open one stop's completion page for that plan day."""

from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "machi.crew.stop"
VALID_FOR = dt.timedelta(days=2)  # the plan day and the morning after, for late returns


def stop_token(secret_key: str, municipality_id: int, stop_id: int) -> str:
    """A token naming one route stop, signed with the app's secret key."""
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps([municipality_id, stop_id])


def stop_url(base_url: str, secret_key: str, municipality_id: int, stop_id: int) -> str:
    """The completion link of a stop, as printed in its QR code."""
    return f"{base_url.rstrip('/')}/crew/s/{stop_token(secret_key, municipality_id, stop_id)}"


def read_stop_token(secret_key: str, token: str) -> tuple[int, int] | None:
    """(municipality_id, stop_id) of a valid, unexpired token, else None."""
    try:
        value = URLSafeTimedSerializer(secret_key, salt=SALT).loads(
            token, max_age=int(VALID_FOR.total_seconds())
        )
    except BadSignature:
        return None
    return int(value[0]), int(value[1])
