"""The requests of ``bench.platform_scale``: staff map, report tiles and webhooks, by town.

Every request names its town the way production does: the staff API and the tiles by the
``Host`` header (``t<code>.localhost``) with that town's bearer token, the webhook by its
path ``/line/<code>/webhook`` with a body signed by that town's channel secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from bench.platform_towns import TownSpec
from geo.tilegrid import tile_at


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str] | None = None
    body: bytes | None = None


Endpoint = Callable[[random.Random, TownSpec], Call]


@dataclass
class Tally:
    """Latencies (ms) of the answered requests, and how long the run took."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0


def _within(rng: random.Random, town: TownSpec, margin: float = 0.0) -> tuple[float, float]:
    west, south, east, north = town.bbox
    return rng.uniform(west, east - margin), rng.uniform(south, north - margin)


def staff_headers(town: TownSpec, tokens: dict[int, str]) -> dict[str, str]:
    return {"Host": town.host, "Authorization": f"Bearer {tokens[town.id]}"}


def map_whole_town(tokens: dict[int, str]) -> Endpoint:
    def call(_rng: random.Random, town: TownSpec) -> Call:
        bbox = ",".join(f"{v:.5f}" for v in town.bbox)
        return Call("GET", "/api/v1/reports", staff_headers(town, tokens), {"bbox": bbox})

    return call


def map_street(tokens: dict[int, str]) -> Endpoint:
    def call(rng: random.Random, town: TownSpec) -> Call:
        x, y = _within(rng, town, 0.004)
        bbox = f"{x:.5f},{y:.5f},{x + 0.004:.5f},{y + 0.0032:.5f}"  # about 350 m x 350 m
        return Call("GET", "/api/v1/reports", staff_headers(town, tokens), {"bbox": bbox})

    return call


def report_tile(tokens: dict[int, str], z: int) -> Endpoint:
    def call(rng: random.Random, town: TownSpec) -> Call:
        t = tile_at(*_within(rng, town), z)
        path = f"/tiles/reports/{t.z}/{t.x}/{t.y}.pbf"
        return Call("GET", path, staff_headers(town, tokens))

    return call


def _event_body(town: TownSpec, rng: random.Random) -> bytes:
    user = "U" + hashlib.md5(f"{town.id}-{rng.randrange(1000)}".encode()).hexdigest()
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": "B" + uuid.uuid4().hex[:25],
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {"id": str(rng.getrandbits(60)), "type": "text", "text": "歩道に穴があります"},
    }
    return json.dumps({"destination": "U" + "f" * 32, "events": [event]}).encode()


def webhook(rng: random.Random, town: TownSpec) -> Call:
    body = _event_body(town, rng)
    digest = hmac.new(town.line_secret.encode(), body, hashlib.sha256).digest()
    signature = base64.b64encode(digest).decode()
    headers = {"Content-Type": "application/json", "X-Line-Signature": signature}
    return Call("POST", f"/line/{town.code}/webhook", headers, body=body)


def _client(base: str, endpoint: Endpoint, towns: Sequence[TownSpec], seed: int,
            deadline: float, tally: Tally, max_requests: int) -> None:  # fmt: skip
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = size = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.perf_counter() < deadline and len(latencies) + errors < max_requests:
            call = endpoint(rng, rng.choice(towns))
            started = time.perf_counter()
            try:
                answer = client.request(call.method, call.path, headers=call.headers,
                                        params=call.params, content=call.body)  # fmt: skip
            except httpx.HTTPError:
                errors += 1
                continue
            if answer.status_code == 200:
                latencies.append((time.perf_counter() - started) * 1000)
                size += len(answer.content)
            else:
                errors += 1
    with tally.lock:
        tally.latencies_ms.extend(latencies)
        tally.errors += errors
        tally.bytes += size


def run(base: str, endpoint: Endpoint, towns: Sequence[TownSpec], clients: int,
        duration_s: float, max_requests: int = 10**9) -> Tally:  # fmt: skip
    """``clients`` threads, each a keep-alive client picking a random town per request."""
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration_s
    per_client = max(1, max_requests // clients)
    threads = [
        threading.Thread(
            target=_client, args=(base, endpoint, towns, i, deadline, tally, per_client)
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.elapsed_s = time.perf_counter() - started
    return tally


def sign_in(base: str, town: TownSpec, password: str) -> str:
    """A bearer token of the town's administrator (``POST /api/v1/token``)."""
    answer = httpx.post(
        f"{base}/api/v1/token",
        data={"username": "admin", "password": password},
        headers={"Host": town.host},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])
