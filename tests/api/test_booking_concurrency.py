"""No overselling: 30 simultaneous phone bookings against one zone-day with 12 slots.

Each thread has its own HTTP client and hits the real server, so the requests really run
in parallel on separate database connections; only the row lock on the zone-day decides.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine

from tests.conftest import MUNICIPALITY_ID
from tests.support import bulky
from tests.support.bulky import extra_collection_day, item_id, scalar, staff_headers, tokyo_today

N_REQUESTS = 30
CAPACITY = 12
base_url = bulky.base_url


def _post_all(base_url: str, headers: dict[str, str], body: dict[str, Any]) -> list[httpx.Response]:
    start = threading.Barrier(N_REQUESTS)

    def one(i: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            start.wait()
            return client.post(
                "/api/v1/bookings", json={**body, "phone": f"042-555-{i:04d}"}, headers=headers
            )

    with ThreadPoolExecutor(max_workers=N_REQUESTS) as pool:
        return list(pool.map(one, range(N_REQUESTS)))


def test_thirty_parallel_bookings_fill_twelve_slots_exactly(base_url: str, engine: Engine) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        headers = staff_headers(client, "kankyo", "kankyo-demo")
        item = item_id(client, "ふとん")
    day = tokyo_today() + dt.timedelta(days=10)
    with extra_collection_day(engine, day, capacity=CAPACITY) as extra:
        body = {
            "lon": extra.lon,
            "lat": extra.lat,
            "service_date": str(day),
            "items": [{"item_id": item, "quantity": 1}],
            "name": "同時 申込",
            "phone": "042-555-0000",
            "address_line": "1-2-3",
            "put_out": "entrance",
        }
        answers = _post_all(base_url, headers, body)
        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(201) == min(N_REQUESTS, CAPACITY), statuses
        assert statuses.count(409) == N_REQUESTS - CAPACITY, statuses
        assert all("満枠" in a.json()["message"] for a in answers if a.status_code == 409)
        params = {"m": MUNICIPALITY_ID, "z": extra.zone_id, "d": day}
        stored = scalar(
            engine,
            "SELECT count(*) FROM booking WHERE municipality_id = :m AND zone_id = :z "
            "AND service_date = :d",
            **params,
        )
        booked = scalar(
            engine,
            "SELECT booked FROM collection_day WHERE municipality_id = :m AND zone_id = :z "
            "AND service_date = :d",
            **params,
        )
        assert stored == CAPACITY and booked == CAPACITY
        receipts = {a.json()["receipt_no"] for a in answers if a.status_code == 201}
        assert len(receipts) == CAPACITY
