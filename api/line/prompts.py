"""What the dialogue says at each step: the question, its quick replies, and hints."""

from __future__ import annotations

from collections.abc import Callable

from api.line import messages, postback
from api.line.bulky import prompts as prompts_bulky
from api.line.messages import QuickReplyItem, ReportSummary
from api.line.model import (
    CategoryChoice,
    DialogueContext,
    DialogueState,
    Flow,
    Message,
    NearbyReport,
    Step,
)
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts

MAX_CATEGORY_ITEMS = 12  # + やめる = 13, LINE's quick-reply limit
MAX_NEARBY_ITEMS = 3


def categories_for(flow: Flow, ctx: DialogueContext) -> tuple[CategoryChoice, ...]:
    choices = ctx.disaster_categories if flow is Flow.DISASTER else ctx.road_categories
    return choices[:MAX_CATEGORY_ITEMS]


def category_name(state: DialogueState, ctx: DialogueContext) -> str:
    all_choices = (*ctx.road_categories, *ctx.disaster_categories)
    names = {choice.code: choice.name for choice in all_choices}
    code = state.category_code or ""
    return names.get(code, code)


def menu_items(ctx: DialogueContext) -> list[QuickReplyItem]:
    items = [messages.postback_item(texts.LABEL_ROAD, postback.RICH_MENU_ROAD)]
    if ctx.disaster_mode:
        items.append(messages.postback_item(texts.LABEL_DISASTER, postback.RICH_MENU_DISASTER))
    items.append(messages.postback_item(texts.LABEL_BULKY, postback.RICH_MENU_BULKY))
    items.append(messages.postback_item(texts.LABEL_MY_REPORTS, postback.RICH_MENU_MY_REPORTS))
    items.append(messages.postback_item(tb.LABEL_MY_BOOKINGS, postback.RICH_MENU_MY_BOOKINGS))
    return items


def menu(ctx: DialogueContext, lead: str = texts.MENU) -> Message:
    return messages.text_message(lead, menu_items(ctx))


# --- quick replies per step ---


def _cancel() -> QuickReplyItem:
    return messages.command_item(texts.LABEL_CANCEL, postback.CANCEL)


def _back_cancel() -> list[QuickReplyItem]:
    return [messages.command_item(texts.LABEL_BACK, postback.BACK), _cancel()]


def _category_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    items = [
        messages.postback_item(
            choice.name, postback.encode_command(postback.CATEGORY, c=choice.code)
        )
        for choice in categories_for(state.flow, ctx)
    ]
    return [*items, _cancel()]


def _urgent_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [
        messages.command_item(texts.LABEL_YES, postback.URGENT, v="y"),
        messages.command_item(texts.LABEL_NO, postback.URGENT, v="n"),
        *_back_cancel(),
    ]


