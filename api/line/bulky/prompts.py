"""What the bulky-waste booking says at each step: the question, its quick replies, hints.

Merged into ``prompts`` (which asks every step's question); nothing here changes state.
"""

from __future__ import annotations

from collections.abc import Callable

from api.line import messages, postback
from api.line.bulky import cart
from api.line.bulky import messages as messages_bulky
from api.line.bulky.model import ItemChoice
from api.line.messages import QuickReplyItem
from api.line.model import DialogueContext, DialogueState, Message, Step
from workflow.bookings.place import MAX_PUT_OUT_NOTE_CHARS
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts

MAX_ITEM_CHOICES = 10  # + もどる + やめる
MAX_DAY_CHOICES = 10  # + カレンダー + もどる + やめる = 13, LINE's quick-reply limit
MAX_QUANTITY_BUTTONS = 5

ItemsBuilder = Callable[[DialogueState, DialogueContext], list[QuickReplyItem]]
Question = Callable[[DialogueState, DialogueContext], str]


def remaining(state: DialogueState, ctx: DialogueContext) -> int:
    """Pieces the resident may still add to this booking."""
    return max(ctx.max_booking_items - cart.pieces(state.lines), 0)


def choice_label(choice: ItemChoice) -> str:
    """「ソファー（2人掛け以上） 500円」 with the name cut so that the fee always shows."""
    fee = cart.fee_text(choice.fee_yen)
    room = messages.MAX_LABEL_CHARS - len(fee) - 1
    name = choice.name if len(choice.name) <= room else choice.name[: room - 1] + "…"
    return tb.LABEL_ITEM.format(name=name, fee=fee)


# --- quick replies ---


def _cancel() -> QuickReplyItem:
    return messages.command_item(texts.LABEL_CANCEL, postback.CANCEL)


def _back_cancel() -> list[QuickReplyItem]:
    return [messages.command_item(texts.LABEL_BACK, postback.BACK), _cancel()]


def _put_out_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    places = [
        messages.command_item(label, postback.PUT_OUT, p=code)
        for code, label in tb.PUT_OUT_LABELS.items()
    ]
    return [*places, *_back_cancel()]


