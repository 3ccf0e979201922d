"""One dialogue turn with its I/O: ``step()``, then the actions it asks for, in one transaction.

The dialogue itself is pure (``api.line.dialogue``); this module performs its actions against
PostGIS through ``workflow`` and feeds the results back (``LocationChecked``), collecting every
message to send. Nothing here talks to LINE: the caller puts the messages in the outbox.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from api.line import messages, prompts
from api.line.bulky import conversation as conversation_bulky
from api.line.dialogue import step
from api.line.model import (
    Action,
    CategoryChoice,
    CheckLocation,
    DialogueContext,
    DialogueState,
    Event,
    LocationChecked,
    Message,
    NearbyReport,
    ReportDraft,
    ShowMyReports,
    StepResult,
    SubmitReport,
)
from api.line.turn import Turn, TurnResult
from workflow.bookings.calendar import BookingWindow
from workflow.errors import WorkflowError
from workflow.line import bookings as line_bookings
from workflow.line import reports as line_reports
from workflow.line.reports import DialogueFacts
from workflow.reports.create import ReportDraft as NewReport
from workflow.reports.create import create_report
from workflow.texts.resident import line as texts
from workflow.texts.sentences import error_text

__all__ = ["Turn", "TurnResult", "make_context", "take_turn"]


def make_context(
    facts: DialogueFacts,
    now: datetime,
    nearby_radius_m: float,
    public_map_url: str | None = None,
) -> DialogueContext:
    def choices(kind: str) -> tuple[CategoryChoice, ...]:
        return tuple(CategoryChoice(c.code, c.name) for c in facts.categories if c.kind == kind)

    window = BookingWindow()
    return DialogueContext(
        now=now,
        disaster_mode=facts.disaster_mode,
        road_categories=choices("road"),
        disaster_categories=choices("disaster"),
        municipality_name=facts.municipality_name,
        city_phone=facts.phone,
        nearby_radius_m=nearby_radius_m,
        public_map_url=public_map_url,
        booking_min_days=window.min_days_ahead,
        booking_max_days=window.max_days_ahead,
    )


def take_turn(turn: Turn, state: DialogueState | None, event: Event) -> TurnResult:
    """Run ``step`` and every action it (and its follow-up steps) asks for, in order."""
    first = step(state, event, turn.ctx)
    result = TurnResult(first.state, list(first.messages))
    pending: deque[Action] = deque(first.actions)
    while pending:
        follow_up = _perform(turn, pending.popleft(), result)
        if follow_up is not None:
            result.state = follow_up.state
            result.messages.extend(follow_up.messages)
            pending.extend(follow_up.actions)
    return result


def _perform(turn: Turn, action: Action, result: TurnResult) -> StepResult | None:
    match action:
        case CheckLocation():
            return step(result.state, _check_location(turn, action), turn.ctx)
        case SubmitReport(draft=draft):
            _submit(turn, draft, result)
        case ShowMyReports():
            result.messages.append(_my_reports(turn))
        case _:
            return conversation_bulky.perform(turn, action, result)
    return None


def _check_location(turn: Turn, action: CheckLocation) -> LocationChecked:
    place = line_reports.check_place(turn.session, turn.municipality_id, action.lon, action.lat)
    if not place.inside:
        return LocationChecked(inside=False)
    if action.zone:
        zone = line_bookings.zone_name_at(
            turn.session, turn.municipality_id, action.lon, action.lat
        )
        return LocationChecked(inside=True, district_name=place.district_name, zone_name=zone)
    nearby: tuple[NearbyReport, ...] = ()
    if action.category_code is not None:
        found = line_reports.find_nearby_open_reports(
            turn.session,
            turn.municipality_id,
            action.category_code,
            action.lon,
            action.lat,
            action.nearby_radius_m,
        )
        nearby = tuple(NearbyReport(r.receipt_no, r.category_name, r.distance_m) for r in found)
    return LocationChecked(inside=True, district_name=place.district_name, nearby=nearby)


def _category_name(turn: Turn, code: str) -> str:
    names = {category.code: category.name for category in turn.facts.categories}
    return names.get(code, code)


def _submit(turn: Turn, draft: ReportDraft, result: TurnResult) -> None:
    if draft.attach_to_receipt_no is not None:
        existing = line_reports.find_report_by_receipt(
            turn.session, turn.municipality_id, draft.attach_to_receipt_no
        )
        if existing is not None:
            _attach(turn, existing, draft, result)
            return
    new = NewReport(
        category_code=draft.category_code,
        lon=draft.lon,
        lat=draft.lat,
        channel="line",
        description=draft.description,
        address=draft.address,
        urgent=draft.urgent,
        resident_id=turn.resident_id,
    )
    try:
        report = create_report(turn.session, turn.municipality_id, new, turn.ctx.now)
    except WorkflowError as exc:  # e.g. the category was closed meanwhile: say so politely
        result.messages.append(prompts.menu(turn.ctx, error_text(exc)))
        return
    result.report_id = report.id
    result.photo_ids = line_reports.add_line_photos(
        turn.session, turn.municipality_id, report.id, draft.photo_message_ids
    )
    name = _category_name(turn, draft.category_code)
    result.messages.append(messages.build_receipt(report.receipt_no, name, report.address, "受付"))


def _attach(
    turn: Turn, existing: line_reports.ExistingReport, draft: ReportDraft, result: TurnResult
) -> None:
    line_reports.add_resident_note(
        turn.session, turn.municipality_id, existing.id, draft.description
    )
    result.report_id = existing.id
    result.photo_ids = line_reports.add_line_photos(
        turn.session, turn.municipality_id, existing.id, draft.photo_message_ids
    )
    added = texts.ADDED_TO_REPORT.format(receipt_no=existing.receipt_no)
    result.messages.append(messages.text_message(added))
    result.messages.append(
        messages.build_receipt(
            existing.receipt_no, existing.category_name, existing.address, existing.status
        )
    )


def _my_reports(turn: Turn) -> Message:
    rows = line_reports.list_resident_reports(turn.session, turn.municipality_id, turn.resident_id)
    reports = [
        messages.MyReport(r.receipt_no, r.category_name, r.status, r.reported_on) for r in rows
    ]
    return messages.build_my_reports(reports)
