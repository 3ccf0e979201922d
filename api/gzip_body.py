"""gzip for large JSON answers, compressed once and kept with the answer they came from.

A street of the staff map at 50,000 reports is about 120 KB of GeoJSON (a few hundred
points); gzip makes it about 14 KB. Sending it whole cost the web process more than making
it: at 20 clients that view's p95 was the slowest of the bench (51 ms; 37 ms gzipped). Every
browser asks for gzip (``Accept-Encoding``); a client that does not, or refuses it with
``q=0``, gets the plain body.
"""

from __future__ import annotations

import gzip
from collections.abc import Hashable, MutableMapping

from fastapi import Request
from fastapi.responses import Response

GZIP_MIN_BYTES = 1400  # about one packet: below it gzip saves nothing worth its header
# Level 1: 150 KB of points to 16 KB in 0.9 ms; zlib's default (6) makes 12.6 KB in 2 ms. A
# whole-city view is made afresh for each request, so it is compressed each time too.
GZIP_LEVEL = 1


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip`` or ``*``, q above 0)."""
    allowed: dict[str, bool] = {}
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[name] = q > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def packed_response(
    request: Request,
    body: str,
    response_class: type[Response],
    headers: dict[str, str],
    memo: MutableMapping[Hashable, bytes] | None = None,
    key: Hashable = None,
) -> Response:
    """``body`` as ``response_class``, gzipped when the client accepts it and it is large.

    ``memo`` (with ``key``) keeps the compressed bytes, so an answer served from a cache is
    compressed once, not on every request.
    """
    headers = {**headers, "Vary": "Accept-Encoding"}
    data = body.encode()
    if len(data) < GZIP_MIN_BYTES or not accepts_gzip(request.headers.get("accept-encoding")):
        return response_class(data, headers=headers)
    packed = None if memo is None else memo.get(key)
    if packed is None:
        packed = gzip.compress(data, GZIP_LEVEL, mtime=0)
        if memo is not None:
            memo[key] = packed
    return response_class(packed, headers={**headers, "Content-Encoding": "gzip"})
