"""Download the content of a resident's LINE message (photos) with the real line-bot-sdk v3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from linebot.v3.messaging import ApiClient, ApiException, Configuration, MessagingApiBlob
from urllib3.exceptions import HTTPError as Urllib3Error

# 401/403 mean our token is wrong or revoked: a configuration fault worth retrying after it is
# fixed, not a reason to drop a resident's photo at once.
RETRYABLE = {401, 403, 408, 429, 500, 502, 503, 504}
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class FetchedContent:
    data: bytes
    content_type: str | None


class ContentFetchError(Exception):
    """LINE did not hand over the content; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


ContentFetcher = Callable[[str], FetchedContent]
"""Message id -> content; raises ``ContentFetchError``."""


class LineContentFetcher:
    """``ContentFetcher`` over ``MessagingApiBlob.get_message_content`` (api-data host)."""

    def __init__(self, configuration: Configuration, timeout_s: float = TIMEOUT_S) -> None:
        self._configuration = configuration
        self._timeout_s = timeout_s

    def __call__(self, message_id: str) -> FetchedContent:
        """Fetch one message's content.

        Raises:
            ContentFetchError: HTTP error (retryable for 401/403/408/429/5xx) or network
                failure (retryable).
        """
        with ApiClient(self._configuration) as client:
            blob = MessagingApiBlob(client)
            try:
                response = blob.get_message_content_with_http_info(
                    message_id, _request_timeout=self._timeout_s
                )
            except ApiException as exc:
                raise ContentFetchError(
                    f"HTTP {exc.status} from LINE content API: {str(exc.body)[:200]}",
                    retryable=exc.status in RETRYABLE,
                ) from exc
            except (OSError, Urllib3Error) as exc:
                raise ContentFetchError(f"network: {exc}", retryable=True) from exc
        headers = {key.lower(): value for key, value in (response.headers or {}).items()}
        return FetchedContent(bytes(response.data or b""), headers.get("content-type"))
