"""Reports from the web form ``/r/`` (residents without LINE): the LINE flows, one transaction.

The same rules as the LINE dialogue: road damage always, disaster information only while the
municipality is in disaster mode (with 「人命に関わりますか」), the place must be inside the
town, open reports of the same category nearby may be joined instead. Photos arrive already
checked and cleaned (``workflow.reports.images.clean_image``); they are written under ``media_dir``
in the same transaction as the report, and removed again if that transaction fails.
The resident gets the receipt number and a PIN; only the PIN's argon2 hash is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import ReportPin
from workflow.clock import now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import hash_password
from workflow.errors import InvalidInputError
from workflow.line import reports as line_reports
from workflow.line.reports import Category, DialogueFacts
from workflow.reports.create import MAX_DESCRIPTION_CHARS, ReportDraft, create_report
from workflow.reports.images import CleanImage
from workflow.reports.photo_store import add_stored_photo
from workflow.texts.staff import ADDED_FROM_WEB_WITHOUT_TEXT
from workflow.web.pins import new_pin

FLOWS: Final = ("road", "disaster")
MAX_PHOTOS: Final = 3


@dataclass(frozen=True)
class WebReportSubmission:
    """The confirmed web form. lon/lat in EPSG:4326; photos already cleaned."""

    flow: str
    category_code: str
    lon: float
    lat: float
    description: str | None = None
    urgent: bool | None = None  # disaster only; None when not answered
    photos: tuple[CleanImage, ...] = ()
    attach_to_receipt_no: str | None = None
    channel: str = "web"  # "open311" when a client posts through GeoReport v2


@dataclass(frozen=True)
class WebReceipt:
    """What the resident is shown once: receipt number, PIN, and what was received."""

    receipt_no: str
    pin: str
    category_name: str
    address: str | None
    status: str
    added: bool  # joined an existing report instead of opening a new one
    photo_count: int


def _check_choice(facts: DialogueFacts, form: WebReportSubmission) -> Category:
    if form.flow not in FLOWS:
        raise InvalidInputError("flow_unknown", field="flow")
    if form.flow == "disaster" and not facts.disaster_mode:
        raise InvalidInputError("disaster_closed", field="flow", phone=facts.phone)
    by_code = {c.code: c for c in facts.categories if c.kind == form.flow}
    category = by_code.get(form.category_code)
    if category is None:
        raise InvalidInputError("category_missing", field="category")
    if form.flow == "disaster" and form.urgent is None:
        raise InvalidInputError("urgent_missing", field="urgent")
    if len(form.photos) > MAX_PHOTOS:
        raise InvalidInputError("too_many_photos", field="photos", max_photos=MAX_PHOTOS)
    return category


@contextmanager
def _files_removed_on_failure() -> Iterator[list[Path]]:
    """Collect written files; delete them when the block (the transaction) fails."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _add_photos(
    session: Session,
    municipality_id: int,
    report_id: int,
    photos: tuple[CleanImage, ...],
    media_dir: Path,
    written: list[Path],
) -> None:
    for image in photos:
        photo = add_stored_photo(session, municipality_id, report_id, image, media_dir, "web")
        written.extend(media_dir / path for path in (photo.storage_path, photo.thumb_path) if path)


@dataclass(frozen=True)
class ReportTarget:
    report_id: int
    receipt_no: str
    category_name: str
    address: str | None
    status: str
    added: bool


def _join_existing(
    session: Session, municipality_id: int, form: WebReportSubmission, radius_m: float
) -> ReportTarget:
    receipt_no = form.attach_to_receipt_no or ""
    gone = InvalidInputError("attach_gone", field="attach", receipt_no=receipt_no)
    nearby = line_reports.find_nearby_open_reports(
        session, municipality_id, form.category_code, form.lon, form.lat, radius_m
    )
    if receipt_no not in {report.receipt_no for report in nearby}:
        raise gone
    existing = line_reports.find_report_by_receipt(session, municipality_id, receipt_no)
    if existing is None or existing.status not in line_reports.OPEN_STATUSES:
        raise gone
    line_reports.add_resident_note(
        session, municipality_id, existing.id, form.description or ADDED_FROM_WEB_WITHOUT_TEXT
    )
    if form.urgent:  # a danger to life reported later must still reach staff
        session.execute(
            text("UPDATE report SET urgent = true WHERE municipality_id = :m AND id = :id"),
            {"m": municipality_id, "id": existing.id},
        )
    return ReportTarget(
        existing.id,
        existing.receipt_no,
        existing.category_name,
        existing.address,
        existing.status,
        added=True,
    )


def _open_new(
    session: Session,
    municipality_id: int,
    form: WebReportSubmission,
    category: Category,
    now: dt.datetime,
) -> ReportTarget:
    draft = ReportDraft(
        category_code=form.category_code,
        lon=form.lon,
        lat=form.lat,
        channel=form.channel,
        description=form.description,
        urgent=bool(form.urgent),
    )
    report = create_report(session, municipality_id, draft, now)
    return ReportTarget(
        report.id, report.receipt_no, category.name, report.address, report.status, added=False
    )


def record_web_report(
    session: Session,
    municipality_id: int,
    form: WebReportSubmission,
    media_dir: Path,
    radius_m: float,
    now: dt.datetime,
    written: list[Path],
) -> ReportTarget:
    """The checks and writes of :func:`submit_web_report`, inside the caller's transaction.

    Also used by Open311 (``form.channel == "open311"``), so every channel that is not a
    dialogue gets the same rules and receipt numbers. Stored photo files are appended to
    ``written`` for the caller to remove if its transaction fails.

    Raises:
        InvalidInputError: see :func:`submit_web_report`.
        OutsideAreaError: the point is outside the municipality.
        NotFoundError: the category is no longer active.
    """
    category = _check_choice(line_reports.load_dialogue_facts(session, municipality_id), form)
    if form.attach_to_receipt_no:
        target = _join_existing(session, municipality_id, form, radius_m)
    else:
        target = _open_new(session, municipality_id, form, category, now)
    _add_photos(session, municipality_id, target.report_id, form.photos, media_dir, written)
    return target


def submit_web_report(
    session: Session,
    municipality_id: int,
    form: WebReportSubmission,
    media_dir: Path,
    radius_m: float,
    now: dt.datetime | None = None,
) -> WebReceipt:
    """Create the report (or join the nearby one), store its photos and a PIN, in one commit.

    Args:
        session: a session with nothing pending; this use case commits it.
        municipality_id: tenant.
        form: the confirmed form (photos already cleaned).
        media_dir: root folder of stored photos.
        radius_m: the "same place" radius (metres) the attach choice was offered within.
        now: creation time (aware); defaults to the current time.

    Raises:
        InvalidInputError: disaster reports closed, category / urgent answer missing, too
            many photos, description too long, or the report to join is no longer open nearby.
            Also an unknown flow.
        OutsideAreaError: the point is outside the municipality.
    """
    now = now or now_tokyo()
    if form.description and len(form.description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInputError(
            "description_too_long", field="description", max_chars=MAX_DESCRIPTION_CHARS
        )
    pin = new_pin()
    pin_hash = hash_password(pin)  # slow on purpose: done before the transaction opens
    with _files_removed_on_failure() as written, unit_of_work(session):
        target = record_web_report(
            session, municipality_id, form, media_dir, radius_m, now, written
        )
        session.add(ReportPin(municipality_id=municipality_id, report_id=target.report_id,
                              pin_hash=pin_hash, added=target.added))  # fmt: skip
    return WebReceipt(target.receipt_no, pin, target.category_name, target.address,
                      target.status, target.added, len(form.photos))  # fmt: skip
