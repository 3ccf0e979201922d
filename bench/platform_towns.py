"""Many synthetic towns in one database, loaded set-based (``bench.platform_scale``).

A town here is what the schema needs to serve it: the municipality row (a square boundary
somewhere in Japan, host ``t<code>.localhost``), departments and categories as the demo town
has them, a grid of districts (町丁目), four collection zones with a calendar, a catalogue,
staff logins, and a year of activity sized by population: about ``population / 100 * scale``
reports (made by residents, with their status history, bookings for bulky waste, the LINE
webhook events of the dialogues that made them and the pushes sent back).

Populations follow what a platform serving a few hundred municipalities would see: a few
cities of 300,000-1,000,000, a tenth of 50,000-300,000, the rest towns of 5,000-50,000
(log-uniform within each tier). Codes are ``60001``, ``60002``, ... (no prefecture has code
60, so they never meet a real town). Everything is inserted with ``INSERT ... SELECT`` over
``generate_series`` in the caller's transaction, so the EXPLAIN test can load towns and roll
them back.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from bench.platform_sql import (
    ACTIVITY_SQL,
    PENDING_SQL,
    SEED_TOWN_SQL,
    TOWN_SQL,
    TOWN_TABLES,
)
from workflow.demo import data as demo
from workflow.towns.channels import SECRET_FIELD, TOKEN_FIELD
from workflow.towns.secrets import DataKey

FIRST_ID = 60001
PASSWORD = "bench-demo"  # every bench login (admin, road, bousai, kankyo)


@dataclass(frozen=True)
class TownSpec:
    """One synthetic town: where it lies, how many people live there, how busy it is."""

    id: int
    name: str
    population: int
    lon: float  # centre, EPSG:4326
    lat: float
    half_w: float  # half the side of its square, degrees of longitude
    reports: int

    @property
    def code(self) -> str:
        return str(self.id)

    @property
    def host(self) -> str:
        return f"t{self.code}.localhost"

    @property
    def line_secret(self) -> str:
        """The town's LINE channel secret (each town its own)."""
        return hashlib.sha256(f"bench-secret-{self.id}".encode()).hexdigest()[:32]

    @property
    def half_h(self) -> float:
        return self.half_w * 0.8  # about square at Japan's latitudes (cos 35° ≈ 0.82)

    @property
    def grid(self) -> int:
        """Districts per side: about one per 2,000 people, 3 x 3 to 20 x 20."""
        return max(3, min(20, round(math.sqrt(self.population / 2000))))

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (
            self.lon - self.half_w,
            self.lat - self.half_h,
            self.lon + self.half_w,
            self.lat + self.half_h,
        )


def populations(n: int, rng: random.Random) -> list[int]:
    """``n`` populations, largest first: cities, middle-sized cities, towns (log-uniform)."""
    cities = max(1, n // 90)
    middle = n // 10
    tiers = [(cities, 300_000, 1_000_000), (middle, 50_000, 300_000)]
    tiers.append((n - cities - middle, 5_000, 50_000))
    drawn = [
        round(math.exp(rng.uniform(math.log(low), math.log(high))))
        for count, low, high in tiers
        for _ in range(max(0, count))
    ]
    drawn[0] = 1_000_000 if n >= 30 else drawn[0]  # the one big city a platform must carry
    return sorted(drawn[:n], reverse=True)


def plan_towns(n: int, scale: float = 1.0, seed: int = 17) -> list[TownSpec]:
    """``n`` towns on a lattice over Japan (0.5° apart, never overlapping), largest first."""
    rng = random.Random(seed)
    pops = populations(n, rng)
    order = list(range(n))
    rng.shuffle(order)  # big and small towns side by side, as on a real map
    towns = []
    for i, pop in enumerate(pops):
        cell = order[i]
        lon = 130.0 + 0.5 * (cell % 24) + 0.25
        lat = 31.0 + 0.5 * (cell // 24) + 0.25
        half_w = (0.04 + 0.00012 * math.sqrt(pop)) / 2
        kind = "市" if pop >= 50_000 else "町"
        reports = max(1, round(pop / 100 * scale))
        towns.append(
            TownSpec(FIRST_ID + i, f"試験{kind}{i + 1:03d}", pop, lon, lat, half_w, reports)
        )
    return towns


def _sealed(towns: Sequence[TownSpec], key: DataKey | None) -> dict[str, list[object]]:
    if key is None:
        return {"secrets": [None] * len(towns), "tokens": [None] * len(towns)}
    return {
        "secrets": [key.encrypt(t.line_secret, t.id, SECRET_FIELD) for t in towns],
        "tokens": [key.encrypt(f"token-{t.id}", t.id, TOKEN_FIELD) for t in towns],
    }


def _town_arrays(towns: Sequence[TownSpec]) -> dict[str, list[object]]:
    return {
        "ids": [t.id for t in towns],
        "codes": [t.code for t in towns],
        "names": [t.name for t in towns],
        "hosts": [t.host for t in towns],
        "pops": [t.population for t in towns],
        "lons": [t.lon for t in towns],
        "lats": [t.lat for t in towns],
        "half_ws": [t.half_w for t in towns],
        "half_hs": [t.half_h for t in towns],
        "grids": [t.grid for t in towns],
        "reports": [t.reports for t in towns],
    }


def _demo_arrays() -> dict[str, list[object]]:
    return {
        "dep_codes": [d[0] for d in demo.DEPARTMENTS],
        "dep_names": [d[1] for d in demo.DEPARTMENTS],
        "cat_deps": [c[0] for c in demo.CATEGORIES],
        "cat_codes": [c[1] for c in demo.CATEGORIES],
        "cat_names": [c[2] for c in demo.CATEGORIES],
        "cat_kinds": [c[3] for c in demo.CATEGORIES],
        "cat_hours": [c[4] for c in demo.CATEGORIES],
    }


def load_towns(
    conn: Connection,
    towns: Sequence[TownSpec],
    password_hash: str,
    items_per_town: int = 200,
    timings: dict[str, float] | None = None,
    data_key: DataKey | None = None,
) -> None:
    """Insert ``towns`` with their activity in the caller's transaction, then ANALYZE.

    Args:
        conn: a connection of the database's owner (rows of every town at once).
        towns: from :func:`plan_towns`.
        password_hash: the argon2 hash every staff login gets (one hash, made once).
        items_per_town: catalogue rows per town.
        timings: when given, seconds per step are added to it.
        data_key: seals each town's LINE secret and token; without it, no credentials.
    """
    import time

    params: dict[str, object] = {**_town_arrays(towns), **_demo_arrays()}
    params.update(_sealed(towns, data_key))
    params.update(hash=password_hash, items=items_per_town)
    conn.execute(text(SEED_TOWN_SQL[0]))
    conn.execute(text(SEED_TOWN_SQL[1]), params)
    for step, statements in (("towns", TOWN_SQL), ("activity", ACTIVITY_SQL)):
        started = time.perf_counter()
        for sql in statements:
            conn.execute(text(sql), params)
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    conn.execute(text("ANALYZE " + ", ".join(TOWN_TABLES)))
    if timings is not None:
        timings["analyze"] = time.perf_counter() - started


def add_pending_work(conn: Connection, per_town: int) -> None:
    """Unprocessed webhook events and pending pushes, ``per_town`` of each in every bench town.

    Call after :func:`load_towns` in the same transaction (it reads ``seed_town``).
    """
    for sql in PENDING_SQL:
        conn.execute(text(sql), {"n": per_town})
    conn.execute(text("ANALYZE webhook_event, outbox_message"))
