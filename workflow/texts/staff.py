"""What staff read: the desk's labels, exports, the disaster HQ and the use cases' refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from routing.problem import REASON_DEMAND, REASON_FLEET, REASON_SHIFTS, REASON_WINDOW

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
CSV_CONTACT_COLUMNS = ("氏名", "電話番号", "メール", "連絡先住所", "番地・建物名", "出す場所")

WEEKDAY_LABELS_JA = ("月", "火", "水", "木", "金", "土", "日")  # ISO order, Monday first
ALL_DEPARTMENTS_JA = "全課"
NO_DISTRICT_JA = "町丁目不明（区域の外れなど）"

# Notes on a report (its history and description) written by the system, read by staff.
ADDED_FROM_LINE_WITHOUT_TEXT = "（LINEで同じ場所の通報に追加されました。説明はありません）"
ADDED_FROM_WEB_WITHOUT_TEXT = "（ウェブで同じ場所の通報に追加されました。説明はありません）"
ROUTED_NOTE = "収集ルートに組み込みました"
DROPPED_NOTE = "再計画で収集ルートから外れました（要対応）"
NOT_OUT_NOTE = "収集日に品物が出ていませんでした（再申込が必要です）"

# Collection plans
UNASSIGNED_REASONS_JA = MappingProxyType(
    {
        REASON_DEMAND: "どの車両にも積めない大きさです",
        REASON_WINDOW: "勤務時間内にたどり着けません",
        REASON_FLEET: "車両の積載量が足りません",
        REASON_SHIFTS: "勤務時間内に回りきれません",
    }
)
PLAN_STATUS_JA = {"draft": "作成済（作業前）", "locked": "作業中（作り直し不可）"}
OUTCOME_NOT_RECORDED_JA = "未記録"
ROUTE_PICKUPS_JA = "{vehicle}（{count}件）"


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


def _plan_not_found(day: dt.date) -> str:
    return f"{day:%Y-%m-%d} の収集計画がありません。"


def _day_without_stops(day: dt.date) -> str:
    return f"{day:%Y-%m-%d} は収集する申込がないため、作業票はありません。"


# Why a use case refused a staff member: one sentence per error code (see ``resident.errors``).
ERRORS: Final[Mapping[str, str | Callable[..., str]]] = MappingProxyType(
    {
        # the desk: reports, photos, status changes, follow-ups
        "staff_only": STAFF_ONLY_JA,
        "report_not_found": "通報が見つかりません。",
        "outbox_message_not_found": "メッセージが見つかりません。",
        "report_other_department": "他の課の通報は表示・操作できません。",
        "report_change_other_department": "他の課の通報は操作できません。",
        "photo_not_found": "写真が見つかりません。",
        # map tiles (api/tiles.py)
        "tile_not_found": "その位置・縮尺の地図タイルはありません。",
        "tile_layer_not_found": "その地図レイヤーはありません。",
        "photo_file_missing": "写真のファイルがありません。",
        "transition_not_allowed": "「{from_status}」から「{to_status}」には変更できません。",
        "resident_unreachable": (
            "この通報者には LINE で連絡できません（LINE 以外の受付か、ブロックされています）。"
            "電話などで連絡してください。"
        ),
        "followup_length": "本文は1〜{max}文字で入力してください。",
        # trends
        "trends_other_department": "他の課の傾向は表示できません。",
        "department_unknown": "指定された課はありません。",
        "period_reversed": "期間の開始日は終了日より前にしてください。",
        "period_too_long": "期間は{max}日以内で指定してください。",
        # disaster HQ
        "disaster_hq_only": "災害対応の画面は、管理者と防災担当課の職員だけが利用できます。",
        "push_length": "本文は1〜{max}文字で入力してください（いま{length}文字）。",
        "districts_missing": "配信する町丁目を1つ以上選んでください。",
        "district_unknown": "存在しない町丁目が含まれています。",
        "district_ids_invalid": "町丁目の指定が正しくありません。",
        "confirmation_stale": CONFIRMATION_STALE_JA,
        "confirmation_mismatch": CONFIRMATION_MISMATCH_JA,
        # query parameters of the desk's JSON API ({field} is the parameter's name)
        "bbox_invalid": "bbox は「西経度,南緯度,東経度,北緯度」の4つの数値で指定してください。",
        "value_not_allowed": "{field} に使えない値です: {value}",
        "code_invalid": "{field} の指定が正しくありません。",
        "ids_invalid": "{field} は数値で指定してください。",
        "flag_invalid": "{field} は true か false で指定してください。",
        "date_invalid": "{field} は YYYY-MM-DD の形で指定してください。",
        "one_value_only": "{field} は1つだけ指定してください。",
        # bulky waste: the phone desk and booking changes
        "bulky_desk_only": "粗大ごみの受付は環境課の職員のみ行えます。",
        "bulky_change_only": "粗大ごみの予約は環境課の職員のみ変更できます。",
        "payment_status_unknown": "支払状況は unpaid / ticket / paid_online のいずれかです。",
        # collection plans
        "plans_bulky_only": "収集計画を扱う権限がありません（粗大ごみの担当課のみ）。",
        "plan_not_found": _plan_not_found,
        "day_without_stops": _day_without_stops,
        "plan_locked": "作業が始まった計画は作り直せません。",
        "plan_needs_fleet": "車両または清掃センターが登録されていません。",
    }
)

# Undelivered LINE messages (/staff/outbox)
OUTBOX_PURPOSES_JA = MappingProxyType(
    {
        "dialogue": "LINE の返信",
        "receipt": "受付のお知らせ",
        "status_change": "状況の変更",
        "reminder": "収集日のお知らせ",
        "follow_up": "職員からのメッセージ",
        "segment_push": "地区への一斉送信",
        "apology": "お詫び",
    }
)
OUTBOX_REASONS_JA = MappingProxyType(
    {
        "horizon": "送信期限切れ（LINE に届けられないまま期限を過ぎました）",
        "rejected": "LINE が受け付けませんでした（内容の誤り）",
    }
)

# The JSON API's refusal of text PostgreSQL cannot store (NUL, lone surrogates): api/input_guard.py.
INVALID_CHARACTERS_JA = (
    "使用できない文字（制御文字など）が含まれています。取り除いてから送信してください。"
)
# FastAPI's own 422 (a value outside the schema): api/errors.py names the field beside it.
INVALID_INPUT_JA = "入力内容に誤りがあります。項目を確認してください。"
