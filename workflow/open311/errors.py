"""Open311 refusals. Each carries a stable ``reason`` and values; the API picks the words."""

from __future__ import annotations


class Open311Error(Exception):
    """Base of every Open311 refusal; ``kind`` selects the HTTP status at the edge."""

    kind = "bad_request"

    def __init__(self, reason: str, field: str | None = None, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.values = values


class BadRequestError(Open311Error):
    """A missing or malformed field (400)."""

    kind = "bad_request"


class KeyRefusedError(Open311Error):
    """A missing, unknown or revoked api_key (403)."""

    kind = "forbidden"


class UnknownResourceError(Open311Error):
    """An unknown jurisdiction, service, request or token (404)."""

    kind = "not_found"
