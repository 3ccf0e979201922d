"""Download the content of a resident's LINE message (photos) through line-bot-sdk v3's pool."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from linebot.v3.messaging import ApiClient, ApiException, Configuration
from urllib3.exceptions import HTTPError as Urllib3Error

from workflow.reports.images import MAX_PHOTO_BYTES

# 401/403 mean our token is wrong or revoked: a configuration fault worth retrying after it is
# fixed, not a reason to drop a resident's photo at once.
RETRYABLE = {401, 403, 408, 429, 500, 502, 503, 504}
TIMEOUT_S: Final = 30.0
MAX_CONTENT_BYTES: Final = MAX_PHOTO_BYTES  # larger would be refused after download anyway
CHUNK_BYTES: Final = 64 * 1024
API_HOST: Final = "https://api.line.me"
DATA_HOST: Final = "https://api-data.line.me"


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
    """``ContentFetcher`` for ``GET /v2/bot/message/{id}/content`` (api-data host), streamed.

    The body is read in chunks and abandoned past ``max_bytes`` (not retried: the same bytes
    would come again) or when the whole download takes longer than ``timeout_s`` (retried).
    One kept-alive connection pool serves every download.
    """

    def __init__(
        self,
        configuration: Configuration,
        timeout_s: float = TIMEOUT_S,
        max_bytes: int = MAX_CONTENT_BYTES,
    ) -> None:
        self._client = ApiClient(configuration)
        host = configuration.host.rstrip("/")
        self._base = DATA_HOST if host == API_HOST else host
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes

    def close(self) -> None:
        self._client.close()

    def __call__(self, message_id: str) -> FetchedContent:
        """Fetch one message's content.

        Raises:
            ContentFetchError: HTTP error (retryable for 401/403/408/429/5xx), network
                failure or timeout (retryable), or content over ``max_bytes`` (not retryable).
        """
        url = f"{self._base}/v2/bot/message/{quote(message_id, safe='')}/content"
        token = self._client.configuration.access_token
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = self._client.rest_client.get_request(
                url,
                headers=headers,
                _preload_content=False,
                _request_timeout=(min(5.0, self._timeout_s), self._timeout_s),
            )
        except ApiException as exc:
            raise ContentFetchError(
                f"HTTP {exc.status} from LINE content API: {str(exc.body)[:200]}",
                retryable=exc.status in RETRYABLE,
            ) from exc
        except (OSError, Urllib3Error) as exc:
            raise ContentFetchError(f"network: {exc}", retryable=True) from exc
        try:
            data = self._read_capped(response)
        finally:
            response.release_conn()
        return FetchedContent(data, response.headers.get("content-type"))

    def _read_capped(self, response: Any) -> bytes:
        declared = int(response.headers.get("content-length") or 0)
        if declared > self._max_bytes:
            raise ContentFetchError(f"too large: {declared} bytes declared", retryable=False)
        deadline = time.monotonic() + self._timeout_s
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(CHUNK_BYTES):
                size += len(chunk)
                if size > self._max_bytes:
                    raise ContentFetchError(f"too large: over {self._max_bytes} bytes", False)
                if time.monotonic() > deadline:
                    raise ContentFetchError(f"download took over {self._timeout_s} s", True)
                chunks.append(chunk)
        except (OSError, Urllib3Error) as exc:
            raise ContentFetchError(f"network: {exc}", retryable=True) from exc
        return b"".join(chunks)
