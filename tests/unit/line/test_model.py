from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from api.line import DialogueContext, DialogueState, Flow, NearbyReport, Step, load_state

JST = timezone(timedelta(hours=9))


def test_state_round_trips_through_json_with_every_field_set() -> None:
    state = DialogueState(
        flow=Flow.DISASTER,
        step=Step.CONFIRM,
        updated_at=datetime(2026, 11, 23, 10, 0, 30, 123456, tzinfo=JST),
        history=(Step.CATEGORY, Step.URGENT, Step.LOCATION, Step.NEARBY, Step.PHOTOS),
        category_code="flood",
        urgent=True,
        lon=139.4137,
        lat=35.6983,
        address="立川市錦町1-1",
        district_name="錦町一丁目",
        nearby=(NearbyReport("R-1", "冠水", 12.5),),
        attach_to_receipt_no="R-1",
        photo_message_ids=("1", "2"),
        description="道路が冠水しています",
    )
    raw = state.to_json()
    assert "錦町" in raw  # stored readable, not \\u-escaped
    restored = DialogueState.from_json(raw)
    assert restored == state
    assert restored.updated_at.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("raw", [None, "", "{}", "not json", '{"flow": "spaceship"}'])
def test_unreadable_stored_state_means_a_fresh_start(raw: str | None) -> None:
    assert load_state(raw) is None


def test_from_json_raises_value_error_on_garbage() -> None:
    with pytest.raises(ValueError):
        DialogueState.from_json('{"flow": "road"}')


def test_context_refuses_a_naive_clock() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DialogueContext(datetime(2026, 11, 23, 10, 0), False, (), (), "立川市", "042-523-2111")
