"""Closed-loop load from ``wrk`` (Debian's package, written in C) for ``bench.map_scale``.

``bench.map_load`` runs its clients as Python threads in one process on the same 2 cores as
the server: at 20 clients their GIL and their own CPU are part of every figure (a static file
came out at p95 75-110 ms). wrk keeps 20 connections busy from 2 threads of C, so what it
measures is the server. Each request picks one of a few thousand paths drawn beforehand by the
view's ``path_for`` (random street views and tiles), sent with the clerk's session cookie and
the ``Accept-Encoding`` every browser sends (large map answers then come gzipped, as they
reach clerks; the KB column is what crossed the wire). Non-2xx answers count as errors.

Latency is timed per request by the script itself (``clock_gettime`` through LuaJIT's FFI,
one connection per wrk thread so each response pairs with its request): wrk 4's own
percentiles are corrected for coordinated omission (``stats_correct`` adds, for every slow
answer, the samples an open-loop client sending at the mean rate would have seen), so one
1 s stall on one connection of twenty reads as many slow requests. A test server answering
1 request in 50 after 100 ms and the rest in 60 us: wrk's p95 92 ms, the requests' p95
0.065 ms. Both are printed; the target is judged on the requests' own p95, and wrk's
corrected p95 shows how long the stalls were.
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
_DONE = re.compile(
    r"^MACHI (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)$", re.M
)

_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } machi_timespec;
int clock_gettime(int clk_id, machi_timespec *tp);
]]
local ts = ffi.new("machi_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end
local paths = {%(paths)s}
local cookie = %(cookie)s
local threads = {}
setup = function(thread) thread:set("id", #threads); table.insert(threads, thread) end
init = function(args)
  math.randomseed(7919 * (id + 1)); wrk.headers["Cookie"] = cookie
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"; took = {}; sent = 0
end
request = function() sent = now_us(); return wrk.format("GET", paths[math.random(#paths)]) end
response = function(status, headers, body) took[#took + 1] = now_us() - sent end
done = function(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for _, us in ipairs(thread:get("took")) do all[#all + 1] = us end
  end
  table.sort(all)
  local function at(q) return all[math.min(#all, math.floor(#all * q) + 1)] or 0 end
  local e = summary.errors
  io.write(string.format("MACHI %%d %%d %%d %%d %%d %%.1f %%.1f %%.1f %%.1f\\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout, summary.bytes,
    at(0.5), at(0.95), all[#all] or 0, latency:percentile(95)))
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
    p50: float  # each request's own latency
    p95: float
    max_ms: float
    p95_corrected: float  # wrk's, corrected for coordinated omission (stalls weigh more)

    def line(self, target_ms: float) -> str:
        ok = self.p95 <= target_ms and not self.errors
        return (
            f"{self.name:<34} {self.clients:>2} cl  n={self.requests:>5}  p50 {self.p50:6.1f}  "
            f"p95 {self.p95:6.1f}  max {self.max_ms:6.1f} ms  (wrk's corrected p95 "
            f"{self.p95_corrected:6.1f})  {self.requests / self.seconds:5.0f}"
            f" req/s  {self.mean_bytes / 1024:6.1f} KB  err {self.errors}  (wrk) "
            + ("ok" if ok else "MISSES")
        )


def wrk_test(
    base: str, cookies: httpx.Cookies, name: str, path_for: PathFor, clients: int, seconds: float
) -> WrkResult:
    """``clients`` connections asking back to back for ``seconds`` (a wrk thread each)."""
    rng = random.Random(name)
    paths = ", ".join(json.dumps(path_for(rng)) for _ in range(PATHS_PER_VIEW))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "machi.lua"
        script.write_text(_SCRIPT % {"paths": paths, "cookie": json.dumps(cookie)})
        threads = clients  # one connection per thread: the script pairs each answer
        command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s",
                   "--timeout", "10s", "-s", str(script), base]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = _DONE.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    requests, duration_us, status_err, io_err, size = (int(found.group(i)) for i in range(1, 6))
    p50, p95, worst, corrected = (float(found.group(i)) / 1000 for i in range(6, 10))
    return WrkResult(
        name, clients, requests, duration_us / 1e6, status_err + io_err,
        size / max(requests, 1), p50, p95, worst, corrected,
    )  # fmt: skip
