"""Helpers for staff-desk tests: sign in through the real form, read the CSRF token, make reports.

Reports made here are committed (the live server reads them from its own connections), so
each gets a unique LINE user id; tests never assume the database holds only their rows.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, text

from geo.models import Resident, ResidentContact
from tests.conftest import MUNICIPALITY_ID
from workflow.db import session_scope
from workflow.reports.create import ReportDraft, create_report

# lon, lat on a street in 曙町一丁目 (inside 立川市)
PLACE = (139.4075, 35.6980)
TOWN_BBOX = "139.30,35.65,139.50,35.76"


@dataclass(frozen=True)
class MadeReport:
    id: int
    receipt_no: str
    line_user_id: str | None
    resident_id: int | None


def login(client: httpx.Client, username: str, password: str) -> httpx.Client:
    """Sign ``client`` in through the real login form (fails the test if refused)."""
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: httpx.Client) -> str:
    """The session's CSRF token, as the map page hands it to its JavaScript."""
    page = client.get("/staff/map")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text[:300]
    return token.group(1)


def make_report(
    engine: Engine,
    category: str = "road_pothole",
    description: str | None = "道路に穴があります。",
    line: bool = True,
    contact_name: str | None = None,
    place: tuple[float, float] = PLACE,
    urgent: bool = False,
) -> MadeReport:
    """Commit one report (with a following LINE resident when ``line``)."""
    with session_scope(engine) as session:
        resident_id, line_user = None, None
        if line:
            line_user = "Udesk" + secrets.token_hex(12)
            resident = Resident(
                municipality_id=MUNICIPALITY_ID, line_user_id=line_user, following=True
            )
            session.add(resident)
            session.flush()
            resident_id = resident.id
            if contact_name:
                session.add(
                    ResidentContact(
                        municipality_id=MUNICIPALITY_ID,
                        resident_id=resident_id,
                        name=contact_name,
                        phone="090-0000-1234",
                    )
                )
        draft = ReportDraft(
            category,
            place[0],
            place[1],
            "line" if line else "phone",
            description=description,
            urgent=urgent,
            resident_id=resident_id,
        )
        report = create_report(session, MUNICIPALITY_ID, draft)
        return MadeReport(report.id, report.receipt_no, line_user, resident_id)


class ReportFactory:
    """Makes committed reports and deletes them (and what hangs off them) afterwards.

    Other tests count the reports in the shared database, so nothing is left behind.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.made: list[MadeReport] = []

    def __call__(self, category: str = "road_pothole", **kw: Any) -> MadeReport:
        report = make_report(self.engine, category, **kw)
        self.made.append(report)
        return report

    def cleanup(self) -> None:
        ids = [r.id for r in self.made]
        residents = [r.resident_id for r in self.made if r.resident_id is not None]
        params = {"m": MUNICIPALITY_ID, "ids": ids, "res": residents}
        with self.engine.begin() as conn:
            for sql in (
                "DELETE FROM outbox_message WHERE municipality_id = :m AND (report_id = ANY(:ids) "
                "OR resident_id = ANY(:res))",
                "DELETE FROM report WHERE municipality_id = :m AND id = ANY(:ids)",
                "DELETE FROM resident WHERE municipality_id = :m AND id = ANY(:res)",
            ):
                conn.execute(text(sql), params)
        self.made.clear()


@contextmanager
def hq_rows_removed_afterwards(engine: Engine) -> Iterator[None]:
    """Put disaster mode back off and drop the HQ log rows and segment pushes made inside."""
    with engine.connect() as conn:
        last_log = conn.execute(text("SELECT coalesce(max(id), 0) FROM disaster_log")).scalar()
        last_outbox = conn.execute(text("SELECT coalesce(max(id), 0) FROM outbox_message")).scalar()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM disaster_log WHERE id > :id"), {"id": last_log})
            conn.execute(
                text("DELETE FROM outbox_message WHERE id > :id AND purpose = 'segment_push'"),
                {"id": last_outbox},
            )
            conn.execute(
                text("UPDATE municipality SET disaster_mode = false WHERE id = :m"),
                {"m": MUNICIPALITY_ID},
            )


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()