def _note_items(state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    if state.put_out == "other":  # the note is the place: nothing to skip
        return _back_cancel()
    return [messages.command_item(tb.LABEL_NO_NOTE, postback.NO_NOTE), *_back_cancel()]


def _item_items(state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    choices = [
        messages.postback_item(
            choice_label(choice),
            postback.encode_command(postback.ITEM, i=str(choice.item_id)),
            display_text=choice.name,
        )
        for choice in state.candidates[:MAX_ITEM_CHOICES]
    ]
    return [*choices, *_back_cancel()]


def _quantity_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    top = min(MAX_QUANTITY_BUTTONS, remaining(state, ctx))
    numbers = [
        messages.command_item(tb.LABEL_QUANTITY.format(quantity=n), postback.QUANTITY, n=str(n))
        for n in range(1, top + 1)
    ]
    return [*numbers, *_back_cancel()]


def _cart_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    items = [messages.command_item(tb.LABEL_ITEMS_DONE, postback.ITEMS_DONE)]
    if remaining(state, ctx) > 0:
        items.insert(0, messages.command_item(tb.LABEL_ADD_MORE, postback.ADD_MORE))
    return [*items, *_back_cancel()]


def _day_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    free = cart.bookable(state.days, except_day=state.booked_date)[:MAX_DAY_CHOICES]
    days = [
        messages.postback_item(
            cart.day_label(option.day),
            postback.encode_command(postback.DAY, d=option.day.isoformat()),
        )
        for option in free
    ]
    initial = free[0].day if free else ctx.first_bookable
    picker = messages.date_picker_item(
        tb.LABEL_PICK_DATE,
        postback.encode_command(postback.DAY),
        initial,
        ctx.first_bookable,
        ctx.last_bookable,
    )
    return [*days, picker]


def _date_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    return [*_day_items(state, ctx), *_back_cancel()]


def _move_date_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    return [*_day_items(state, ctx), _cancel()]


def _book_confirm_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [
        messages.command_item(tb.LABEL_BOOK, postback.BOOK),
        messages.command_item(texts.LABEL_EDIT, postback.BACK),
        _cancel(),
    ]


def _cancel_confirm_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [
        messages.command_item(tb.LABEL_CANCEL_OK, postback.CANCEL_OK),
        messages.command_item(tb.LABEL_KEEP, postback.KEEP),
    ]


def _only_cancel(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [_cancel()]


def _only_back_cancel(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return _back_cancel()


ITEMS: dict[Step, ItemsBuilder] = {
    Step.ADDRESS_LINE: _only_back_cancel,
    Step.PUT_OUT: _put_out_items,
    Step.PUT_OUT_NOTE: _note_items,
    Step.ITEM: _item_items,
    Step.QUANTITY: _quantity_items,
    Step.CART: _cart_items,
    Step.DATE: _date_items,
    Step.NAME: _only_back_cancel,
    Step.PHONE: _only_back_cancel,
    Step.BOOK_CONFIRM: _book_confirm_items,
    Step.OPENING: _only_cancel,
    Step.CANCEL_CONFIRM: _cancel_confirm_items,
    Step.MOVE_DATE: _move_date_items,
}


# --- questions ---


def _item_question(state: DialogueState, ctx: DialogueContext) -> str:
    if state.candidates:
        rows = [
            tb.CHOICE_LINE.format(name=c.name, fee=cart.fee_text(c.fee_yen))
            for c in state.candidates[:MAX_ITEM_CHOICES]
        ]
        return "\n".join([tb.CHOOSE_ITEM_PLAIN, *rows, tb.CHOOSE_ITEM_OTHER])
    if state.lines:
        return tb.ASK_NEXT_ITEM.format(remaining=remaining(state, ctx))
    return tb.ASK_ITEM.format(max_items=ctx.max_booking_items)


def _quantity_question(state: DialogueState, ctx: DialogueContext) -> str:
    item = state.pending_item
    if item is None:
        return tb.HINT_QUANTITY
    fee = cart.fee_text(item.fee_yen)
    return tb.ASK_QUANTITY.format(name=item.name, fee=fee, remaining=remaining(state, ctx))


def _cart_question(state: DialogueState, ctx: DialogueContext) -> str:
    if remaining(state, ctx) > 0:
        question = tb.CART_QUESTION
    else:
        full = tb.CART_FULL.format(max_items=ctx.max_booking_items)
        question = f"{full}{tb.CART_QUESTION_FULL}"
    return f"{cart.cart_text(state.lines)}\n{question}"


def _date_question(_state: DialogueState, ctx: DialogueContext) -> str:
    first, last = cart.day_label(ctx.first_bookable), cart.day_label(ctx.last_bookable)
    return tb.ASK_DATE.format(first=first, last=last)


def _cancel_question(state: DialogueState, _ctx: DialogueContext) -> str:
    day = cart.day_label(state.booked_date) if state.booked_date else ""
    return tb.ASK_CANCEL.format(receipt_no=state.receipt_no or "", date=day)


def _move_question(state: DialogueState, _ctx: DialogueContext) -> str:
    day = cart.day_label(state.booked_date) if state.booked_date else ""
    return tb.ASK_MOVE.format(receipt_no=state.receipt_no or "", date=day)


def _note_question(state: DialogueState, _ctx: DialogueContext) -> str:
    ask = tb.ASK_PUT_OUT_NOTE_OTHER if state.put_out == "other" else tb.ASK_PUT_OUT_NOTE
    return ask.format(max_chars=MAX_PUT_OUT_NOTE_CHARS)


def _fixed(text: str) -> Question:
    return lambda _state, _ctx: text


QUESTIONS: dict[Step, Question] = {
    Step.ADDRESS_LINE: _fixed(tb.ASK_ADDRESS_LINE),
    Step.PUT_OUT: _fixed(tb.ASK_PUT_OUT),
    Step.PUT_OUT_NOTE: _note_question,
    Step.ITEM: _item_question,
    Step.QUANTITY: _quantity_question,
    Step.CART: _cart_question,
    Step.DATE: _date_question,
    Step.NAME: _fixed(tb.ASK_NAME),
    Step.PHONE: _fixed(tb.ASK_PHONE),
    Step.BOOK_CONFIRM: _fixed(tb.ASK_BOOK_CONFIRM),
    Step.OPENING: _fixed(tb.HINT_OPENING),
    Step.CANCEL_CONFIRM: _cancel_question,
    Step.MOVE_DATE: _move_question,
}

HINTS: dict[Step, str] = {
    Step.ADDRESS_LINE: tb.HINT_ADDRESS_LINE,
    Step.PUT_OUT: tb.HINT_PUT_OUT,
    Step.PUT_OUT_NOTE: tb.HINT_PUT_OUT_NOTE,
    Step.ITEM: tb.HINT_ITEM,
    Step.QUANTITY: tb.HINT_QUANTITY,
    Step.CART: tb.HINT_CART,
    Step.DATE: tb.HINT_DATE,
    Step.NAME: tb.HINT_NAME,
    Step.PHONE: tb.HINT_PHONE,
    Step.BOOK_CONFIRM: tb.HINT_BOOK_CONFIRM,
    Step.OPENING: tb.HINT_OPENING,
    Step.CANCEL_CONFIRM: tb.HINT_CANCEL_CONFIRM,
    Step.MOVE_DATE: tb.HINT_DATE,
}


def confirm(state: DialogueState, items: list[QuickReplyItem]) -> Message:
    """The Flex summary of the booking about to be made."""
    summary = messages_bulky.BookingSummary(
        place=state.address or state.district_name,
        zone_name=state.zone_name,
        service_date=state.service_date,
        lines=cart.merged(state.lines),
        name=state.contact_name,
        phone=state.contact_phone,
        address_line=state.address_line,
        put_out=tb.put_out_text(state.put_out, state.put_out_note),
    )
    return messages_bulky.build_booking_confirm(summary, items)
