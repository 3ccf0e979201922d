"""The resident dialogue as a pure state machine: ``step(state, event, ctx) -> StepResult``.

No I/O: the worker stores ``StepResult.state`` (``to_json``), sends ``messages`` and performs
``actions``; the results of I/O come back as events (``LocationChecked``). See
``api/line/__init__.py`` for the full driving contract.
"""

from __future__ import annotations

from collections.abc import Callable

from api.line import flows_report, messages, navigation, postback, prompts
from api.line.bulky import changes as flows_change
from api.line.bulky import flows as flows_bulky
from api.line.bulky import whereabouts
from api.line.model import (
    DialogueContext,
    DialogueState,
    Event,
    Flow,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    PostbackEvent,
    ShowMyReports,
    Step,
    StepResult,
    TextEvent,
)
from api.line.postback import Command
from api.line.stepspec import StepSpec
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts

STEPS: dict[Step, StepSpec] = {
    **flows_report.STEPS,
    **whereabouts.STEPS,
    **flows_bulky.STEPS,
    **flows_change.STEPS,
}
_UNKNOWN = Command("")

_TEXT_COMMANDS: dict[str, Command] = {
    texts.LABEL_CANCEL: Command(postback.CANCEL),
    texts.LABEL_BACK: Command(postback.BACK),
    texts.LABEL_EDIT: Command(postback.BACK),
    texts.LABEL_EDIT_SHORT: Command(postback.BACK),
    texts.LABEL_MY_REPORTS: Command(postback.MY_REPORTS),
    texts.LABEL_ROAD: Command(postback.START, {"f": Flow.ROAD.value}),
    texts.LABEL_DISASTER: Command(postback.START, {"f": Flow.DISASTER.value}),
    texts.LABEL_BULKY: Command(postback.START, {"f": Flow.BULKY.value}),
    texts.LABEL_SEND: Command(postback.SEND),
    texts.LABEL_NO_PHOTO: Command(postback.NO_PHOTO),
    texts.LABEL_PHOTOS_DONE: Command(postback.PHOTOS_DONE),
    texts.LABEL_NO_DESCRIPTION: Command(postback.NO_DESCRIPTION),
    texts.LABEL_YES: Command(postback.URGENT, {"v": "y"}),
    texts.LABEL_NO: Command(postback.URGENT, {"v": "n"}),
    texts.LABEL_SEPARATE: Command(postback.SEPARATE),
    tb.LABEL_MY_BOOKINGS: Command(postback.MY_BOOKINGS),
    tb.LABEL_ADD_MORE: Command(postback.ADD_MORE),
    tb.LABEL_ITEMS_DONE: Command(postback.ITEMS_DONE),
    tb.LABEL_BOOK: Command(postback.BOOK),
    tb.LABEL_CANCEL_OK: Command(postback.CANCEL_OK),
    tb.LABEL_KEEP: Command(postback.KEEP),
}


