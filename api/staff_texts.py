"""Japanese labels of the staff desk (one place for the desk's words)."""

from __future__ import annotations

from types import MappingProxyType

KIND_LABELS_JA = MappingProxyType(
    {"road": "道路", "disaster": "災害", "bulky": "粗大ごみ", "other": "その他"}
)
CHANNEL_LABELS_JA = MappingProxyType(
    {"line": "LINE", "web": "Webフォーム", "phone": "電話", "open311": "Open311"}
)
SORT_LABELS_JA = MappingProxyType(
    {
        "created_at": "受付日時",
        "updated_at": "更新日時",
        "status": "状態",
        "receipt_no": "受付番号",
        "category": "分類",
        "district": "町丁目",
    }
)
FOLLOWUP_PREFIX = "担当者からのご連絡（受付番号 {receipt_no}）：\n"

CSV_COLUMNS = (
    "受付番号", "状態", "種別", "分類", "町丁目", "場所", "受付経路", "受付日時", "更新日時",
    "緊急", "期限超過", "経度", "緯度", "内容",
)  # fmt: skip
CSV_CONTACT_COLUMNS = ("氏名", "電話番号", "メール", "連絡先住所")
