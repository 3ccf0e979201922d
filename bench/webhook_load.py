"""Webhook load: how many signed LINE events per second ``POST /line/webhook`` acknowledges.

Usage::

    python -m bench.webhook_load [--database-url URL] [--duration 20] [--levels 1,4,16,32]

Starts the real app (uvicorn, one worker, access log off) on 127.0.0.1 against the database
(default: the local dev cluster, migrated), then fires correctly signed webhook bodies, one
text-message event each with a unique ``webhookEventId``, from a load generator of threads
(one keep-alive ``httpx.Client`` each) on the same machine, for ``--duration`` seconds per
concurrency level. Prints the acknowledged events/s, p50/p99 acknowledgement latency, and
checks that every acknowledged event is stored (none lost). The bench's events are deleted
afterwards (``--keep`` keeps them); do not run a worker against the same database meanwhile,
it would try to answer them.

Target on a 2-core machine: >= 300 events/s with p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, text

from bench.platform_serve import wait_until_up
from machi.settings import DEV_DATABASE_URL, PROJECT_ROOT

SECRET = "bench-channel-secret"
_counter_lock = threading.Lock()
USERS = ["U" + uuid.UUID(int=random.getrandbits(128)).hex for _ in range(1000)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LevelResult:
    concurrency: int
    tag: str
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    stored: int = 0
    server_cpu_s: float = 0.0

    @property
    def acked(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _signed_body(event_id: str) -> tuple[bytes, str]:
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": random.choice(USERS)},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {
            "id": str(random.getrandbits(60)),
            "type": "text",
            "text": "歩道に穴があります",
        },
    }
    body = json.dumps(
        {"destination": "U" + "f" * 32, "events": [event]}, ensure_ascii=False
    ).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
    return body, signature.decode()


def _client_loop(url: str, result: LevelResult, deadline: float, counter: Iterator[int]) -> None:
    latencies: list[float] = []
    errors = 0
    with httpx.Client(timeout=10) as client:  # one keep-alive connection per thread
        while time.perf_counter() < deadline:
            with _counter_lock:
                number = next(counter)
            body, signature = _signed_body(f"{result.tag}{number}")
            headers = {"Content-Type": "application/json", "X-Line-Signature": signature}
            started = time.perf_counter()
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.HTTPError:
                errors += 1
                continue
            if response.status_code == 200:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1
    with _counter_lock:
        result.latencies_ms.extend(latencies)
        result.errors += errors


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_level(
    server: tuple[str, int], concurrency: int, duration_s: float, tag: str
) -> LevelResult:
    base, pid = server
    result = LevelResult(concurrency, tag)
    cpu_before = _cpu_s(pid)
    counter = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + duration_s
    threads = [
        threading.Thread(
            target=_client_loop, args=(f"{base}/line/webhook", result, deadline, counter)
        )
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    result.server_cpu_s = _cpu_s(pid) - cpu_before
    return result


@contextmanager
def _server(database_url: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "MACHI_DATABASE_URL": database_url,
        "MACHI_LINE_CHANNEL_SECRET": SECRET,
        "MACHI_ENV": "dev",
    }
    command = [
        sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, seconds=60)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _count_stored(engine: Engine, tag: str) -> int:
    with engine.connect() as conn:
        sql = "SELECT count(*) FROM webhook_event WHERE webhook_event_id LIKE :tag"
        return int(conn.execute(text(sql), {"tag": f"{tag}%"}).scalar_one())


def _print_result(result: LevelResult) -> None:
    rate = result.acked / result.elapsed_s if result.elapsed_s else 0.0
    lost = result.acked - result.stored
    cpu_ms = 1000 * result.server_cpu_s / result.acked if result.acked else float("nan")
    print(
        f"{result.concurrency:>11} {result.acked + result.errors:>7} {result.acked:>7} "
        f"{rate:>9.1f} "
        f"{result.percentile(0.50):>8.1f} {result.percentile(0.99):>8.1f} "
        f"{max(result.latencies_ms, default=float('nan')):>8.1f} {result.errors:>6} "
        f"{result.stored:>7} {lost:>5} {cpu_ms:>12.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", default=os.environ.get("MACHI_DATABASE_URL", DEV_DATABASE_URL)
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per level")
    parser.add_argument("--levels", default="1,4,16,32", help="concurrency levels")
    parser.add_argument("--keep", action="store_true", help="keep the bench events")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    run = uuid.uuid4().hex[:8]
    engine = create_engine(args.database_url)
    results: list[LevelResult] = []
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"webhook load: {os.cpu_count()} cores, load average before {load}, run {run}")
    print(f"{args.duration:.0f} s per level; 1 event per signed request; uvicorn 1 worker")
    try:
        with _server(args.database_url) as server:
            _run_level(server, 4, 2.0, f"B{run}-warm-")
            for level in levels:
                results.append(_run_level(server, level, args.duration, f"B{run}-{level}-"))
        print(
            "concurrency    sent   acked  events/s  p50 ms   p99 ms   max ms errors  stored"
            "  lost  app CPU ms/ev"
        )
        for result in results:
            result.stored = _count_stored(engine, result.tag)
            _print_result(result)
    finally:
        if not args.keep:
            with engine.begin() as conn:
                sql = "DELETE FROM webhook_event WHERE webhook_event_id LIKE :tag"
                conn.execute(text(sql), {"tag": f"B{run}-%"})
        engine.dispose()
    best = max(results, key=lambda r: r.acked / r.elapsed_s if r.elapsed_s else 0.0)
    ok = all(r.stored == r.acked for r in results)
    all_stored = all(r.stored == r.acked + r.errors for r in results)
    rate = best.acked / best.elapsed_s
    print(
        f"best: {rate:.1f} events/s at concurrency {best.concurrency}, "
        f"p99 {best.percentile(0.99):.1f} ms; zero lost: {'yes' if ok else 'NO'}; "
        f"stored = sent: {'yes' if all_stored else 'NO'}"
    )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average after {load} (other processes share the cores)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
