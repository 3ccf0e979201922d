"""Every Japanese sentence of a bulky-waste booking: receipt, put-out rules, tickets, reminders.

One catalogue for the phone desk, the JSON API and the LINE reminders. LINE messages are plain
text message objects (``{"type": "text", "text": ...}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WEEKDAYS_JA = "月火水木金土日"
YEAR_END_HOLIDAYS = "年末年始"  # the closed reason of 12/29 to 1/3
CLOSED_DAY = "休業日"  # a closed collection day without a named reason
NOT_ACCEPTED = "市では収集できません"  # an item refused without a stated reason
ITEM_ACCEPTED = "「{name}」は粗大ごみとして収集できます（手数料 {fee}）。"
FEE_ON_REQUEST = "料金はお問い合わせください"

PUT_OUT_INSTRUCTIONS = (
    "収集日の朝8時30分までに、指定の場所に出してください。",
    "戸建ての方は玄関先など道路から見える場所に、集合住宅の方は管理者が指定する場所に出してください。",
    "品目ごとに処理券を貼り、処理券に受付番号を記入してください。",
    "収集の立ち会いは不要です。申込のない品目は収集できません。",
)
CHANGE_RULE = "取消・日程変更は、収集日の2開庁日前の17時まで受け付けます。"
CANCEL_NOTE = "予約取消（{by}）。収集枠を戻しました。"
RESCHEDULE_NOTE = "収集日変更：{old} → {new}（{by}）"
PAYMENT_LABELS = {"unpaid": "未払い", "ticket": "処理券", "paid_online": "オンライン決済済み"}


@dataclass(frozen=True)
class ReminderFacts:
    """What a reminder says about one booking."""

    receipt_no: str
    service_date: dt.date
    items: Sequence[tuple[str, int]]  # (item name, quantity)
    fee_total_yen: int
    tickets: tuple[int, int]  # (1000円券, 300円券)


def item_explanation(
    name: str, fee_yen: int | None, reason: str | None, alternative: str | None, accepted: bool
) -> str:
    """One sentence for a chat or a clerk: the fee, or why not and where to go."""
    if accepted:
        fee = f"{fee_yen:,}円" if fee_yen is not None else FEE_ON_REQUEST
        return ITEM_ACCEPTED.format(name=name, fee=fee)
    return f"「{name}」は{reason or NOT_ACCEPTED}。{alternative or ''}"


def date_ja(day: dt.date) -> str:
    """「12月3日（木）」."""
    return f"{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def deadline_ja(moment: dt.datetime) -> str:
    """「12月1日（火）17時00分」 (the moment in its own time zone)."""
    return f"{date_ja(moment.date())}{moment.hour}時{moment.minute:02d}分"


def ticket_text(tickets: tuple[int, int]) -> str:
    """How many 処理券 to buy and where to put them."""
    thousand, three_hundred = tickets
    parts = [f"1,000円券 {thousand}枚"] if thousand else []
    parts += [f"300円券 {three_hundred}枚"] if three_hundred else []
    if not parts:
        return "処理券は不要です。"
    return (
        f"処理券（{'、'.join(parts)}、計{tickets_yen(tickets):,}円）を市内の取扱店でお求めのうえ、"
        "品目に貼って受付番号を記入してください。"
    )


def tickets_yen(tickets: tuple[int, int]) -> int:
    """What the tickets cost: the city sells points only as 1,000円 and 300円 tickets."""
    return 1000 * tickets[0] + 300 * tickets[1]


def items_text(items: Sequence[tuple[str, int]]) -> str:
    """「たんす×1、ふとん×2」."""
    return "、".join(f"{name}×{quantity}" for name, quantity in items)


def _summary(facts: ReminderFacts) -> str:
    return (
        f"受付番号：{facts.receipt_no}\n"
        f"収集日：{date_ja(facts.service_date)}\n"
        f"品目：{items_text(facts.items)}\n"
        f"手数料：{facts.fee_total_yen:,}円（{facts.fee_total_yen // 100}ポイント）\n"
        f"{ticket_text(facts.tickets)}"
    )


def receipt_text(facts: ReminderFacts) -> str:
    """The confirmation read to the caller or sent after a booking."""
    return (
        "粗大ごみの収集を受け付けました。\n"
        f"{_summary(facts)}\n"
        f"{PUT_OUT_INSTRUCTIONS[0]}\n{CHANGE_RULE}"
    )


def eve_reminder(facts: ReminderFacts) -> list[dict[str, Any]]:
    """The reminder sent at 18:00 the day before collection."""
    text = (
        "【粗大ごみ収集のお知らせ】\n"
        f"明日{date_ja(facts.service_date)}は、お申込みいただいた粗大ごみの収集日です。\n"
        f"{_summary(facts)}\n"
        "処理券をお貼りのうえ、明日の朝8時30分までに指定の場所に出してください。"
    )
    return [{"type": "text", "text": text}]


def morning_reminder(facts: ReminderFacts) -> list[dict[str, Any]]:
    """The reminder sent at 07:00 on the collection day."""
    text = (
        "【本日は粗大ごみの収集日です】\n"
        f"{_summary(facts)}\n"
        "処理券が貼ってあることをご確認のうえ、朝8時30分までに指定の場所に出してください。"
    )
    return [{"type": "text", "text": text}]


def too_late_text(action: str, deadline: dt.datetime, phone: str) -> str:
    """Refusal after the cut-off; ``action`` is 取消 or 日程変更."""
    return (
        f"{action}の受付期限（{deadline_ja(deadline)}）を過ぎているため、この予約の{action}は"
        f"できません。お急ぎの場合は環境課（{phone}）までお電話ください。"
    )


NOT_OUT_NOTICE = (
    "【粗大ごみ収集のお知らせ】\n"
    "受付番号 {receipt_no}\n"
    "{month}月{day}日に収集にうかがいましたが、お申し込みの品物が出ていなかったため、"
    "収集できませんでした。\n\n"
    "収集をご希望の場合は、お手数ですが、もう一度お申し込みください。"
    "このトークのメニュー「粗大ごみ」から、またはお電話（{phone}）で申し込めます。\n"
    "ご不明な点は、同じ電話番号までお問い合わせください。"
)


def not_out_notice(receipt_no: str, day: dt.date, phone: str) -> list[dict[str, Any]]:
    """The push a resident gets when the crew found nothing put out on the collection day."""
    text = NOT_OUT_NOTICE.format(receipt_no=receipt_no, month=day.month, day=day.day, phone=phone)
    return [{"type": "text", "text": text}]
