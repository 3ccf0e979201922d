"""Step handlers of the report flows (road damage, disaster) and the shared location step."""

from __future__ import annotations

import dataclasses
import math

from api.line import messages, navigation, postback, prompts
from api.line.bulky import flows as flows_bulky
from api.line.model import (
    CheckLocation,
    DialogueContext,
    DialogueState,
    Flow,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    ReportDraft,
    Step,
    StepResult,
    SubmitReport,
)
from api.line.postback import Command
from api.line.stepspec import StepSpec
from workflow.texts.resident import line as texts

# --- category / urgent ---


def _after_category(flow: Flow) -> Step:
    return Step.URGENT if flow is Flow.DISASTER else Step.LOCATION


def _choose_category(state: DialogueState, code: str, ctx: DialogueContext) -> StepResult:
    codes = {choice.code for choice in prompts.categories_for(state.flow, ctx)}
    if code not in codes:
        return navigation.hint(state, ctx)
    return navigation.advance(state, _after_category(state.flow), ctx, category_code=code)


def category_command(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    return _choose_category(state, command.param("c"), ctx)


def category_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    by_name = {choice.name: choice.code for choice in prompts.categories_for(state.flow, ctx)}
    return _choose_category(state, by_name.get(text.strip(), ""), ctx)


def urgent_command(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    answer = command.param("v")
    if answer not in ("y", "n"):
        return navigation.hint(state, ctx)
    urgent = answer == "y"
    lead = [messages.text_message(texts.URGENT_ADVICE)] if urgent else []
    return navigation.advance(state, Step.LOCATION, ctx, lead=lead, urgent=urgent)


# --- location (shared with the bulky flow) ---


def _valid_point(lat: float, lon: float) -> bool:
    finite = math.isfinite(lat) and math.isfinite(lon)
    return finite and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def receive_location(
    state: DialogueState, event: LocationEvent, ctx: DialogueContext
) -> StepResult:
    """Ask the worker to check the point; its ``LocationChecked`` continues the dialogue."""
    if not _valid_point(event.lat, event.lon):
        return navigation.hint(state, ctx)
    checking = dataclasses.replace(
        state,
        step=Step.CHECKING,
        updated_at=ctx.now,
        lon=event.lon,
        lat=event.lat,
        address=event.address,
        district_name=None,
        nearby=(),
        attach_to_receipt_no=None,
    )
    bulky = state.flow is Flow.BULKY
    category = None if bulky else state.category_code
    check = CheckLocation(event.lon, event.lat, category, ctx.nearby_radius_m, zone=bulky)
    return StepResult(checking, [], [check])


def _outside(state: DialogueState, ctx: DialogueContext) -> StepResult:
    refused = dataclasses.replace(
        state, step=Step.LOCATION, lon=None, lat=None, address=None, updated_at=ctx.now
    )
    lead = texts.OUTSIDE_CITY.format(municipality=ctx.municipality_name, phone=ctx.city_phone)
    return navigation.hint(refused, ctx, lead)


def location_checked(
    state: DialogueState, checked: LocationChecked, ctx: DialogueContext
) -> StepResult:
    if not checked.inside or state.lon is None or state.lat is None:
        return _outside(state, ctx)
    address = checked.address or state.address
    if state.flow is Flow.BULKY:
        return flows_bulky.located(state, checked, ctx, address)
    located = dataclasses.replace(
        state, address=address, district_name=checked.district_name, nearby=checked.nearby
    )
    if prompts.nearby_shown(located, ctx):
        return navigation.advance(located, Step.NEARBY, ctx)
    return navigation.advance(located, Step.PHOTOS, ctx, nearby=())


# --- nearby open reports ---


def attach_command(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    receipt_no = command.param("r")
    if receipt_no not in {report.receipt_no for report in prompts.nearby_shown(state, ctx)}:
        return navigation.hint(state, ctx)
    lead = [messages.text_message(texts.ATTACHING.format(receipt_no=receipt_no))]
    return navigation.advance(state, Step.PHOTOS, ctx, lead=lead, attach_to_receipt_no=receipt_no)


def separate_command(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    return navigation.advance(state, Step.PHOTOS, ctx, attach_to_receipt_no=None)


# --- photos ---


def receive_photo(state: DialogueState, event: ImageEvent, ctx: DialogueContext) -> StepResult:
    photos = state.photo_message_ids
    if event.message_id not in photos:
        photos = (*photos, event.message_id)
    if len(photos) >= ctx.max_photos:
        lead = [messages.text_message(texts.PHOTOS_FULL.format(count=len(photos)))]
        return navigation.advance(
            state, Step.DESCRIPTION, ctx, lead=lead, photo_message_ids=photos[: ctx.max_photos]
        )
    return navigation.stay(state, ctx, photo_message_ids=photos)


def photos_done(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    return navigation.advance(state, Step.DESCRIPTION, ctx)


# --- description ---


def describe(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    description = text.strip()
    if not description:
        return navigation.hint(state, ctx)
    if len(description) > ctx.max_description_chars:
        lead = texts.HINT_DESCRIPTION_TOO_LONG.format(max_chars=ctx.max_description_chars)
        return navigation.hint(state, ctx, lead)
    return navigation.advance(state, Step.CONFIRM, ctx, description=description)


def no_description(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    return navigation.advance(state, Step.CONFIRM, ctx, description=None)


def late_photo(state: DialogueState, event: ImageEvent, ctx: DialogueContext) -> StepResult:
    """Keep a photo sent after the photo step (the rest of an image set) while room is left."""
    photos = state.photo_message_ids
    if event.message_id in photos:
        return navigation.hint(state, ctx)
    if len(photos) < ctx.max_photos:
        count = len(photos) + 1
        added = texts.PHOTO_ADDED.format(count=count, max_photos=ctx.max_photos)
        lead = [messages.text_message(added)]
        return navigation.stay(state, ctx, lead=lead, photo_message_ids=(*photos, event.message_id))
    too_many = texts.HINT_TOO_MANY_PHOTOS.format(max_photos=ctx.max_photos)
    return navigation.hint(state, ctx, f"{too_many}{texts.HINT_DESCRIPTION}")


# --- confirm ---


def draft_of(state: DialogueState) -> ReportDraft | None:
    """Return the report to create, or None when the state lacks a category or a point."""
    if state.category_code is None or state.lon is None or state.lat is None:
        return None
    return ReportDraft(
        kind="disaster" if state.flow is Flow.DISASTER else "road",
        category_code=state.category_code,
        lon=state.lon,
        lat=state.lat,
        address=state.address or state.district_name,
        photo_message_ids=state.photo_message_ids,
        description=state.description,
        urgent=bool(state.urgent),
        attach_to_receipt_no=state.attach_to_receipt_no,
    )


def submit(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    draft = draft_of(state)
    if draft is None or state.flow is Flow.BULKY:
        return navigation.cancel(ctx)
    return StepResult(None, [], [SubmitReport(draft)])


STEPS: dict[Step, StepSpec] = {
    Step.CATEGORY: StepSpec({postback.CATEGORY: category_command}, on_text=category_text),
    Step.URGENT: StepSpec({postback.URGENT: urgent_command}),
    Step.LOCATION: StepSpec(on_location=receive_location),
    Step.CHECKING: StepSpec(on_location=receive_location, on_checked=location_checked),
    Step.NEARBY: StepSpec({postback.ATTACH: attach_command, postback.SEPARATE: separate_command}),
    Step.PHOTOS: StepSpec(
        {postback.NO_PHOTO: photos_done, postback.PHOTOS_DONE: photos_done},
        on_image=receive_photo,
    ),
    Step.DESCRIPTION: StepSpec(
        {postback.NO_DESCRIPTION: no_description}, on_text=describe, on_image=late_photo
    ),
    Step.CONFIRM: StepSpec({postback.SEND: submit}),
}
