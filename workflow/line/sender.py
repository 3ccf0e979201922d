"""Send outbox messages with the real line-bot-sdk v3 (reply while fresh, else push)."""

from __future__ import annotations

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
)
from urllib3.exceptions import HTTPError as Urllib3Error

from workflow.line.outbox import OutgoingMessage, SendResult

RETRYABLE = {429, 500, 502, 503, 504}


def make_configuration(access_token: str, api_base: str | None) -> Configuration:
    """SDK configuration; ``api_base`` (when set) receives both api and api-data calls."""
    if api_base:
        return Configuration(host=api_base.rstrip("/"), access_token=access_token)
    return Configuration(access_token=access_token)


class LineSender:
    """Callable that sends one outbox message; 409 on a repeated retry key counts as sent."""

    def __init__(self, configuration: Configuration) -> None:
        self._configuration = configuration

    def __call__(self, message: OutgoingMessage) -> SendResult:
        with ApiClient(self._configuration) as client:
            api = MessagingApi(client)
            try:
                if message.reply_token:
                    api.reply_message(
                        ReplyMessageRequest.from_dict(
                            {"replyToken": message.reply_token, "messages": message.messages}
                        )
                    )
                else:
                    api.push_message(
                        PushMessageRequest.from_dict(
                            {"to": message.to, "messages": message.messages}
                        ),
                        x_line_retry_key=message.retry_key,
                    )
            except ApiException as exc:
                if exc.status == 409:  # LINE already accepted this retry key
                    return SendResult(ok=True)
                if message.reply_token and exc.status == 400:  # token expired: push instead
                    return SendResult(ok=False, retryable=True, error="reply token rejected")
                return SendResult(
                    ok=False,
                    retryable=exc.status in RETRYABLE,
                    error=f"HTTP {exc.status}: {str(exc.body)[:300]}",
                )
            except (OSError, Urllib3Error) as exc:
                return SendResult(ok=False, retryable=True, error=f"network: {exc}")
        return SendResult(ok=True)
