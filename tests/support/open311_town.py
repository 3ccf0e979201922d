"""A town with people in it: LINE residents with contacts, their reports and notes, bookings.

Every personal value is distinctive, so finding any of them in a public answer is a leak:
names, phones, LINE user ids, typed address lines, resident notes, and descriptions that
repeat the phone (residents do write their number into the text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.models import Report, Resident, ResidentContact
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky import tokyo_today, zone_place
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import BookingWindow, free_days
from workflow.line.reports import add_resident_note
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.transitions import Actor, transition

PEOPLE = (
    ("秘密山 花子", "090-7311-0001", "東京都立川市錦町九丁目99-1 秘密荘101"),
    ("匿名川 太郎", "080-7311-0002", "東京都立川市高松町九丁目98-2 匿名ハイツ202"),
    ("個人田 次郎", "070-7311-0003", "東京都立川市柴崎町九丁目97-3"),
)


@dataclass
class SeededTown:
    secrets: list[str] = field(default_factory=list)  # must never appear in public answers
    published: list[str] = field(default_factory=list)  # road reports: must appear
    hidden: list[str] = field(default_factory=list)  # bookings, disaster: must not appear
    bookings: list[str] = field(default_factory=list)


def _resident(session: Session, n: int, town: SeededTown) -> int:
    name, phone, address = PEOPLE[n]
    line_user_id = f"U7311{n:027d}"
    resident = Resident(municipality_id=MUNICIPALITY_ID, line_user_id=line_user_id, following=True)
    session.add(resident)
    session.flush()
    session.add(
        ResidentContact(
            municipality_id=MUNICIPALITY_ID,
            resident_id=resident.id,
            name=name,
            phone=phone,
            address=address,
            email=f"secret{n}@example.jp",
        )
    )
    town.secrets += [name, phone, address, line_user_id, f"secret{n}@example.jp"]
    return resident.id


def _report(session: Session, town: SeededTown, n: int, kind: str, resident_id: int) -> str:
    name, phone, address = PEOPLE[n]
    code = "road_pothole" if kind == "road" else "dis_flood"
    lon, lat = 139.4130 + 0.002 * n, 35.7000 + (0.002 if kind == "disaster" else 0.0)
    draft = ReportDraft(
        category_code=code,
        lon=lon,
        lat=lat,
        channel="line",
        description=f"{name}です。連絡は{phone}へ。",
        address=address,
        resident_id=resident_id,
    )
    report = create_report(session, MUNICIPALITY_ID, draft)
    note = f"追加：{name}（{phone}）の家の前です。"
    add_resident_note(session, MUNICIPALITY_ID, report.id, note)
    town.secrets += [f"{name}です", note]
    (town.published if kind == "road" else town.hidden).append(report.receipt_no)
    return report.receipt_no


def _booking(
    session: Session,
    town: SeededTown,
    n: int,
    resident_id: int,
    item: int,
    where: tuple[float, float, int, list[int]],
) -> None:
    _, phone, address = PEOPLE[n]
    lon, lat, zone_id, _ = where
    days = free_days(session, MUNICIPALITY_ID, zone_id, tokyo_today(), BookingWindow())
    note = f"玄関前に出します。{phone}"
    booking = book(
        session,
        MUNICIPALITY_ID,
        BookingRequest(lon, lat, days[0].service_date, (ItemLine(item, 1),), address, note=note),
        channel="line",
        resident_id=resident_id,
    )
    town.secrets.append(note)
    receipt = booking_receipt(session, booking.report_id)
    town.hidden.append(receipt)
    town.bookings.append(receipt)


def booking_receipt(session: Session, report_id: int) -> str:
    return session.get_one(Report, (MUNICIPALITY_ID, report_id)).receipt_no


def seed_people(engine: Engine, item_id: int) -> SeededTown:
    """Commit three LINE residents with road and disaster reports, notes and bookings."""
    town = SeededTown()
    zones = [zone_place(engine, code) for code in "ABC"]
    with Session(engine) as session, session.begin():
        for n in range(len(PEOPLE)):
            resident_id = _resident(session, n, town)
            receipt = _report(session, town, n, "road", resident_id)
            _report(session, town, n, "disaster", resident_id)
            _booking(session, town, n, resident_id, item_id, zones[n])
            report_id = session.execute(
                text("SELECT id FROM report WHERE receipt_no = :no"), {"no": receipt}
            ).scalar_one()
            if n < 2:  # one closed with a note for residents, one in progress
                status, note = ("done", "補修済み") if n == 0 else ("in_progress", None)
                transition(session, MUNICIPALITY_ID, report_id, status, Actor("staff:doro"), note)
    return town
