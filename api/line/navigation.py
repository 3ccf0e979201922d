"""Moving between steps: forward with history, one step back, start, stay, hint."""

from __future__ import annotations

import dataclasses
from typing import Any

from api.line import prompts, texts
from api.line.model import (
    DialogueContext,
    DialogueState,
    Flow,
    Message,
    Step,
    StepResult,
)

# What each step collects; cleared when the resident goes back to that step.
_STEP_FIELDS: dict[Step, dict[str, Any]] = {
    Step.CATEGORY: {"category_code": None},
    Step.URGENT: {"urgent": None},
    Step.LOCATION: {
        "lon": None,
        "lat": None,
        "address": None,
        "district_name": None,
        "nearby": (),
        "attach_to_receipt_no": None,
    },
    Step.CHECKING: {},
    Step.NEARBY: {"attach_to_receipt_no": None},
    Step.PHOTOS: {"photo_message_ids": ()},
    Step.DESCRIPTION: {"description": None},
    Step.CONFIRM: {},
}


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
        **_STEP_FIELDS[previous],
    )
    return StepResult(moved, [prompts.prompt(moved, ctx)])


def cancel(ctx: DialogueContext) -> StepResult:
    return StepResult(None, [prompts.menu(ctx, texts.CANCELLED)])
