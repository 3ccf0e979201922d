"""Signed links printed as QR codes: open one stop's completion page for that plan day.

The signature proves the link came from us; *when* it may be used is decided by the stop's
plan day (``workflow.crew.views``), not by when the sheet was printed: a sheet printed on
Friday for Monday must still open on Monday, and must not record anything on Sunday.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "machi.crew.stop"


def stop_token(secret_key: str, municipality_id: int, stop_id: int) -> str:
    """A token naming one route stop, signed with the app's secret key."""
    return URLSafeSerializer(secret_key, salt=SALT).dumps([municipality_id, stop_id])


def stop_url(base_url: str, secret_key: str, municipality_id: int, stop_id: int) -> str:
    """The completion link of a stop, as printed in its QR code."""
    return f"{base_url.rstrip('/')}/crew/s/{stop_token(secret_key, municipality_id, stop_id)}"


def read_stop_token(secret_key: str, token: str) -> tuple[int, int] | None:
    """(municipality_id, stop_id) of a token we signed, else None (forged or mangled)."""
    try:
        value = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    return int(value[0]), int(value[1])
