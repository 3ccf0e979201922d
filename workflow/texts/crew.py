"""What a collection crew member reads on the QR stop pages (the worksheets: ``print.texts``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

OUTCOME_LABELS_JA: Final = {"collected": "収集済", "not_out": "出ていない", "other": "その他"}
BAD_LINK: Final = (
    "このQRコードは無効です。作業票の印刷し直しが必要かもしれません。事務所にご連絡ください。"
)
PHOTO_REJECTED: Final = "写真を読み取れませんでした。撮り直すか、写真なしで記録してください。"
GONE: Final = "この停留所は見つかりません。計画が作り直されたため、新しい作業票をお使いください。"


def _link_not_yet_open(day: dt.date) -> str:
    return f"この作業票は{day.month}月{day.day}日の分です。記録は収集日の当日にできます。"


# Why a stop could not be recorded: one sentence per error code (see ``resident.errors``).
ERRORS: Final[Mapping[str, str | Callable[..., str]]] = MappingProxyType(
    {
        "outcome_missing": "結果を選んでください。",
        "crew_note_too_long": "メモは{max}文字以内でお願いします。",
        "crew_note_required": "「その他」の場合は、状況をメモに書いてください。",
        "stop_not_found": (
            "この作業票の停留所は見つかりません。計画が作り直された可能性があります。"
        ),
        "link_expired": "この作業票の期限が切れています。記録は事務所にご連絡ください。",
        "link_not_yet_open": _link_not_yet_open,
    }
)
