"""Closed-loop load from ``wrk`` (Debian's package, written in C) for ``bench.map_scale``.

``bench.map_load`` runs its clients as Python threads in one process on the same 2 cores as
the server: at 20 clients their GIL and their own CPU are part of every figure (a static file
came out at p95 75-110 ms). wrk keeps 20 connections busy from 2 threads of C, so what it
measures is the server. Each request picks one of a few thousand paths drawn beforehand by the
view's ``path_for`` (random street views and tiles), sent with the clerk's session cookie.
Latency percentiles are wrk's own (microsecond histogram); non-2xx answers count as errors.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.map_load import PathFor

PATHS_PER_VIEW = 2000
_DONE = re.compile(r"^MACHI (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", re.M)

_SCRIPT = """
local paths = {%(paths)s}
local cookie = %(cookie)s
local threads = 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
init = function(args) math.randomseed(7919 * (id + 1)); wrk.headers["Cookie"] = cookie end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("MACHI %%d %%d %%d %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency.max))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


@dataclass(frozen=True)
class WrkResult:
    name: str
    clients: int
    requests: int
    seconds: float
    errors: int
    mean_bytes: float
    p50: float
    p95: float
    max_ms: float

    def line(self, target_ms: float) -> str:
        ok = self.p95 <= target_ms and not self.errors
        return (
            f"{self.name:<34} {self.clients:>2} cl  n={self.requests:>5}  p50 {self.p50:6.1f}  "
            f"p95 {self.p95:6.1f}  max {self.max_ms:6.1f} ms  {self.requests / self.seconds:5.0f}"
            f" req/s  {self.mean_bytes / 1024:6.1f} KB  err {self.errors}  (wrk) "
            + ("ok" if ok else "MISSES")
        )


def wrk_test(
    base: str, cookies: httpx.Cookies, name: str, path_for: PathFor, clients: int, seconds: float
) -> WrkResult:
    """``clients`` connections asking back to back for ``seconds`` (2 wrk threads)."""
    rng = random.Random(name)
    paths = ", ".join(json.dumps(path_for(rng)) for _ in range(PATHS_PER_VIEW))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "machi.lua"
        script.write_text(_SCRIPT % {"paths": paths, "cookie": json.dumps(cookie)})
        threads = min(2, clients)
        command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s",
                   "--timeout", "10s", "-s", str(script), base]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = _DONE.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    requests, duration_us, status_err, io_err, size = (int(found.group(i)) for i in range(1, 6))
    p50, p95, worst = (float(found.group(i)) / 1000 for i in range(6, 9))
    return WrkResult(
        name, clients, requests, duration_us / 1e6, status_err + io_err,
        size / max(requests, 1), p50, p95, worst,
    )  # fmt: skip
