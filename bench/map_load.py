"""Closed-loop HTTP clients for ``bench.map_scale``: N clients, each asking as soon as answered.

Every client is a thread with its own kept-alive connection, like a browser tab; they share
one Python process on the same 2-core machine as the server, so the figures include the
clients' own CPU. No think time: this is the worst case of N clerks panning at once.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.support.desk import login


def login_cookies(base: str, username: str, password: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        login(client, username, password)
        return client.cookies


@dataclass(frozen=True)
class Result:
    name: str
    clients: int
    latencies_ms: list[float]
    mean_bytes: float
    errors: int
    seconds: float

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else float("nan")

    def line(self, target_ms: float) -> str:
        ok = self.p95 <= target_ms and not self.errors
        rate = len(self.latencies_ms) / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<34} {self.clients:>2} cl  n={len(self.latencies_ms):>4}  "
            f"p50 {self.p50:6.1f}  p95 {self.p95:6.1f}  max {max(self.latencies_ms or [0]):6.1f} ms"
            f"  {rate:5.0f} req/s  {self.mean_bytes / 1024:6.1f} KB  err {self.errors}  "
            + ("ok" if ok else "MISSES")
        )


PathFor = Callable[[random.Random], str]


def load_test(
    base: str, cookies: httpx.Cookies, name: str, path_for: PathFor, clients: int, per_client: int
) -> Result:
    """``clients`` threads each send ``per_client`` requests (after one warm-up request)."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors = [0]
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            client.get(path_for(rng))
            gate.wait()
            for _ in range(per_client):
                started = time.perf_counter()
                answer = client.get(path_for(rng))
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if answer.status_code != 200:
                        errors[0] += 1
                        continue
                    latencies.append(elapsed)
                    sizes.append(len(answer.content))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    mean = statistics.mean(sizes) if sizes else 0.0
    return Result(name, clients, latencies, mean, errors[0], seconds)
