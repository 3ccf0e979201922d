"""Send one outbox message with line-bot-sdk v3: a reply while its token is fresh, else a push.

One ``ApiClient`` (one urllib3 pool of kept-alive connections) per town is shared by every
sending thread; every call has a connect and a read timeout, so a LINE that hangs costs a slot
for ``timeout_s`` and never the worker. Each answer is classified once into a
``delivery.Outcome``; what to do about it is decided in ``delivery.settle``. ``TownClients``
keeps one such client per town, made with the town's own channel access token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Final, Generic, Protocol, TypeVar

from linebot.v3.messaging import ApiClient, ApiException, Configuration
from urllib3 import Retry
from urllib3.exceptions import HTTPError as Urllib3Error

from workflow.line.delivery import Outcome, SendResult
from workflow.line.outbox import OutgoingMessage

CONNECT_TIMEOUT_S: Final = 3.0
DEFAULT_TIMEOUT_S: Final = 10.0
MAX_ERROR_BODY: Final = 300
REPLY_PATH: Final = "/v2/bot/message/reply"
PUSH_PATH: Final = "/v2/bot/message/push"

log = logging.getLogger("machi.line.sender")


def make_configuration(
    access_token: str, api_base: str | None, *, pool_size: int | None = None
) -> Configuration:
    """SDK configuration; ``api_base`` (when set) receives both api and api-data calls.

    Args:
        access_token: the channel access token.
        api_base: another host for every call (the fakes), or None for LINE's own hosts.
        pool_size: kept-alive connections per host (at least the number of sending threads).
    """
    if api_base:
        configuration = Configuration(host=api_base.rstrip("/"), access_token=access_token)
    else:
        configuration = Configuration(access_token=access_token)
    if pool_size is not None:
        configuration.connection_pool_maxsize = pool_size
    # No hidden retries: a POST retried below us could deliver twice. Retries are ours.
    configuration.retries = Retry(total=1, connect=1, read=0, status=0, redirect=0)
    return configuration


class LineSender:
    """Callable that sends one outbox message and classifies LINE's answer; thread-safe."""

    def __init__(self, configuration: Configuration, timeout_s: float = DEFAULT_TIMEOUT_S):
        self._client = ApiClient(configuration)
        self._timeout = (min(CONNECT_TIMEOUT_S, timeout_s), timeout_s)

    def close(self) -> None:
        self._client.close()

    def __call__(self, message: OutgoingMessage) -> SendResult:
        try:
            if message.reply_token:
                body = {"replyToken": message.reply_token, "messages": message.messages}
                self._post(REPLY_PATH, body, {})
            else:
                body = {"to": message.to, "messages": message.messages}
                self._post(PUSH_PATH, body, {"X-Line-Retry-Key": message.retry_key})
        except ApiException as exc:
            return classify_refusal(exc, by_reply=message.reply_token is not None)
        except (OSError, Urllib3Error) as exc:  # timeouts, refused or reset connections
            return SendResult(Outcome.UNKNOWN, f"network: {type(exc).__name__}: {exc}")
        return SendResult(Outcome.DELIVERED)

    def _post(self, path: str, body: Mapping[str, object], headers: dict[str, str]) -> None:
        """POST ``body`` through the SDK's own client (auth, pool, timeouts, ApiException).

        Not through ``MessagingApi.reply_message``: that takes a ``ReplyMessageRequest``
        (pydantic v1), so every message was parsed from the outbox's dict into models and
        serialised back to the same dict, and LINE's answer parsed into another model. In the
        disaster bench's submit minute that round trip was 22 % of the workers' CPU (py-spy,
        GIL samples), for nothing: the outbox holds the JSON LINE takes, and the message
        builders are checked against the SDK's models in the unit tests.
        """
        self._client.call_api(
            path,
            "POST",
            header_params={
                **headers,
                "Accept": "application/json",
                "Content-Type": "application/json",
            },  # fmt: skip
            body=body,
            response_types_map={},  # LINE's answer is not needed: 2xx is delivered
            auth_settings=["Bearer"],
            _return_http_data_only=True,
            _request_timeout=self._timeout,
        )


def classify_refusal(exc: ApiException, *, by_reply: bool) -> SendResult:
    """Turn an HTTP error answer of the reply or push API into an outcome."""
    status = int(exc.status or 0)
    error = f"HTTP {status}: {str(exc.body)[:MAX_ERROR_BODY]}"
    if status == 0 or status >= 500 or status == 408:
        return SendResult(Outcome.UNKNOWN, error)
    if status == 429:
        return SendResult(Outcome.THROTTLED, error, _retry_after_s(exc))
    if status in (401, 403):
        return SendResult(Outcome.AUTH, error)
    if status == 409 and not by_reply:  # LINE already accepted this retry key
        return SendResult(Outcome.ALREADY_ACCEPTED)
    if by_reply and status in (400, 409) and _mentions_token(exc):
        return SendResult(Outcome.TOKEN_REJECTED, error)
    return SendResult(Outcome.REJECTED, error)


def _mentions_token(exc: ApiException) -> bool:
    return "reply token" in str(exc.body).lower() or exc.status == 409


def _retry_after_s(exc: ApiException) -> float | None:
    value = (exc.headers or {}).get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class _Closable(Protocol):
    def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class TownClients(Generic[ClientT]):
    """One kept-alive LINE client per town, made on first use with the town's access token.

    The token is looked up on every ``get`` (``token_of`` caches it); when it changed, a new
    client is made with the new one (the old one is closed at ``close``: sends may still be
    running on it). A town without a token gets None, and one warning until it has one.
    Thread-safe.
    """

    def __init__(
        self, token_of: Callable[[int], str | None], make: Callable[[str], ClientT], duty: str
    ) -> None:
        self._token_of = token_of
        self._make = make
        self._duty = duty
        self._lock = threading.Lock()
        self._clients: dict[int, tuple[str, ClientT]] = {}
        self._retired: list[ClientT] = []
        self._warned: set[int] = set()

    def get(self, town_id: int) -> ClientT | None:
        """The client of ``town_id`` for its current token, or None when it has none."""
        token = self._token_of(town_id)
        with self._lock:
            held = self._clients.get(town_id)
            if token is None:
                if town_id not in self._warned:
                    self._warned.add(town_id)
                    log.warning(
                        "town %s has no LINE channel access token: %s skipped for it",
                        town_id,
                        self._duty,
                    )
                return None
            self._warned.discard(town_id)
            if held is not None and held[0] == token:
                return held[1]
            if held is not None:
                self._retired.append(held[1])
                log.info(
                    "town %s: LINE access token changed; new client for %s", town_id, self._duty
                )
            client = self._make(token)
            self._clients[town_id] = (token, client)
            return client

    def close(self) -> None:
        """Close every client made so far."""
        with self._lock:
            clients = [client for _, client in self._clients.values()] + self._retired
            self._clients, self._retired = {}, []
        for client in clients:
            client.close()