def step(state: DialogueState | None, event: Event, ctx: DialogueContext) -> StepResult:
    """Advance the dialogue by one event; never raises, always answers (messages or actions)."""
    if state is not None and ctx.now - state.updated_at > ctx.idle_timeout:
        fresh = _dispatch(None, event, ctx)
        minutes = int(ctx.idle_timeout.total_seconds() // 60)
        notice = messages.text_message(texts.TIMED_OUT.format(minutes=minutes))
        return StepResult(fresh.state, [notice, *fresh.messages], fresh.actions)
    return _dispatch(state, event, ctx)


def _command_of(event: Event) -> Command | None:
    if isinstance(event, PostbackEvent):
        command = postback.decode_command(event.data) or _UNKNOWN
        if event.date is not None:  # a date picker: the date travels beside the data
            return Command(command.name, {**command.params, "d": event.date})
        return command
    if isinstance(event, TextEvent):
        return _TEXT_COMMANDS.get(event.text.strip())
    return None


def _dispatch(state: DialogueState | None, event: Event, ctx: DialogueContext) -> StepResult:
    command = _command_of(event)
    if command is not None and command.name in _GLOBAL:
        return _GLOBAL[command.name](state, command, ctx)
    if state is None:
        lead = texts.MENU_AFTER_UNKNOWN if isinstance(event, PostbackEvent) else texts.MENU
        return StepResult(None, [prompts.menu(ctx, lead)])
    return _in_step(state, event, command, ctx)


def _in_step(
    state: DialogueState, event: Event, command: Command | None, ctx: DialogueContext
) -> StepResult:
    spec = STEPS[state.step]
    if command is not None and command.name in spec.commands:
        return spec.commands[command.name](state, command, ctx)
    match event:
        case TextEvent(text=text) if spec.on_text is not None:
            return spec.on_text(state, text, ctx)
        case LocationEvent() if spec.on_location is not None:
            return spec.on_location(state, event, ctx)
        case ImageEvent() if spec.on_image is not None:
            return spec.on_image(state, event, ctx)
        case LocationChecked() if spec.on_checked is not None:
            return spec.on_checked(state, event, ctx)
    result_handler = spec.results.get(type(event))
    if result_handler is not None:
        return result_handler(state, event, ctx)
    if isinstance(event, PostbackEvent):
        return navigation.hint(state, ctx, texts.UNKNOWN_POSTBACK + prompts.HINTS[state.step])
    return navigation.hint(state, ctx)


# --- commands valid in every state ---

GlobalHandler = Callable[[DialogueState | None, Command, DialogueContext], StepResult]


def _cancel(_state: DialogueState | None, _command: Command, ctx: DialogueContext) -> StepResult:
    return navigation.cancel(ctx)


def _back(state: DialogueState | None, _command: Command, ctx: DialogueContext) -> StepResult:
    if state is None:
        return StepResult(None, [prompts.menu(ctx)])
    return navigation.back(state, ctx)


def _my_reports(
    state: DialogueState | None, _command: Command, _ctx: DialogueContext
) -> StepResult:
    # The open dialogue (if any) stays where it is; the resident can carry on after the list.
    return StepResult(state, [], [ShowMyReports()])


def _start_road(_state: DialogueState | None, ctx: DialogueContext) -> StepResult:
    if not ctx.road_categories:
        return StepResult(
            None, [prompts.menu(ctx, texts.NO_CATEGORIES.format(phone=ctx.city_phone))]
        )
    return navigation.start(Flow.ROAD, Step.CATEGORY, ctx)


def _start_disaster(state: DialogueState | None, ctx: DialogueContext) -> StepResult:
    if not ctx.disaster_mode or not ctx.disaster_categories:
        closed = texts.DISASTER_CLOSED.format(phone=ctx.city_phone)
        return StepResult(state, [prompts.menu(ctx, closed)])
    return navigation.start(Flow.DISASTER, Step.CATEGORY, ctx)


def _start_bulky(_state: DialogueState | None, ctx: DialogueContext) -> StepResult:
    return navigation.start(Flow.BULKY, Step.LOCATION, ctx)


_STARTS: dict[str, Callable[[DialogueState | None, DialogueContext], StepResult]] = {
    Flow.ROAD.value: _start_road,
    Flow.DISASTER.value: _start_disaster,
    Flow.BULKY.value: _start_bulky,
}


def _start(state: DialogueState | None, command: Command, ctx: DialogueContext) -> StepResult:
    start = _STARTS.get(command.param("f"))
    if start is not None:
        return start(state, ctx)
    if state is None:
        return StepResult(None, [prompts.menu(ctx, texts.MENU_AFTER_UNKNOWN)])
    return navigation.hint(state, ctx, texts.UNKNOWN_POSTBACK + prompts.HINTS[state.step])


_GLOBAL: dict[str, GlobalHandler] = {
    postback.CANCEL: _cancel,
    postback.BACK: _back,
    postback.MY_REPORTS: _my_reports,
    postback.START: _start,
    postback.MY_BOOKINGS: flows_change.my_bookings,
    postback.BOOKING_CANCEL: flows_change.open_cancel,
    postback.BOOKING_MOVE: flows_change.open_move,
}
