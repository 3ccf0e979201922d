"""Plumbing of ``bench.disaster_spike``: throwaway database, app and workers, figures, checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, make_url, text

from tests.fakes.line_server import FakeLineServer

BENCH_USERS = "Ubench%"


@contextmanager
def bench_database(
    server_url: str, line_env: dict[str, str]
) -> Iterator[tuple[dict[str, str], Engine]]:
    """A new database on the server of ``server_url``: migrated, demo town loaded; then dropped.

    Yields the environment that points the app and the workers at it as the app role (row-level
    security on, as deployed; the owner's URL only for migrations), and an owner's engine for
    the bench's own counting. ``line_env`` (the LINE channel) is stored as the town's channel.
    """
    from tests.conftest import app_url

    name = f"machi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    urls = {"MACHI_DATABASE_URL": app_url(name), "MACHI_OWNER_DATABASE_URL": url}
    for command in (["migrate"], ["demo", "load"]):
        subprocess.run(
            [sys.executable, "-m", "machi", *command],
            env={**os.environ, **line_env, **urls},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    engine = create_engine(url, pool_size=4)
    try:
        yield urls, engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    full = {**os.environ, **env, "MACHI_ENV": "test", "MACHI_PORT": str(port)}
    app = subprocess.Popen(
        [sys.executable, "-m", "machi", "serve"],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield base
    finally:
        app.terminate()
        app.wait(timeout=30)


@contextmanager
def running_workers(env: dict[str, str], processes: int) -> Iterator[None]:
    full = {**os.environ, **env, "MACHI_ENV": "test"}
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    with log.open("wb") as out:
        workers = subprocess.Popen(
            [sys.executable, "-m", "machi", "worker", "--processes", str(processes)],
            env=full,
            stdout=out,
            stderr=out,
        )
    deadline = time.time() + 180
    while log.read_text().count("worker started") < processes and time.time() < deadline:
        time.sleep(0.5)
    try:
        yield
    finally:
        workers.terminate()
        workers.wait(timeout=60)
        errors = [
            line for line in log.read_text().splitlines() if "ERROR" in line or "Trace" in line
        ]
        print(
            f"worker log: {len(errors)} error lines" + (f", first: {errors[0]}" if errors else "")
        )


@dataclass
class Stats:
    line: FakeLineServer
    engine: Engine
    start: float = field(default_factory=time.time)
    acks: dict[str, tuple[float, float]] = field(default_factory=dict)
    sent_user: dict[str, str] = field(default_factory=dict)
    backlog: list[tuple[float, int, int]] = field(default_factory=list)
    ack_errors: int = 0
    completed: set[str] = field(default_factory=set)
    phone_photos: bool = True  # the residents' photos: phone-sized (else 64 x 48)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acked(self, token: str, sent_at: float, acked_at: float) -> None:
        with self._lock:
            self.acks[token] = (sent_at, acked_at)

    def start_sampling(self) -> threading.Event:
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(10):
                pending, unprocessed = self.pending()
                self.backlog.append((time.time(), pending, unprocessed))

        threading.Thread(target=sample, daemon=True).start()
        return stop

    def pending(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM outbox_message WHERE status = 'pending'), "
                    "(SELECT count(*) FROM webhook_event WHERE processed_at IS NULL)"
                )
            ).one()
        return int(row[0]), int(row[1])

    def wait_drained(self, timeout_s: float) -> float:
        """Wait (at most ``timeout_s``) until no event or message is pending; returns seconds."""
        started = time.time()
        while self.pending() != (0, 0) and time.time() < started + timeout_s:
            time.sleep(1)
        return time.time() - started

    def lags(self) -> dict[str, float]:
        """Reply lag per event: acknowledged -> first message delivered to its resident."""
        first_push: dict[str, list[float]] = defaultdict(list)
        replied: dict[str, float] = {}
        for r in self.line.requests:
            if not r.delivered or not isinstance(r.json, dict):
                continue
            if r.path.endswith("/reply"):
                replied[r.json["replyToken"]] = r.at
            elif r.path.endswith("/push"):
                first_push[r.json["to"]].append(r.at)
        lags = {}
        for token, (_, acked_at) in self.acks.items():
            if token in replied:
                lags[token] = replied[token] - acked_at
                continue
            later = [
                at for at in first_push.get(self.sent_user.get(token, ""), []) if at >= acked_at
            ]
            if later:
                lags[token] = min(later) - acked_at
        return lags

    def lag_percentile(self, q: float) -> float:
        return _pct(list(self.lags().values()), q)

    def minutes(self) -> list[dict[str, float]]:
        lags = self.lags()
        by_minute: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for token, (sent_at, acked_at) in self.acks.items():
            bucket = by_minute[int((sent_at - self.start) // 60)]
            bucket["ack_ms"].append((acked_at - sent_at) * 1000)
            if token in lags:
                bucket["lag"].append(lags[token])
        for r in self.line.requests:
            if r.delivered and r.path.endswith(("/reply", "/push")):
                by_minute[int((r.at - self.start) // 60)][
                    "reply" if r.path.endswith("/reply") else "push"
                ].append(1)
        processed = self._processed_per_minute()
        out = []
        for minute in sorted(by_minute):
            b = by_minute[minute]
            samples = [s for s in self.backlog if int((s[0] - self.start) // 60) == minute]
            out.append(
                {
                    "minute": minute + 1,
                    "acked_s": len(b["ack_ms"]) / 60,
                    "ack_p99": _pct(b["ack_ms"], 0.99),
                    "processed_s": processed.get(minute, 0) / 60,
                    "sent_s": (len(b["reply"]) + len(b["push"])) / 60,
                    "lag_p50": _pct(b["lag"], 0.5),
                    "lag_p99": _pct(b["lag"], 0.99),
                    "replies": len(b["reply"]),
                    "pushes": len(b["push"]),
                    "backlog": max((s[1] + s[2] for s in samples), default=0),
                }
            )
        return out

    def _processed_per_minute(self) -> dict[int, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT floor((extract(epoch FROM processed_at) - :t0) / 60) AS m, count(*) "
                    "FROM webhook_event WHERE processed_at IS NOT NULL GROUP BY 1"
                ),
                {"t0": self.start},
            )
            return {int(r[0]): int(r[1]) for r in rows}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def print_minute(m: dict[str, float]) -> None:
    print(
        f"min {m['minute']:>2.0f}: acked {m['acked_s']:5.1f}/s ack p99 {m['ack_p99']:6.1f} ms | "
        f"processed {m['processed_s']:5.1f}/s | sent {m['sent_s']:5.1f}/s | lag p50 "
        f"{m['lag_p50']:5.2f} s p99 {m['lag_p99']:5.2f} s | backlog {m['backlog']:5.0f} | "
        f"replies {m['replies']:.0f} pushes {m['pushes']:.0f}"
    )
