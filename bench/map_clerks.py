"""Clerks at their maps, for ``bench.map_scale``: N people panning, each like a browser.

A clerk looks at a view for a while (``think_s``, uniform), then pans: the staff map asks
for the view's reports (the bbox API) and the base tiles the pan uncovers
(``TILES_PER_PAN``; the browser keeps the others), at most six at a time (Chromium's
connections per host). Base tiles are drawn 512 px wide, as our maps draw them: a tile of one
zoom less with ``scale=2`` (``maps.basemap.OWN_TILES``). With ``report_tiles`` the clerk's
map also draws the reports tile layer (as a GIS client does; no page of ours does yet): as
many report tiles per pan. Four
pans in five are at street level (z16, around a random point of the town's roads), one in
five is the whole city (z12 or z13, in a window of its own size, dragged a little off the
town's centre: clerks' screens differ, so their whole-city views do not share one bbox).
Every request's latency is recorded by kind; the bench quotes p50/p95 per kind.

This is the load that ``--clients`` staff produce; ``bench.map_load``'s closed loop (every
client asks again the moment it is answered) measures capacity instead.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

import httpx

from geo.tilegrid import tile_at

TILES_PER_PAN = 3  # of the 6-8 tiles of 512 px in a 1400 x 850 window
CITY_NUDGE = 0.02  # degrees a clerk drags the whole-town view off its centre
CONNECTIONS = 6


@dataclass
class ClerkStats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    pans: int = 0

    def add(self, kind: str, ms: float) -> None:
        self.latencies.setdefault(kind, []).append(ms)

    def lines(self, target_ms: float, seconds: float) -> list[str]:
        out = []
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
            out.append(
                f"  {kind:<30} n={len(values):>5}  p50 {statistics.median(values):6.1f}  "
                f"p95 {p95:6.1f}  max {ordered[-1]:6.1f} ms  "
                + ("ok" if p95 <= target_ms else "MISSES")
            )
        total = sum(len(v) for v in self.latencies.values())
        out.append(
            f"  {self.pans} pans, {total} requests in {seconds:.0f} s "
            f"({total / seconds:.0f} req/s), errors {self.errors}"
        )
        return out

    def p95(self, kind: str) -> float:
        ordered = sorted(self.latencies.get(kind, [float("nan")]))
        return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _pan(rng: random.Random, town: tuple[float, float, float, float],
         spots: list[tuple[float, float]],
         report_tiles: bool) -> list[tuple[str, str]]:  # fmt: skip
    """(kind, path) of every request one pan makes."""
    street = rng.random() < 0.8
    if street:
        lon, lat = rng.choice(spots)
        z, half_w, half_h = 16, 0.0095, 0.0045  # a 1400 x 850 px map at z16
    else:  # the whole town in the clerk's own window, nudged a little: each view its own bbox
        lon = (town[0] + town[2]) / 2 + rng.uniform(-CITY_NUDGE, CITY_NUDGE)
        lat = (town[1] + town[3]) / 2 + rng.uniform(-CITY_NUDGE, CITY_NUDGE)
        z = rng.choice((12, 13))
        degrees_per_px = 360 / (256 * 2**z)
        half_w = rng.uniform(1024, 1920) / 2 * degrees_per_px
        half_h = rng.uniform(600, 1080) / 2 * degrees_per_px * 0.81  # cos 36°
    bbox = f"{lon - half_w:.5f},{lat - half_h:.5f},{lon + half_w:.5f},{lat + half_h:.5f}"
    level = "street" if street else "city"
    requests = [(f"bbox API ({level})", f"/api/v1/reports?bbox={bbox}")]
    for _ in range(TILES_PER_PAN):
        lon_at, lat_at = lon + rng.uniform(-half_w, half_w), lat + rng.uniform(-half_h, half_h)
        t = tile_at(lon_at, lat_at, z - 1)
        path = f"/tiles/base/{t.z}/{t.x}/{t.y}.pbf?scale=2"
        requests.append((f"base tile z{t.z} 512 px", path))
        if report_tiles:
            t = tile_at(lon_at, lat_at, z)
            requests.append((f"reports tile z{z}", f"/tiles/reports/{z}/{t.x}/{t.y}.pbf"))
    return requests


async def _clerk(base: str, cookies: httpx.Cookies, seed: int, deadline: float,
                 think_s: tuple[float, float], town: tuple[float, float, float, float],
                 spots: list[tuple[float, float]], stats: ClerkStats,
                 report_tiles: bool) -> None:  # fmt: skip
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=60) as c:
        await asyncio.sleep(rng.uniform(0, think_s[1]))  # clerks do not start in step

        async def one(kind: str, path: str) -> None:
            started = time.perf_counter()
            try:
                answer = await c.get(path)
            except httpx.TransportError:  # the server closed an idle kept-alive connection
                started = time.perf_counter()  # (uvicorn: after 5 s); a browser retries on a
                try:  # new one, and so do we
                    answer = await c.get(path)
                except httpx.TransportError:
                    stats.errors += 1
                    return
            if answer.status_code == 200:
                stats.add(kind, (time.perf_counter() - started) * 1000)
            else:
                stats.errors += 1

        while time.monotonic() < deadline:
            pan = _pan(rng, town, spots, report_tiles)
            await asyncio.gather(*(one(k, p) for k, p in pan))
            stats.pans += 1
            await asyncio.sleep(rng.uniform(*think_s))


def clerks_at_maps(base: str, cookies: httpx.Cookies, clerks: int, seconds: float,
                   town: tuple[float, float, float, float], spots: list[tuple[float, float]],
                   think_s: tuple[float, float] = (2.0, 6.0),
                   report_tiles: bool = False) -> ClerkStats:  # fmt: skip
    """``clerks`` clerks panning for ``seconds``; their latencies by kind of request."""
    stats = ClerkStats()
    deadline = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(_clerk(base, cookies, i, deadline, think_s, town, spots, stats, report_tiles)
              for i in range(clerks))
        )  # fmt: skip

    asyncio.run(run())
    return stats
