"""The demo town's bulky-waste catalogue: the official fee table plus supplemented items.

The official extract (立川市「ごみ分別」) lacks common items (ソファー, たんす) and the
家電リサイクル法 items; ``workflow.demo.data`` adds them as ``source = supplement``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from geo.models import BulkyItem
from workflow.bookings.textnorm import normalize_ja
from workflow.demo import data as d


def _official_item(mid: int, row: dict[str, str]) -> BulkyItem:
    name, klass, points = row["品目"], row["分別区分"], row["ポイント"].strip()
    accepted = klass == "粗大ごみ"
    low = int(points.split("～")[0]) if points else None
    note = row["注意点_抜粋"] or None
    if points and "～" in points:
        note = f"{points}ポイント（大きさによる）" + (f"。{note}" if note else "")
    return BulkyItem(
        municipality_id=mid,
        name=name,
        kana=None,
        synonyms=[],
        search_key=normalize_ja(name),
        fee_yen=int(row["粗大ごみ回収料金_円"]) if accepted else None,
        fee_points=low,
        size_points=max(1, min(low or 1, 6)),
        accepted=accepted,
        sorting_class=klass,
        refusal_reason=None if accepted else "市では収集できません",
        alternative=None
        if accepted
        else (row["注意点_抜粋"] or "販売店又は専門業者に依頼してください"),
        note=note,
        source="official",
    )


def load_items(session: Session, mid: int, fee_table: Path) -> None:
    """Add the bulky-waste catalogue: the official fee table, then the supplements it lacks.

    Args:
        session: open session inside the demo load's transaction.
        mid: municipality id.
        fee_table: the official 「ごみ分別」 CSV extract.
    """
    with fee_table.open(encoding="utf-8") as fh:
        official = [_official_item(mid, row) for row in csv.DictReader(fh)]
    session.add_all(official)
    names = {i.name for i in official}
    for name, kana, synonyms, fee, size in d.SUPPLEMENT_ITEMS:
        if name not in names:
            session.add(_supplement(mid, name, kana, synonyms, fee, size, None, None))
    for name, kana, synonyms, reason, alternative in d.REFUSED_ITEMS:
        if name not in names:
            session.add(_supplement(mid, name, kana, synonyms, None, 0, reason, alternative))


def _supplement(
    mid: int,
    name: str,
    kana: str,
    synonyms: tuple[str, ...],
    fee: int | None,
    size: int,
    reason: str | None,
    alternative: str | None,
) -> BulkyItem:
    key = " ".join(normalize_ja(x) for x in (name, kana, *synonyms))
    return BulkyItem(
        municipality_id=mid,
        name=name,
        kana=kana,
        synonyms=list(synonyms),
        search_key=key,
        fee_yen=fee,
        fee_points=fee // 100 if fee else None,
        size_points=max(size, 1),
        accepted=reason is None,
        sorting_class="粗大ごみ" if reason is None else "家電リサイクル法対象品等",
        refusal_reason=reason,
        alternative=alternative,
        note="公式品目表の抜粋にない品目の補足（料金は目安）",
        source="supplement",
    )
