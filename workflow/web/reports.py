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
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import ReportPin
from workflow.clock import now_tokyo
from workflow.desk.passwords import hash_password
from workflow.errors import InvalidInputError
from workflow.line import reports as line_reports
from workflow.line.reports import Category, DialogueFacts
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.images import CleanImage
from workflow.reports.photo_store import add_stored_photo

FLOWS: Final = ("road", "disaster")
MAX_PHOTOS: Final = 3
MAX_DESCRIPTION_CHARS: Final = 2000
PIN_DIGITS: Final = 6

DISASTER_CLOSED: Final = (
    "現在、災害情報の受付は行っておりません。道路や施設の損傷は「道路・施設の損傷」から"
    "通報できます。お急ぎの場合は{phone}までお電話ください。"
)
FLOW_UNKNOWN: Final = "受付の種類が正しくありません。最初からお願いします。"
CATEGORY_MISSING: Final = "種類を選んでください。"
DESCRIPTION_TOO_LONG: Final = "説明は{max_chars}文字以内でお願いします。"
URGENT_MISSING: Final = "人命に関わるかどうかを選んでください。"
TOO_MANY_PHOTOS: Final = "写真は{max_photos}枚までです。"
ATTACH_GONE: Final = (
    "追加先の通報（受付番号 {receipt_no}）は近くの受付中の通報ではなくなりました。"
    "「別の通報として送る」を選んでください。"
)
# Staff-facing note on a report a resident joined from the web without writing anything.
ADDED_WITHOUT_TEXT: Final = "（ウェブで同じ場所の通報に追加されました。説明はありません）"


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


def new_pin() -> str:
    """A random PIN of ``PIN_DIGITS`` digits for the status page."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def _check_choice(facts: DialogueFacts, form: WebReportSubmission) -> Category:
    if form.flow not in FLOWS:
        raise InvalidInputError(FLOW_UNKNOWN, field="flow")
    if form.flow == "disaster" and not facts.disaster_mode:
        raise InvalidInputError(DISASTER_CLOSED.format(phone=facts.phone), field="flow")
    by_code = {c.code: c for c in facts.categories if c.kind == form.flow}
    category = by_code.get(form.category_code)
    if category is None:
        raise InvalidInputError(CATEGORY_MISSING, field="category")
    if form.flow == "disaster" and form.urgent is None:
        raise InvalidInputError(URGENT_MISSING, field="urgent")
    if len(form.photos) > MAX_PHOTOS:
        raise InvalidInputError(TOO_MANY_PHOTOS.format(max_photos=MAX_PHOTOS), field="photos")
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
class _Target:
    report_id: int
    receipt_no: str
    category_name: str
    address: str | None
    status: str
    added: bool


def _join_existing(
    session: Session, municipality_id: int, form: WebReportSubmission, radius_m: float
) -> _Target:
    receipt_no = form.attach_to_receipt_no or ""
    gone = InvalidInputError(ATTACH_GONE.format(receipt_no=receipt_no), field="attach")
    nearby = line_reports.find_nearby_open_reports(
        session, municipality_id, form.category_code, form.lon, form.lat, radius_m
    )
    if receipt_no not in {report.receipt_no for report in nearby}:
        raise gone
    existing = line_reports.find_report_by_receipt(session, municipality_id, receipt_no)
    if existing is None or existing.status not in line_reports.OPEN_STATUSES:
        raise gone
    line_reports.add_resident_note(
        session, municipality_id, existing.id, form.description or ADDED_WITHOUT_TEXT
    )
    if form.urgent:  # a danger to life reported later must still reach staff
        session.execute(
            text("UPDATE report SET urgent = true WHERE municipality_id = :m AND id = :id"),
            {"m": municipality_id, "id": existing.id},
        )
    return _Target(
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
) -> _Target:
    draft = ReportDraft(
        category_code=form.category_code,
        lon=form.lon,
        lat=form.lat,
        channel="web",
        description=form.description,
        urgent=bool(form.urgent),
    )
    report = create_report(session, municipality_id, draft, now)
    return _Target(
        report.id, report.receipt_no, category.name, report.address, report.status, added=False
    )


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
        too_long = DESCRIPTION_TOO_LONG.format(max_chars=MAX_DESCRIPTION_CHARS)
        raise InvalidInputError(too_long, field="description")
    pin = new_pin()
    pin_hash = hash_password(pin)  # slow on purpose: done before the transaction opens
    if session.in_transaction():
        session.commit()
    with _files_removed_on_failure() as written, session.begin():
        category = _check_choice(line_reports.load_dialogue_facts(session, municipality_id), form)
        if form.attach_to_receipt_no:
            target = _join_existing(session, municipality_id, form, radius_m)
        else:
            target = _open_new(session, municipality_id, form, category, now)
        _add_photos(session, municipality_id, target.report_id, form.photos, media_dir, written)
        session.add(
            ReportPin(
                municipality_id=municipality_id,
                report_id=target.report_id,
                pin_hash=pin_hash,
                added=target.added,
            )
        )
    return WebReceipt(
        target.receipt_no,
        pin,
        target.category_name,
        target.address,
        target.status,
        target.added,
        len(form.photos),
    )
