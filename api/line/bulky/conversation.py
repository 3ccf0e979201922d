"""The worker side of the bulky-waste booking: its actions performed through ``workflow``.

Each action's outcome goes back into the pure dialogue as an event (``ItemsFound``,
``DaysFound``, ``BookingDone`` / ``BookingRefused``, ``BookingOpened``, ``BookingChanged``);
only 「わたしの申込」 answers with a message directly, like 「わたしの通報」.
"""

from __future__ import annotations

from api.line import prompts
from api.line.bulky import messages as messages_bulky
from api.line.bulky import prompts as prompts_bulky
from api.line.bulky.model import (
    BookingChanged,
    BookingDone,
    BookingDraft,
    BookingOpened,
    BookingReceipt,
    BookingRefused,
    CancelBooking,
    CartLine,
    DayOption,
    DaysFound,
    ItemChoice,
    ItemRefusal,
    ItemsFound,
    LoadDays,
    MoveBooking,
    OpenBooking,
    SearchItems,
    ShowMyBookings,
    SubmitBooking,
)
from api.line.dialogue import step
from api.line.model import Action, Event, Message, StepResult
from api.line.turn import Turn, TurnResult
from workflow.bookings.book import BookingRequest, ItemLine
from workflow.bookings.calendar import ZoneDay
from workflow.bookings.place import Whereabouts
from workflow.bookings.views import BookingView, Contact, resident_bookings
from workflow.errors import WorkflowError
from workflow.line import bookings as line_bookings
from workflow.texts.resident.bulky import put_out_text
from workflow.texts.sentences import error_text


def perform(turn: Turn, action: Action, result: TurnResult) -> StepResult | None:
    """Perform one booking action; returns the dialogue's next step when it yields an event."""
    event: Event
    match action:
        case SearchItems(query=query):
            event = _items(turn, query)
        case LoadDays(lon=lon, lat=lat):
            event = DaysFound(_days_at(turn, lon, lat))
        case SubmitBooking(draft=draft):
            event = _submit(turn, draft, result)
        case ShowMyBookings():
            result.messages.append(_my_bookings(turn))
            return None
        case OpenBooking():
            event = _open(turn, action)
        case CancelBooking(receipt_no=receipt_no):
            event = _cancel(turn, receipt_no)
        case MoveBooking():
            event = _move(turn, action)
        case _:
            return None
    return step(result.state, event, turn.ctx)


def _items(turn: Turn, query: str) -> ItemsFound:
    hits = line_bookings.find_items(turn.session, turn.municipality_id, query)
    accepted = [h for h in hits if h.accepted]
    limit = prompts_bulky.MAX_ITEM_CHOICES
    return ItemsFound(
        query=query,
        choices=tuple(ItemChoice(h.id, h.name, h.fee_yen) for h in accepted[:limit]),
        refusals=tuple(
            ItemRefusal(h.name, h.refusal_reason, h.alternative) for h in hits if not h.accepted
        ),
        more=len(accepted) > limit,
    )


def _options(days: tuple[ZoneDay, ...]) -> tuple[DayOption, ...]:
    return tuple(DayOption(d.service_date, d.free, d.closed_reason) for d in days)


def _days_at(turn: Turn, lon: float, lat: float) -> tuple[DayOption, ...]:
    days = line_bookings.days_at(turn.session, turn.municipality_id, lon, lat, turn.ctx.now)
    return _options(days)


def _lines(view: BookingView) -> tuple[CartLine, ...]:
    return tuple(CartLine(x.item_id, x.name, x.fee_yen, x.quantity) for x in view.lines)


def _submit(turn: Turn, draft: BookingDraft, result: TurnResult) -> BookingDone | BookingRefused:
    request = BookingRequest(
        lon=draft.lon,
        lat=draft.lat,
        service_date=draft.service_date,
        items=tuple(ItemLine(line.item_id, line.quantity) for line in draft.lines),
        address=draft.address,
        contact=Contact(draft.name, draft.phone),
        whereabouts=Whereabouts(draft.address_line, draft.put_out, draft.put_out_note),
    )
    try:
        view = line_bookings.book_by_line(
            turn.session, turn.municipality_id, turn.resident_id, request, turn.ctx.now
        )
    except WorkflowError as exc:  # nothing was written (savepoint); say why, offer days again
        days = _days_at(turn, draft.lon, draft.lat)
        return BookingRefused(exc.code, error_text(exc), exc.field, days)
    result.report_id = view.report_id
    place = view.whereabouts
    receipt = BookingReceipt(
        receipt_no=view.receipt_no,
        service_date=view.service_date,
        lines=_lines(view),
        fee_total_yen=view.fee_total_yen,
        tickets=view.tickets,
        place=draft.address,
        change_deadline=view.change_deadline,
        address_line=place.address_line if place else None,
        put_out=place.put_out if place else None,
        put_out_note=place.put_out_note if place else None,
    )
    return BookingDone(receipt)


def _put_out_of(view: BookingView) -> str:
    place = view.whereabouts
    return put_out_text(place.put_out, place.put_out_note) if place else ""


def _my_bookings(turn: Turn) -> Message:
    views = resident_bookings(turn.session, turn.municipality_id, turn.resident_id, turn.ctx.now)
    bookings = [
        messages_bulky.MyBooking(
            receipt_no=v.receipt_no,
            service_date=v.service_date,
            items=tuple((line.name, line.quantity) for line in v.lines),
            fee_total_yen=v.fee_total_yen,
            status=v.report_status,
            changeable=v.changeable,
            deadline=v.change_deadline,
            address_line=v.whereabouts.address_line if v.whereabouts else None,
            put_out=_put_out_of(v),
        )
        for v in views
    ]
    menu = prompts.menu_items(turn.ctx)
    return messages_bulky.build_my_bookings(bookings, turn.facts.phone, menu)


def _open(turn: Turn, action: OpenBooking) -> BookingOpened:
    opened = line_bookings.open_booking(
        turn.session, turn.municipality_id, turn.resident_id, action.receipt_no, turn.ctx.now
    )
    if opened is None:
        return BookingOpened(action.receipt_no, action.change, found=False)
    view = opened.view
    return BookingOpened(
        receipt_no=action.receipt_no,
        change=action.change,
        found=True,
        service_date=view.service_date,
        changeable=view.changeable,
        deadline=view.change_deadline,
        days=_options(opened.days),
        status=view.status,
    )


def _cancel(turn: Turn, receipt_no: str) -> BookingChanged | BookingRefused:
    try:
        view = line_bookings.cancel_from_line(
            turn.session, turn.municipality_id, turn.resident_id, receipt_no, turn.ctx.now
        )
    except WorkflowError as exc:
        return BookingRefused(exc.code, error_text(exc), exc.field)
    return BookingChanged("cancel", receipt_no, view.service_date)


def _move(turn: Turn, action: MoveBooking) -> BookingChanged | BookingRefused:
    args = (turn.session, turn.municipality_id, turn.resident_id, action.receipt_no)
    try:
        view = line_bookings.move_from_line(*args, action.service_date, turn.ctx.now)
    except WorkflowError as exc:  # rolled back; read the days again for a new offer
        opened = line_bookings.open_booking(*args, turn.ctx.now)
        days = _options(opened.days) if opened else ()
        return BookingRefused(exc.code, error_text(exc), exc.field, days)
    return BookingChanged("move", action.receipt_no, view.service_date)
