"""京丹後市's bulky-waste catalogue from its 5374 sorting list (``target.csv``).

The 可燃性粗大ごみ and 不燃性粗大ごみ rows are the items collected, the 受入れできないもの
rows the items refused (their notice says where to take them). Names, classes and notices are
the city's; the fees and sizes are SYNTHETIC (the data has none), see ``kyotango_data``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from geo.models import BulkyItem
from workflow.bookings.textnorm import normalize_ja
from workflow.demo import kyotango_data as d

TYPE, NAME, NOTICE = "type", "name", "notice"


def synthetic_fee(item_type: str, name: str) -> tuple[int, int]:
    """(fee in yen, size points) for a collected item: by class, more for large furniture."""
    if any(word in name for word in d.LARGE_ITEM_WORDS):
        return d.LARGE_ITEM_FEE
    return next((fee, size) for t, fee, size in d.BULKY_TYPES if t == item_type)


def _collected(mid: int, row: dict[str, str]) -> BulkyItem:
    name, notice = row[NAME].strip(), row[NOTICE].strip()
    fee, size = synthetic_fee(row[TYPE], name)
    return BulkyItem(
        municipality_id=mid,
        name=name,
        kana=None,
        synonyms=[],
        search_key=normalize_ja(name),
        fee_yen=fee,
        fee_points=None,
        size_points=size,
        accepted=True,
        sorting_class=row[TYPE],
        refusal_reason=None,
        alternative=None,
        note=" ".join(x for x in (notice, d.SYNTHETIC_FEE_NOTE) if x),
        source="official",
    )


def _refused(mid: int, row: dict[str, str]) -> BulkyItem:
    name = row[NAME].strip()
    return BulkyItem(
        municipality_id=mid,
        name=name,
        kana=None,
        synonyms=[],
        search_key=normalize_ja(name),
        fee_yen=None,
        fee_points=None,
        size_points=1,
        accepted=False,
        sorting_class=row[TYPE],
        refusal_reason=d.REFUSAL_REASON,
        alternative=row[NOTICE].strip() or d.DEFAULT_ALTERNATIVE,
        note=None,
        source="official",
    )


def load_kyotango_items(session: Session, mid: int, target_csv: Path) -> int:
    """Add the bulky-waste rows of the sorting list; returns how many were added.

    Args:
        session: open session inside the demo load's transaction.
        mid: municipality id.
        target_csv: the 5374 ``target.csv`` (columns type, name, notice, furigana).
    """
    collected = {t for t, _, _ in d.BULKY_TYPES}
    with target_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    items = [
        _collected(mid, r) if r[TYPE] in collected else _refused(mid, r)
        for r in rows
        if r[TYPE] in collected or r[TYPE] == d.REFUSED_TYPE
    ]
    session.add_all(items)
    return len(items)
