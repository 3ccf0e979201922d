"""The warning about a nearby open report links the public map, when the context has its URL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from api.line import (
    CategoryChoice,
    DialogueContext,
    LocationChecked,
    LocationEvent,
    NearbyReport,
    PostbackEvent,
    Step,
    step,
)

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=9)))
ROAD = (CategoryChoice("pothole", "道路の穴・段差"),)
MAP_URL = "https://machi.example.jp/map"


def _nearby_warning(ctx: DialogueContext) -> str:
    result = step(None, PostbackEvent("flow=road"), ctx)
    data = next(
        item["action"]["data"]
        for item in result.messages[-1]["quickReply"]["items"]
        if item["action"].get("label") == "道路の穴・段差"
    )
    result = step(result.state, PostbackEvent(data), ctx)
    result = step(result.state, LocationEvent(lat=35.6983, lon=139.4137), ctx)
    nearby = (NearbyReport("R-000123", "道路の穴・段差", 12.0),)
    checked = LocationChecked(inside=True, district_name="錦町一丁目", nearby=nearby)
    result = step(result.state, checked, ctx)
    assert result.state is not None and result.state.step is Step.NEARBY
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in result.messages)


def test_the_nearby_warning_links_the_public_map() -> None:
    ctx = DialogueContext(NOW, False, ROAD, (), "立川市", "042-523-2111")
    assert MAP_URL not in _nearby_warning(ctx)
    warned = _nearby_warning(replace(ctx, public_map_url=MAP_URL))
    assert "R-000123" in warned and f"地図でも確認できます：{MAP_URL}" in warned
