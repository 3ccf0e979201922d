"""The web report form's fields -> a ``WebReportSubmission``, or Japanese errors per field.

Every problem is collected (not only the first), so the page can show each next to its field.
Photos are checked and cleaned here with ``workflow.reports.images.clean_image``, the same checks as
LINE photos get, before anything is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile

from workflow.reports.create import MAX_DESCRIPTION_CHARS
from workflow.reports.images import MAX_PHOTO_BYTES, CleanImage, ImageRejectedError, clean_image
from workflow.texts.resident import web as t
from workflow.web.reports import MAX_PHOTOS, WebReportSubmission

MAX_MB = MAX_PHOTO_BYTES // (1024 * 1024)


@dataclass(frozen=True)
class ReportFields:
    """The form's text fields as sent, to fill the form in again after an error."""

    category: str = ""
    lon: str = ""
    lat: str = ""
    urgent: str = ""  # "y" | "n" | ""
    description: str = ""
    attach: str = ""  # receipt number to join, or "" for a new report


@dataclass
class ParsedReport:
    fields: ReportFields
    errors: dict[str, str] = field(default_factory=dict)
    submission: WebReportSubmission | None = None
    photos_sent: bool = False


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _photo(upload: UploadFile, number: int) -> CleanImage | str:
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        return t.PHOTO_TOO_LARGE.format(number=number, max_mb=MAX_MB)
    try:
        return clean_image(data)
    except ImageRejectedError:
        return t.PHOTO_NOT_IMAGE.format(number=number)


def read_photos(uploads: list[UploadFile]) -> tuple[list[CleanImage], str | None]:
    """Clean the chosen photos (empty file inputs skipped); the first problem as an error."""
    chosen = [upload for upload in uploads if upload.filename]
    if len(chosen) > MAX_PHOTOS:
        return [], t.TOO_MANY_PHOTOS.format(max_photos=MAX_PHOTOS)
    images: list[CleanImage] = []
    for number, upload in enumerate(chosen, start=1):
        image = _photo(upload, number)
        if isinstance(image, str):
            return [], image
        images.append(image)
    return images, None


def _field_errors(flow: str, fields: ReportFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not fields.category:
        errors["category"] = t.CATEGORY_MISSING
    if flow == "disaster" and fields.urgent not in ("y", "n"):
        errors["urgent"] = t.URGENT_MISSING
    lon = _coordinate(fields.lon, -180.0, 180.0)
    lat = _coordinate(fields.lat, -90.0, 90.0)
    if lon is None or lat is None:
        errors["location"] = t.LOCATION_MISSING
    if len(fields.description.strip()) > MAX_DESCRIPTION_CHARS:
        errors["description"] = t.DESCRIPTION_TOO_LONG.format(max_chars=MAX_DESCRIPTION_CHARS)
    return errors


def parse_report_form(flow: str, fields: ReportFields, uploads: list[UploadFile]) -> ParsedReport:
    """Check the fields and photos of a submitted form.

    The result carries a ``submission`` only when there is no error at all.
    """
    parsed = ParsedReport(fields, _field_errors(flow, fields))
    parsed.photos_sent = any(upload.filename for upload in uploads)
    images, photo_error = read_photos(uploads)
    if photo_error is not None:
        parsed.errors["photos"] = photo_error
    if parsed.errors:
        return parsed
    parsed.submission = WebReportSubmission(
        flow=flow,
        category_code=fields.category,
        lon=float(fields.lon),
        lat=float(fields.lat),
        description=fields.description.strip() or None,
        urgent=(fields.urgent == "y") if flow == "disaster" else None,
        photos=tuple(images),
        attach_to_receipt_no=fields.attach.strip() or None,
    )
    return parsed
