"""Fixtures shared by DB tests: a planned demo-town day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tests.conftest import MUNICIPALITY_ID
from workflow.db import session_scope
from workflow.demo.seed import seed_reports
from workflow.plans.plan import plan

Day = dt.date


@pytest.fixture(scope="session")
def planned_day(engine: Engine) -> Iterator[Day]:
    """Seed bookings, pick the busiest day and plan it (committed: planning opens sessions)."""
    with session_scope(engine) as session:
        seed_reports(session, MUNICIPALITY_ID, 400, seed=11)
    with engine.connect() as conn:
        day = conn.execute(
            text(
                "SELECT service_date FROM booking WHERE municipality_id = :m AND "
                "status = 'booked' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ),
            {"m": MUNICIPALITY_ID},
        ).scalar_one()
    plan(engine, MUNICIPALITY_ID, day, time_limit_s=3, seed=1)
    yield day


def current_plan_id(engine: Engine, day: dt.date) -> int:
    """The id of the day's plan now (re-planning replaces it)."""
    with engine.connect() as conn:
        plan_id = conn.execute(
            text("SELECT id FROM route_plan WHERE municipality_id = :m AND service_date = :d"),
            {"m": MUNICIPALITY_ID, "d": day},
        ).scalar_one()
    return int(plan_id)
