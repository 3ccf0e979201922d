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
