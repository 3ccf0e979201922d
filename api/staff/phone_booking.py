"""The staff phone-entry page (電話受付) for bulky-waste pickups.

The page only renders the form; it talks to the JSON API (items, calendar, bookings) with the
session cookie and the CSRF token from its ``<meta>`` tag.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.basemap import basemap_of
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.security import OptionalStaff
from api.templating import templates
from workflow.bookings.desk import require_bulky_desk
from workflow.bookings.place import MAX_ADDRESS_LINE_CHARS, MAX_PUT_OUT_NOTE_CHARS
from workflow.errors import ForbiddenError
from workflow.texts.resident.bulky import PUT_OUT_LABELS
from workflow.texts.sentences import error_text

router = APIRouter(tags=["staff pages"], include_in_schema=False)


@router.get("/staff/phone-booking", response_class=HTMLResponse)
def phone_booking_page(
    request: Request,
    who: OptionalStaff,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        require_bulky_desk(session, mid, who)
    except ForbiddenError as exc:
        return HTMLResponse(f"<p>{html.escape(error_text(exc))}</p>", status_code=403)
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "basemap": basemap_of(settings).config(),
        "put_out_labels": PUT_OUT_LABELS,
        "max_address_line": MAX_ADDRESS_LINE_CHARS,
        "max_put_out_note": MAX_PUT_OUT_NOTE_CHARS,
    }
    return templates.TemplateResponse(request, "staff/phone_booking.html", context)