def _location_items(state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    if not state.history:
        return [messages.location_item(), _cancel()]
    return [messages.location_item(), *_back_cancel()]


def nearby_shown(state: DialogueState, ctx: DialogueContext) -> tuple[NearbyReport, ...]:
    close = [report for report in state.nearby if report.distance_m <= ctx.nearby_radius_m]
    return tuple(sorted(close, key=lambda report: report.distance_m)[:MAX_NEARBY_ITEMS])


def _attach_label(receipt_no: str, only_one: bool) -> str:
    return texts.LABEL_ATTACH if only_one else texts.LABEL_ATTACH_TO.format(receipt_no=receipt_no)


def _nearby_items(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    shown = nearby_shown(state, ctx)
    attach = [
        messages.postback_item(
            _attach_label(report.receipt_no, len(shown) == 1),
            postback.encode_command(postback.ATTACH, r=report.receipt_no),
            display_text=texts.ATTACH_DISPLAY.format(receipt_no=report.receipt_no),
        )
        for report in shown
    ]
    separate = messages.command_item(texts.LABEL_SEPARATE, postback.SEPARATE)
    return [*attach, separate, *_back_cancel()]


def _photo_items(state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    if state.photo_message_ids:
        finish = messages.command_item(texts.LABEL_PHOTOS_DONE, postback.PHOTOS_DONE)
    else:
        finish = messages.command_item(texts.LABEL_NO_PHOTO, postback.NO_PHOTO)
    return [messages.camera_item(), messages.camera_roll_item(), finish, *_back_cancel()]


def _description_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [messages.command_item(texts.LABEL_NO_DESCRIPTION, postback.NO_DESCRIPTION)] + (
        _back_cancel()
    )


def _confirm_items(_state: DialogueState, _ctx: DialogueContext) -> list[QuickReplyItem]:
    return [
        messages.command_item(texts.LABEL_SEND, postback.SEND),
        messages.command_item(texts.LABEL_EDIT, postback.BACK),
        _cancel(),
    ]


ItemsBuilder = Callable[[DialogueState, DialogueContext], list[QuickReplyItem]]

_ITEMS: dict[Step, ItemsBuilder] = {
    Step.CATEGORY: _category_items,
    Step.URGENT: _urgent_items,
    Step.LOCATION: _location_items,
    Step.CHECKING: _location_items,
    Step.NEARBY: _nearby_items,
    Step.PHOTOS: _photo_items,
    Step.DESCRIPTION: _description_items,
    Step.CONFIRM: _confirm_items,
    **prompts_bulky.ITEMS,
}


def quick_replies(state: DialogueState, ctx: DialogueContext) -> list[QuickReplyItem]:
    return _ITEMS[state.step](state, ctx)


# --- questions ---


def _category_question(state: DialogueState, _ctx: DialogueContext | None = None) -> str:
    return texts.ASK_DISASTER_CATEGORY if state.flow is Flow.DISASTER else texts.ASK_ROAD_CATEGORY


def _location_question(state: DialogueState, _ctx: DialogueContext) -> str:
    return texts.ASK_BULKY_LOCATION if state.flow is Flow.BULKY else texts.ASK_LOCATION


def _nearby_question(state: DialogueState, ctx: DialogueContext) -> str:
    shown = nearby_shown(state, ctx)
    lines = [texts.NEARBY_FOUND]
    for report in shown:
        distance = round(report.distance_m)
        lines.append(
            texts.NEARBY_ITEM.format(
                receipt_no=report.receipt_no, category=report.category_name, distance_m=distance
            )
        )
    lines.append(texts.NEARBY_QUESTION if len(shown) == 1 else texts.NEARBY_QUESTION_MANY)
    if ctx.public_map_url:
        lines.append(texts.NEARBY_MAP.format(url=ctx.public_map_url))
    return "\n".join(lines)


def _photos_question(state: DialogueState, ctx: DialogueContext) -> str:
    count = len(state.photo_message_ids)
    if count:
        return texts.PHOTO_RECEIVED.format(count=count, max_photos=ctx.max_photos)
    return texts.ASK_PHOTOS.format(max_photos=ctx.max_photos)


def _description_question(state: DialogueState, _ctx: DialogueContext) -> str:
    example = texts.EXAMPLE_DISASTER if state.flow is Flow.DISASTER else texts.EXAMPLE_ROAD
    return texts.ASK_DESCRIPTION.format(example=example)


def _fixed(text: str) -> Callable[[DialogueState, DialogueContext], str]:
    return lambda _state, _ctx: text


_QUESTIONS: dict[Step, Callable[[DialogueState, DialogueContext], str]] = {
    Step.CATEGORY: _category_question,
    Step.URGENT: _fixed(texts.ASK_URGENT),
    Step.LOCATION: _location_question,
    Step.CHECKING: _fixed(texts.HINT_CHECKING),
    Step.NEARBY: _nearby_question,
    Step.PHOTOS: _photos_question,
    Step.DESCRIPTION: _description_question,
    Step.CONFIRM: _fixed(texts.ASK_CONFIRM),
    **prompts_bulky.QUESTIONS,
}

HINTS: dict[Step, str] = {
    Step.CATEGORY: texts.HINT_CATEGORY,
    Step.URGENT: texts.HINT_URGENT,
    Step.LOCATION: texts.HINT_LOCATION,
    Step.CHECKING: texts.HINT_CHECKING,
    Step.NEARBY: texts.HINT_NEARBY,
    Step.PHOTOS: texts.HINT_PHOTOS,
    Step.DESCRIPTION: texts.HINT_DESCRIPTION,
    Step.CONFIRM: texts.HINT_CONFIRM,
    **prompts_bulky.HINTS,
}


def summary(state: DialogueState, ctx: DialogueContext) -> ReportSummary:
    return ReportSummary(
        category_name=category_name(state, ctx),
        place=state.address or state.district_name,
        lat=state.lat or 0.0,
        lon=state.lon or 0.0,
        photo_count=len(state.photo_message_ids),
        description=state.description,
        urgent=state.urgent if state.flow is Flow.DISASTER else None,
        attach_to_receipt_no=state.attach_to_receipt_no,
    )


def prompt(state: DialogueState, ctx: DialogueContext) -> Message:
    """Ask the question of the current step, with its quick replies."""
    items = quick_replies(state, ctx)
    if state.step is Step.CONFIRM:
        return messages.build_confirm(summary(state, ctx), items)
    if state.step is Step.BOOK_CONFIRM:
        return prompts_bulky.confirm(state, items)
    return messages.text_message(_QUESTIONS[state.step](state, ctx), items)


def hint(state: DialogueState, ctx: DialogueContext, lead: str | None = None) -> Message:
    """Re-ask the current step after unexpected input (``lead`` replaces the default hint)."""
    text = lead or HINTS[state.step]
    if state.step is Step.CATEGORY:
        text = f"{text}\n{_category_question(state, ctx)}"
    return messages.text_message(text, quick_replies(state, ctx))
