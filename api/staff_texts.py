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

WEEKDAY_LABELS_JA = ("月", "火", "水", "木", "金", "土", "日")  # ISO order, Monday first
ALL_DEPARTMENTS_JA = "全課"
NO_DISTRICT_JA = "町丁目不明（区域の外れなど）"


def hours_ja(hours: float | None) -> str:
    """A duration for people: hours under two days, days above; a dash when unknown."""
    if hours is None:
        return "—"
    if hours < 48:
        return f"{hours:.1f} 時間"
    return f"{hours / 24:.1f} 日"


STAFF_ONLY_JA = "この画面は職員のみ利用できます。"

# Disaster HQ (災害対応)
DISASTER_PUSH_HEADER = "【{town} 災害対策本部からのお知らせ】\n"
DISASTER_ACTION_LABELS_JA = MappingProxyType(
    {"mode_on": "災害モードを開始", "mode_off": "災害モードを終了", "segment_push": "地区別配信"}
)
CONFIRMATION_STALE_JA = (
    "確認の有効期限（{minutes}分）が切れました。もう一度、対象人数を確認してください。"
)
CONFIRMATION_MISMATCH_JA = (
    "確認した内容と送信内容が違います。もう一度、対象人数を確認してください。"
)

# The JSON API's refusal of text PostgreSQL cannot store (NUL, lone surrogates): api.input_guard.
INVALID_CHARACTERS_JA = (
    "使用できない文字（制御文字など）が含まれています。取り除いてから送信してください。"
)
# FastAPI's own 422 (a value outside the schema): api.errors names the field beside it.
INVALID_INPUT_JA = "入力内容に誤りがあります。項目を確認してください。"
