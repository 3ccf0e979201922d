"""Every word Open311 clients and the public map show (Japanese), by code."""

from __future__ import annotations

from typing import Final

SPECIFICATION_URL: Final = "http://wiki.open311.org/GeoReport_v2"

STATUS_LABELS: Final = {
    "received": "受付",
    "in_progress": "作業中",
    "done": "完了",
    "rejected": "対応不可",
    "duplicate": "重複",
}
KIND_GROUPS: Final = {"road": "道路・施設", "disaster": "災害", "other": "その他"}

ATTRIBUTE_TEXTS: Final = {
    "urgent": ("人命に関わりますか", "はい または いいえ"),
}
ATTRIBUTE_VALUE_NAMES: Final = {"yes": "はい", "no": "いいえ"}

SERVICE_DESCRIPTION: Final = "{name}（担当：{department}）"
SERVICE_NOTICE: Final = "受付番号 {receipt_no} で受け付けました。"
CONTACT: Final = "{name} {phone}"
KEY_SERVICE: Final = "APIキーは{name}の担当課が発行します（{phone}）。"

ERRORS: Final = {
    "required": "{field} を指定してください。",
    "malformed": "{field} の形式が正しくありません。",
    "too_long": "{field} は{max_chars}文字以内にしてください。",
    "location_missing": "lat と long、または address_string（町丁目名）を指定してください。",
    "address_unknown": "address_string の町丁目が見つかりません。",
    "service_code": "service_code「{code}」は受け付けていません。",
    "attribute": "{field} を指定してください（yes または no）。",
    "status": "status は open または closed を指定してください。",
    "date_order": "end_date は start_date より後にしてください。",
    "date_span": "期間は{days}日以内にしてください。",
    "outside_area": "指定の地点は市の区域外です。",
    "invalid_input": "{field} の内容を受け付けられません。",
    "not_found": "{field} の内容を受け付けられません。",
    "key_missing": "api_key を指定してください。",
    "key_refused": "api_key が正しくないか、無効になっています。",
    "jurisdiction": "jurisdiction_id「{value}」はこのサーバーでは扱っていません。",
    "service": "service_code「{code}」のサービスはありません。",
    "request": "service_request_id「{value}」の通報はありません。",
    "token": "この token の通報はありません。",
    "format": "形式は json または xml を指定してください。",
    "path": "このURLはありません。",
    "method": "このURLで使えるメソッドは {allow} です。",
    "rate_limited": "リクエストが多すぎます。{seconds}秒後にもう一度お試しください。",
}
FALLBACK_ERROR: Final = "リクエストを受け付けられません。"


def status_notes(status: str, note: str | None) -> str:
    """The Japanese status, with the note staff wrote for residents when there is one."""
    label = STATUS_LABELS.get(status, status)
    return f"{label}：{note}" if note else label


def error_text(reason: str, field: str | None, values: dict[str, object]) -> str:
    """The description of an error, filled with its field and values."""
    template = ERRORS.get(reason, FALLBACK_ERROR)
    try:
        return template.format(field=field or "", **values)
    except (KeyError, IndexError):
        return FALLBACK_ERROR
