"""Failure modes of the fake LINE API (see ``line_server``): outages, storms, hangs, coin flips.

A ``Fault`` answers requests under ``path_prefix`` with ``status`` while it is active: for its
next ``count`` requests, or until the fake's clock reaches ``until``, or both; ``ratio`` picks
that share of them (seeded, so a test run is repeatable). ``process=True`` performs the request
first (LINE delivered, then the answer was lost); ``hang_s`` holds the answer back that many
real seconds (a LINE call that hangs; the client's timeout should cut it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    path_prefix: str
    status: int
    count: int | None = None
    until: float | None = None  # fake-clock seconds
    ratio: float = 1.0
    process: bool = False
    retry_after_s: float | None = None
    hang_s: float = 0.0
    message: str = "fake failure"

    def active(self, now: float) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        return self.until is None or now < self.until

    @property
    def body(self) -> dict[str, Any]:
        return {"message": self.message}

    @property
    def headers(self) -> dict[str, str]:
        if self.retry_after_s is None:
            return {}
        return {"Retry-After": str(int(self.retry_after_s))}


class FaultPlan:
    """The faults in force, consulted once per request (under the server's lock)."""

    def __init__(self, seed: int = 13) -> None:
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, path: str, now: float) -> Fault | None:
        for fault in self._faults:
            if not path.startswith(fault.path_prefix) or not fault.active(now):
                continue
            if fault.ratio < 1.0 and self._rng.random() >= fault.ratio:
                continue
            if fault.count is not None:
                fault.count -= 1
            return fault
        return None
