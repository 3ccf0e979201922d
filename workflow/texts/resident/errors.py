"""Why a resident's report or booking was refused: one sentence per error code.

Keys are the ``code`` of ``workflow.errors`` errors; a value is a ``str.format`` template of the
error's ``params``, or a function of them where a value needs words (a fallback, a label).
Polite (です・ます) and specific: say what to do next, and whom to call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from workflow.texts.resident import booking, web, web_booking

CITY_HALL: Final = "市役所"  # whom to call when the data has no phone number
BOOKING_ACTIONS: Final = MappingProxyType({"cancel": "取消", "move": "日程変更"})
BOOKING_STATES: Final = MappingProxyType(
    {"cancelled": "取り消し済み", "collected": "収集済み", "not_out": "未排出で処理済み"}
)


def _item_not_accepted(name: str, reason: str | None) -> str:
    return f"「{name}」は{reason or booking.NOT_ACCEPTED}。"


def _day_closed(reason: str | None) -> str:
    return (
        f"その日は{reason or booking.CLOSED_DAY}のため収集をお休みします。別の日をお選びください。"
    )


def _outside_collection_area(town: str | None, phone: str | None) -> str:
    whom = f"{town}（{phone}）" if town else CITY_HALL
    return (
        "申し訳ありません。この場所は粗大ごみの収集地域の外のため、申込を受け付けできません。"
        f"お困りの場合は{whom}までお電話ください。"
    )


def _booking_not_booked(status: str) -> str:
    return f"この予約はすでに{BOOKING_STATES.get(status, status)}です。"


def _too_late(action: str, deadline: dt.datetime, phone: str | None) -> str:
    return booking.too_late_text(BOOKING_ACTIONS[action], deadline, phone or CITY_HALL)


ERRORS: Final[Mapping[str, str | Callable[..., str]]] = MappingProxyType(
    {
        # reports (LINE and the web form)
        "category_not_accepted": "選択された種類は受け付けていません。",
        "description_too_long": web.DESCRIPTION_TOO_LONG,
        "outside_municipality": (
            "申し訳ありません。{town}の区域外のため受け付けできません。"
            "お困りの場合は{phone}までお電話ください。"
        ),
        "flow_unknown": "受付の種類が正しくありません。最初からお願いします。",
        "disaster_closed": (
            "現在、災害情報の受付は行っておりません。道路や施設の損傷は「道路・施設の損傷」から"
            "通報できます。お急ぎの場合は{phone}までお電話ください。"
        ),
        "category_missing": web.CATEGORY_MISSING,
        "urgent_missing": web.URGENT_MISSING,
        "too_many_photos": web.TOO_MANY_PHOTOS,
        "attach_gone": (
            "追加先の通報（受付番号 {receipt_no}）は近くの受付中の通報ではなくなりました。"
            "「別の通報として送る」を選んでください。"
        ),
        # the status page
        "pin_refused": (
            "受付番号または確認番号（PIN）が正しくありません。お手元の控えをご確認ください。"
        ),
        "too_many_attempts": (
            "確認に続けて失敗したため、しばらく受け付けを止めています。"
            "{minutes}分ほどたってからもう一度お試しください。お急ぎの場合は{phone}までお電話ください。"
        ),
        # bulky-waste bookings
        "items_missing": "品目を1つ以上選んでください。",
        "quantity_out_of_range": "数量は1〜{max}でお願いします。",
        "too_many_items": "1回の申込は{max}点までです。",
        "item_not_found": "品目（ID {item_id}）が見つかりません。",
        "item_not_accepted": _item_not_accepted,
        "not_collection_day": "その日はこの地域の収集日ではありません。",
        "day_closed": _day_closed,
        "capacity_full": "申し訳ありません。その日は満枠です。別の日をお選びください。",
        "date_outside_window": "収集日は{first}から{last}までの日を選んでください。",
        "outside_collection_area": _outside_collection_area,
        "booking_not_found": "受付番号「{receipt_no}」の予約が見つかりません。",
        "booking_not_booked": _booking_not_booked,
        "too_late": _too_late,
        "same_date": "現在と同じ収集日です。別の日を選んでください。",
        "query_missing": "品目名を入力してください。",
        "query_too_long": "品目名は{max}文字以内で入力してください。",
        # contact details (LINE, web and the phone desk)
        "name_invalid": "お名前を{max}文字以内で入力してください。",
        "phone_invalid": "電話番号は市外局番から入力してください（例：042-523-2111）。",
        "address_too_long": "住所は{max}文字以内で入力してください。",
        # where exactly to collect (workflow/bookings/place.py)
        "address_line_missing": (
            "番地・建物名・部屋番号を入力してください（例：1-2-3 ○○ハイツ101）。"
        ),
        "address_line_too_long": "番地・建物名・部屋番号は{max}文字以内で入力してください。",
        "put_out_unknown": "出す場所を選んでください。",
        "put_out_note_missing": "「その他」を選んだ場合は、出す場所を具体的に入力してください。",
        "put_out_note_too_long": "出す場所の説明は{max}文字以内で入力してください。",
        "booking_note_too_long": "備考は{max}文字以内で入力してください。",
        # the web booking form (workflow/web/bookings.py)
        "location_missing": web_booking.LOCATION_MISSING,
        "service_date_missing": web_booking.DAY_MISSING,
    }
)
