"""Where exactly to collect, asked after the map pin: the address line, then the put-out place.

A 町丁目 is not enough for a crew to find the house. One question each: the address line
(番地・建物名・部屋番号, free text), the put-out place (quick replies with the four places),
then a short note: required after 「その他」, skippable with 「なし」 after the others. The
rules are the other channels' (``workflow.bookings.place``); a refusal says the same sentence.
"""

from __future__ import annotations

from api.line import navigation, postback
from api.line.model import DialogueContext, DialogueState, Step, StepResult
from api.line.postback import Command
from api.line.stepspec import StepSpec
from workflow.bookings.place import PUT_OUT_PLACES, check_address_line, check_put_out_note
from workflow.errors import InvalidInputError
from workflow.texts.resident import bulky as tb
from workflow.texts.sentences import error_text

_PLACE_BY_LABEL = {label: code for code, label in tb.PUT_OUT_LABELS.items()}


def address_line_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    try:
        line = check_address_line(text)
    except InvalidInputError as refused:
        return navigation.hint(state, ctx, error_text(refused))
    return navigation.advance(state, Step.PUT_OUT, ctx, address_line=line)


def _take_place(state: DialogueState, code: str, ctx: DialogueContext) -> StepResult:
    if code not in PUT_OUT_PLACES:
        return navigation.hint(state, ctx)
    return navigation.advance(state, Step.PUT_OUT_NOTE, ctx, put_out=code)


def put_out_command(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    return _take_place(state, command.param("p"), ctx)


def put_out_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    """A label typed instead of tapped (「玄関前」) counts as the tap."""
    return _take_place(state, _PLACE_BY_LABEL.get(text.strip(), ""), ctx)


def _take_note(state: DialogueState, raw: str | None, ctx: DialogueContext) -> StepResult:
    try:
        note = check_put_out_note(state.put_out, raw)
    except InvalidInputError as refused:
        return navigation.hint(state, ctx, error_text(refused))
    return navigation.advance(state, Step.ITEM, ctx, put_out_note=note, candidates=())


def note_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    if state.put_out is None:
        return navigation.hint(state, ctx)
    return _take_note(state, None if text.strip() == tb.LABEL_NO_NOTE else text, ctx)


def no_note(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    if state.put_out is None:
        return navigation.hint(state, ctx)
    return _take_note(state, None, ctx)


STEPS: dict[Step, StepSpec] = {
    Step.ADDRESS_LINE: StepSpec(on_text=address_line_text),
    Step.PUT_OUT: StepSpec({postback.PUT_OUT: put_out_command}, on_text=put_out_text),
    Step.PUT_OUT_NOTE: StepSpec({postback.NO_NOTE: no_note}, on_text=note_text),
}
