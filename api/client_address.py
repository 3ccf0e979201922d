"""The address a request comes from, for rate limits (see ``machi.proxies``).

The one place that reads ``X-Forwarded-For``: believed only from ``MACHI_TRUSTED_PROXIES``.
(uvicorn's own proxy-header handling is switched off in ``machi serve`` for the same reason.)
"""

from __future__ import annotations

from fastapi import Request

from machi.proxies import real_client
from machi.settings import Settings


def client_address(request: Request) -> str:
    """The real client address: the peer, or what our trusted proxies say it is."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.getlist("x-forwarded-for")
    return real_client(peer, forwarded, settings.trusted_proxies)
