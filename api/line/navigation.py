"""Moving between steps: forward with history, one step back, start, stay, hint."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from api.line import prompts
from api.line.bulky.model import ItemChoice
from api.line.model import (
    DialogueContext,
    DialogueState,
    Flow,
    Message,
    Step,
    StepResult,
)
from workflow.texts.resident import line as texts

Fields = dict[str, Any]


def _undo_last_line(state: DialogueState) -> Fields:
    # Back to the quantity question: the line it added is taken off again.
    if not state.lines:
        return {"pending_item": None}
    last = state.lines[-1]
    undone = ItemChoice(last.item_id, last.name, last.fee_yen)
    return {"lines": state.lines[:-1], "pending_item": undone}


# What each step collects; cleared (or undone) when the resident goes back to that step.
_STEP_FIELDS: dict[Step, Fields | Callable[[DialogueState], Fields]] = {
    Step.CATEGORY: {"category_code": None},
    Step.URGENT: {"urgent": None},
    Step.LOCATION: {
        "lon": None,
        "lat": None,
        "address": None,
        "district_name": None,
        "nearby": (),
        "attach_to_receipt_no": None,
        "zone_name": None,
    },
    Step.CHECKING: {},
    Step.NEARBY: {"attach_to_receipt_no": None},
    Step.PHOTOS: {"photo_message_ids": ()},
    Step.DESCRIPTION: {"description": None},
    Step.CONFIRM: {},
    Step.ADDRESS_LINE: {"address_line": None},
    Step.PUT_OUT: {"put_out": None},
    Step.PUT_OUT_NOTE: {"put_out_note": None},
    Step.ITEM: {"candidates": (), "pending_item": None},
    Step.QUANTITY: _undo_last_line,
    Step.CART: {"days": ()},
    Step.DATE: {"service_date": None},
    Step.NAME: {"contact_name": None},
    Step.PHONE: {"contact_phone": None},
    Step.BOOK_CONFIRM: {},
    Step.OPENING: {},
    Step.CANCEL_CONFIRM: {},
    Step.MOVE_DATE: {"service_date": None},
}


def _cleared(step: Step, state: DialogueState) -> Fields:
    fields = _STEP_FIELDS[step]
    return fields(state) if callable(fields) else fields


def start(flow: Flow, first: Step, ctx: DialogueContext) -> StepResult:
    state = DialogueState(flow=flow, step=first, updated_at=ctx.now)
    return StepResult(state, [prompts.prompt(state, ctx)])


def _answered(step: Step) -> Step:
    # CHECKING is the tail of the location step; history records the question answered.
    return Step.LOCATION if step is Step.CHECKING else step


def advance(
    state: DialogueState,
    next_step: Step,
    ctx: DialogueContext,
    lead: list[Message] | None = None,
    **changes: Any,
) -> StepResult:
    """Record the current step in the history, move to ``next_step`` and ask its question."""
    moved = dataclasses.replace(
        state,
        step=next_step,
        history=(*state.history, _answered(state.step)),
        updated_at=ctx.now,
        **changes,
    )
    return StepResult(moved, [*(lead or []), prompts.prompt(moved, ctx)])


def advance_to(
    state: DialogueState, next_step: Step, ctx: DialogueContext, **changes: Any
) -> StepResult:
    """Move to ``next_step`` without recording the current (transient) step in the history."""
    moved = dataclasses.replace(state, step=next_step, updated_at=ctx.now, **changes)
    return StepResult(moved, [prompts.prompt(moved, ctx)])


def stay(
    state: DialogueState, ctx: DialogueContext, lead: list[Message] | None = None, **changes: Any
) -> StepResult:
    """Keep the step (new data may have arrived) and ask its question again."""
    kept = dataclasses.replace(state, updated_at=ctx.now, **changes)
    return StepResult(kept, [*(lead or []), prompts.prompt(kept, ctx)])


def hint(state: DialogueState, ctx: DialogueContext, lead: str | None = None) -> StepResult:
    """Unexpected input: keep the step (the resident is active) and show the step's hint."""
    kept = dataclasses.replace(state, updated_at=ctx.now)
    return StepResult(kept, [prompts.hint(kept, ctx, lead)])


def back(state: DialogueState, ctx: DialogueContext) -> StepResult:
    """Return to the previous question, forgetting its answer; from the first one, the menu."""
    if not state.history:
        return StepResult(None, [prompts.menu(ctx, texts.CANCELLED)])
    previous = state.history[-1]
    moved = dataclasses.replace(
        state,
        step=previous,
        history=state.history[:-1],
        updated_at=ctx.now,
        **_cleared(previous, state),
    )
    return StepResult(moved, [prompts.prompt(moved, ctx)])


def cancel(ctx: DialogueContext) -> StepResult:
    return StepResult(None, [prompts.menu(ctx, texts.CANCELLED)])
