"""Staff page of undelivered LINE messages: reason, attempts, first and last error, 「再送」.

Admins see every message; department staff those about their department's reports.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep
from api.security import DeskStaff
from api.templating import templates
from workflow.clock import TOKYO, now_tokyo
from workflow.errors import NotFoundError
from workflow.line.failures import list_undelivered, resend
from workflow.texts.staff import OUTBOX_PURPOSES_JA, OUTBOX_REASONS_JA

router = APIRouter(tags=["staff outbox"], include_in_schema=False)


@router.get("/staff/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, session: SessionDep, who: DeskStaff) -> Response:
    messages = list_undelivered(session, who, now_tokyo())
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "messages": messages,
        "tz": TOKYO,
        "purposes": OUTBOX_PURPOSES_JA,
        "reasons": OUTBOX_REASONS_JA,
        "notice": request.query_params.get("notice"),
    }
    return templates.TemplateResponse(request, "staff/outbox.html", context)


@router.post("/staff/outbox/{outbox_id}/resend")
def outbox_resend(session: SessionDep, who: DeskStaff, outbox_id: int) -> Response:
    try:
        resend(session, who, outbox_id, now_tokyo())
    except NotFoundError:
        return RedirectResponse("/staff/outbox?notice=missing", status_code=303)
    return RedirectResponse("/staff/outbox?notice=resent", status_code=303)
