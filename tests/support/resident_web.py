"""Helpers for the web fallback's tests: places, disaster mode, the form's token, cleanup.

The live server commits, so every test reports at its own place (more than 30 m from any
other test's, or the nearby-report question would change the flow) and the module's rows are
removed at its end, PIN failures included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, text

from tests.api.conftest import rows_removed_afterwards
from tests.conftest import MUNICIPALITY_ID

SHINJUKU = (139.70, 35.69)  # lon, lat outside 立川市
TACHIKAWA_PHONE = "042-523-2111"


def place(n: int) -> tuple[float, float]:
    """The n-th test place (lon, lat), n in 0..15: about 90 m apart, inside (高松町 to 栄町)."""
    return (round(139.4200 + 0.001 * n, 6), 35.7050)


def district_at(engine: Engine, lon: float, lat: float) -> str | None:
    with engine.connect() as conn:
        name = conn.execute(
            text(
                "SELECT name FROM district WHERE municipality_id = :m AND "
                "ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            ),
            {"m": MUNICIPALITY_ID, "lon": lon, "lat": lat},
        ).scalar()
    return None if name is None else str(name)


def form_token(client: httpx.Client, path: str) -> str:
    """Open a form page (which sets the nonce cookie) and return its ``csrf_token``."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def count_reports(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM report")).scalar_one())


@contextmanager
def disaster_mode(engine: Engine, on: bool) -> Iterator[None]:
    """Switch the municipality's disaster mode for the block, then put it back."""
    with engine.begin() as conn:
        before = conn.execute(
            text("SELECT disaster_mode FROM municipality WHERE id = :m"), {"m": MUNICIPALITY_ID}
        ).scalar_one()
        conn.execute(
            text("UPDATE municipality SET disaster_mode = :on WHERE id = :m"),
            {"on": on, "m": MUNICIPALITY_ID},
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE municipality SET disaster_mode = :on WHERE id = :m"),
                {"on": before, "m": MUNICIPALITY_ID},
            )


@contextmanager
def web_rows_removed_afterwards(engine: Engine) -> Iterator[None]:
    """``rows_removed_afterwards`` plus the PIN failures recorded in the block."""
    with engine.connect() as conn:
        last = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM pin_failure")).scalar_one())
    try:
        with rows_removed_afterwards(engine):
            yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM pin_failure WHERE id > :last"), {"last": last})
