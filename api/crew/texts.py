"""Japanese text of the crew surface that is not in a template: the resident's 出ていない push."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from api.line.messages import text_message

NOT_OUT_NOTICE: Final = (
    "【粗大ごみ収集のお知らせ】\n"
    "受付番号 {receipt_no}\n"
    "{month}月{day}日に収集にうかがいましたが、お申し込みの品物が出ていなかったため、"
    "収集できませんでした。\n\n"
    "収集をご希望の場合は、お手数ですが、もう一度お申し込みください。"
    "このトークのメニュー「粗大ごみ」から、またはお電話（{phone}）で申し込めます。\n"
    "ご不明な点は、同じ電話番号までお問い合わせください。"
)


def not_out_notice(receipt_no: str, day: dt.date, phone: str) -> Sequence[dict[str, Any]]:
    """The push a resident gets when the crew found nothing put out on the collection day."""
    text = NOT_OUT_NOTICE.format(receipt_no=receipt_no, month=day.month, day=day.day, phone=phone)
    return [text_message(text)]
