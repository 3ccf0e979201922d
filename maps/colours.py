"""The one status colour scheme (DESIGN.md): map, list, PDF and LINE all read it from here."""

from __future__ import annotations

from types import MappingProxyType

STATUS_COLOURS = MappingProxyType(
    {
        "received": "#d62728",  # 受付 red
        "in_progress": "#ff9f0e",  # 作業中 orange
        "done": "#2ca02c",  # 完了 green
        "rejected": "#7f7f7f",  # 対応不可 grey
        "duplicate": "#7f7f7f",  # 重複 grey
    }
)

STATUS_LABELS_JA = MappingProxyType(
    {
        "received": "受付",
        "in_progress": "作業中",
        "done": "完了",
        "rejected": "対応不可",
        "duplicate": "重複",
    }
)


def status_colour(status: str) -> str:
    """Hex colour of a report status; unknown statuses are grey."""
    return STATUS_COLOURS.get(status, "#7f7f7f")


# One colour per truck on route maps: Tableau hues that none of the status colours use.
TRUCK_COLOURS = (
    "#1f77b4",  # blue
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#393b79",  # navy
    "#bcbd22",  # olive
    "#006d6d",  # teal
    "#a0006e",  # magenta
    "#8c6d31",  # dark gold
)


def truck_colour(index: int) -> str:
    """Colour of the ``index``-th truck of a plan (cycles after ten trucks)."""
    return TRUCK_COLOURS[index % len(TRUCK_COLOURS)]
