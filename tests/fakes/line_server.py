"""A fake LINE Messaging API: a real HTTP server on 127.0.0.1 for the real line-bot-sdk v3.

Point the SDK at it with ``Configuration(host=server.base_url, access_token=server.token)``
(the SDK sends both api.line.me and api-data.line.me calls to ``Configuration.host``)::

    with FakeLineServer() as line:
        line.add_content("m1", b"...jpeg...", "image/jpeg")
        ...  # code under test talks to line.base_url
        assert line.pushes(to="U123")[0].json["messages"][0]["type"] == "text"

Behaves like LINE where tests depend on it: bearer-token check (401), a retry key already
accepted answers 409 with ``x-line-accepted-request-id``, reply tokens work once (and, when
issued by ``issue_reply_token``, only for ``reply_token_ttl_s`` of the fake's clock), unknown
content / profile / rich menu answer 404, every response carries ``x-line-request-id``, every
call takes ``latency_s`` (LINE's own answers take about 100 ms). ``inject`` adds failure modes
(``line_faults``); ``clock`` lets a test run hours of LINE time in seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.line_faults import Fault, FaultPlan
from tests.fakes.line_routes import (
    ROUTES,
    FakeLineState,
    RecordedRequest,
    Response,
    json_response,
)

__all__ = ["FakeLineServer", "FakeLineState", "Fault", "RecordedRequest"]
MAX_HANG_S = 30.0  # a hanging answer is still bounded, so the server always shuts down

_AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)


class FakeLineServer:
    def __init__(
        self,
        token: str = "fake-line-channel-token",
        *,
        latency_s: float = 0.1,
        clock: Callable[[], float] = time.time,
        reply_token_ttl_s: float = 60.0,
    ) -> None:
        self.token = token
        self.tokens = {token}  # every channel access token it accepts (one per town)
        self.latency_s = latency_s
        self.clock = clock
        self.reply_token_ttl_s = reply_token_ttl_s
        self.lock = threading.Lock()
        self.state = FakeLineState(reply_token_ttl_s=reply_token_ttl_s)
        self._requests: list[RecordedRequest] = []
        self._faults = FaultPlan()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeLineServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeLineServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- arranging ---

    def add_token(self, token: str) -> None:
        """Accept ``token`` too (another town's channel on the same fake LINE)."""
        with self.lock:
            self.tokens.add(token)

    def add_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        with self.lock:
            self.state.contents[message_id] = (data, content_type)

    def add_profile(self, user_id: str, display_name: str, **extra: str) -> None:
        with self.lock:
            self.state.profiles[user_id] = {"userId": user_id, "displayName": display_name, **extra}

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        count: int = 1,
        *,
        message: str = "fake failure",
        process: bool = False,
    ) -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with ``status``.

        ``process=True`` performs the request first (e.g. a push is accepted and its retry
        key remembered) and only then answers with the failure: a response lost on the way.
        """
        self.inject(Fault(path_prefix, status, count=count, message=message, process=process))

    def inject(self, fault: Fault) -> None:
        """Add a failure mode (see ``line_faults.Fault``)."""
        with self.lock:
            self._faults.add(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def issue_reply_token(self, user_id: str) -> str:
        """A reply token as LINE hands one out with an event: once, for about a minute."""
        token = uuid.uuid4().hex
        with self.lock:
            self.state.issued_reply_tokens[token] = (user_id, self.clock())
        return token

    def reset(self) -> None:
        with self.lock:
            self.state = FakeLineState(reply_token_ttl_s=self.reply_token_ttl_s)
            self._requests.clear()
            self._faults.clear()

    # --- inspecting ---

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self._requests)

    def _sent(self, path: str, delivered_only: bool) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.path == path and r.method == "POST" and (r.delivered or not delivered_only)
        ]

    def pushes(
        self, to: str | None = None, *, delivered_only: bool = True
    ) -> list[RecordedRequest]:
        """Push requests, optionally to one user; by default only those LINE would deliver.

        ``delivered_only=False`` includes refused attempts (401, 409, injected failures):
        use it to count the sender's retries.
        """
        pushed = self._sent("/v2/bot/message/push", delivered_only)
        return [r for r in pushed if to is None or _json_field(r, "to") == to]

    def replies(self, *, delivered_only: bool = True) -> list[RecordedRequest]:
        return self._sent("/v2/bot/message/reply", delivered_only)

    def multicasts(self, *, delivered_only: bool = True) -> list[RecordedRequest]:
        return self._sent("/v2/bot/message/multicast", delivered_only)

    def narrowcasts(self, *, delivered_only: bool = True) -> list[RecordedRequest]:
        return self._sent("/v2/bot/message/narrowcast", delivered_only)

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Every message object pushed to this user, in order."""
        return [message for r in self.pushes(to=user_id) for message in r.json["messages"]]

    # --- serving (called from handler threads) ---

    def delivered_texts(self) -> list[tuple[str, str, str]]:
        """(user, "reply"|"push", text) of every message LINE would show, in delivery order."""
        with self.lock:
            tokens = dict(self.state.issued_reply_tokens)
        out: list[tuple[str, str, str]] = []
        for r in self.requests:
            if not r.delivered or r.method != "POST" or not isinstance(r.json, dict):
                continue
            if r.path == "/v2/bot/message/push":
                out += [(r.json["to"], "push", m.get("text", "")) for m in r.json["messages"]]
            elif r.path == "/v2/bot/message/reply":
                user = tokens.get(r.json["replyToken"], ("?", 0.0))[0]
                out += [(user, "reply", m.get("text", "")) for m in r.json["messages"]]
        return out

    # --- serving (called from handler threads) ---

    def handle(self, request: RecordedRequest) -> Response:
        if self.latency_s > 0:
            time.sleep(self.latency_s)
        with self.lock:
            now = self.clock()
            self.state.now = now
            fault = self._faults.take(request.path, now)
            response, delivered = self._respond(request, fault)
            self._requests.append(
                replace(request, status=response.status, delivered=delivered, at=now)
            )
        if fault is not None and fault.hang_s > 0:
            time.sleep(min(fault.hang_s, MAX_HANG_S))
        return response

    def _respond(self, request: RecordedRequest, fault: Fault | None) -> tuple[Response, bool]:
        if fault is None:
            response = self._route(request)
            return response, 200 <= response.status < 300
        delivered = fault.process and 200 <= self._route(request).status < 300
        return json_response(fault.status, fault.body, fault.headers), delivered

    def _route(self, request: RecordedRequest) -> Response:
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return json_response(401, {"message": _AUTH_FAILED})
        for method, pattern, route in ROUTES:
            match = re.fullmatch(pattern, request.path)
            if match is not None and method == request.method:
                return route(self.state, request, *match.groups())
        return json_response(404, {"message": "Not found"})


def _json_field(request: RecordedRequest, key: str) -> Any:
    return request.json.get(key) if isinstance(request.json, dict) else None


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _make_handler(server: FakeLineServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            headers = {key.lower(): value for key, value in self.headers.items()}
            request = RecordedRequest(
                self.command, url.path, url.query, headers, body, _parse_json(body)
            )
            response = server.handle(request)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("x-line-request-id", str(uuid.uuid4()))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet; the recordings are the log."""

    return Handler
