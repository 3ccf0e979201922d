"""Trends -> JSON for the API, and the figures the trends page draws (no SQL, no rules)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from maps.district_map import DistrictValue
from workflow.desk.choices import DepartmentChoice
from workflow.desk.trends import Trends
from workflow.texts.staff import KIND_LABELS_JA, WEEKDAY_LABELS_JA


def department_json(department: DepartmentChoice | None) -> dict[str, str] | None:
    return None if department is None else {"code": department.code, "name": department.name}


def trends_json(t: Trends) -> dict[str, Any]:
    """The trends of a period as the JSON API answers them."""
    overall = t.overall
    return {
        "period": {"from": t.period_from.isoformat(), "to": t.period_to.isoformat()},
        "department": department_json(t.department),
        "counts": asdict(overall.counts),
        "median_hours_to_done": overall.median_hours_to_done,
        "by_category_status": [
            {
                "category": c.code,
                "name": c.name,
                "kind": c.kind,
                "kind_label": KIND_LABELS_JA.get(c.kind, c.kind),
                "counts": asdict(c.counts),
                "median_hours_to_done": c.median_hours_to_done,
            }
            for c in t.categories
        ],
        "by_weekday": [
            {"weekday": i + 1, "label": WEEKDAY_LABELS_JA[i], "count": n}
            for i, n in enumerate(t.by_weekday)
        ],
        "by_hour": [{"hour": h, "count": n} for h, n in enumerate(t.by_hour)],
        "by_district": [
            {"id": d.id, "code": d.code, "name": d.name, "town": d.town, "count": d.count}
            for d in t.districts
        ],
        "without_district": overall.without_district,
    }


def choropleth_values(t: Trends, shapes: dict[int, tuple[str, bool]]) -> list[DistrictValue]:
    """Districts with their polygons (``shapes``: id -> (GeoJSON, approximate)) and counts."""
    return [
        DistrictValue(d.id, d.name, shapes[d.id][0], d.count, shapes[d.id][1])
        for d in t.districts
        if d.id in shapes
    ]


def hour_bars(counts: list[int], width: int = 600, height: int = 150) -> list[dict[str, Any]]:
    """SVG bars of the hourly counts: x, y, width, height per hour (24), scaled to the max."""
    top = max(counts) or 1
    step = width / len(counts)
    bars = []
    for hour, n in enumerate(counts):
        h = round(n / top * height, 1)
        bars.append(
            {"hour": hour, "count": n, "x": round(hour * step + 2, 1), "w": round(step - 4, 1),
             "y": round(height - h, 1), "h": h}
        )  # fmt: skip
    return bars
