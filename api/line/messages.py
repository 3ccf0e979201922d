"""Builders of LINE Messaging API message objects as plain JSON-able dicts.

The worker sends these as they are (``linebot.v3.messaging.Message.from_dict`` accepts
them). Limits enforced here: 13 quick-reply items, 20-character labels, 5,000-character
texts, 400-character ``altText``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from api.line import flex, postback
from api.line.model import Message
from workflow.texts.resident import line as texts

QuickReplyItem = dict[str, Any]

MAX_QUICK_REPLIES: Final = 13
MAX_LABEL_CHARS: Final = 20
MAX_TEXT_CHARS: Final = 5000
MAX_ALT_TEXT_CHARS: Final = 400
MAX_LISTED_REPORTS: Final = 10

# One status colour scheme everywhere (DESIGN.md); keep in step with maps/.
STATUS_COLOURS: Final[dict[str, str]] = {
    "received": "#d62728",
    "in_progress": "#ff9f0e",
    "done": "#2ca02c",
    "rejected": "#7f7f7f",
    "duplicate": "#7f7f7f",
}
UNKNOWN_STATUS_COLOUR: Final = "#7f7f7f"


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- quick replies ---


def _item(action: dict[str, Any]) -> QuickReplyItem:
    if "label" in action:
        action["label"] = _clip(action["label"], MAX_LABEL_CHARS)
    return {"type": "action", "action": action}


def postback_item(label: str, data: str, display_text: str | None = None) -> QuickReplyItem:
    """Build a postback quick reply; the chat shows ``display_text`` (default: the label)."""
    return _item(
        {"type": "postback", "label": label, "data": data, "displayText": display_text or label}
    )


def command_item(label: str, command: str, **params: str) -> QuickReplyItem:
    return postback_item(label, postback.encode_command(command, **params))


def message_item(label: str, text: str | None = None) -> QuickReplyItem:
    return _item({"type": "message", "label": label, "text": text or label})


def location_item(label: str = texts.LABEL_SEND_LOCATION) -> QuickReplyItem:
    return _item({"type": "location", "label": label})


def camera_item(label: str = texts.LABEL_CAMERA) -> QuickReplyItem:
    return _item({"type": "camera", "label": label})


def camera_roll_item(label: str = texts.LABEL_CAMERA_ROLL) -> QuickReplyItem:
    return _item({"type": "cameraRoll", "label": label})


def date_picker_item(
    label: str, data: str, initial: date, first: date, last: date
) -> QuickReplyItem:
    """A date picker limited to ``first``..``last`` (the date returns as ``params.date``)."""
    return _item(
        {
            "type": "datetimepicker",
            "label": label,
            "data": data,
            "mode": "date",
            "initial": initial.isoformat(),
            "min": first.isoformat(),
            "max": last.isoformat(),
        }
    )


def _with_quick_replies(message: Message, items: Sequence[QuickReplyItem]) -> Message:
    if len(items) > MAX_QUICK_REPLIES:
        raise ValueError(f"{len(items)} quick-reply items; LINE allows {MAX_QUICK_REPLIES}")
    if items:
        message["quickReply"] = {"items": list(items)}
    return message


# --- messages ---


def text_message(text: str, quick_replies: Sequence[QuickReplyItem] = ()) -> Message:
    return _with_quick_replies({"type": "text", "text": _clip(text, MAX_TEXT_CHARS)}, quick_replies)


def flex_message(
    alt_text: str, contents: flex.Component, quick_replies: Sequence[QuickReplyItem] = ()
) -> Message:
    message = {"type": "flex", "altText": _clip(alt_text, MAX_ALT_TEXT_CHARS), "contents": contents}
    return _with_quick_replies(message, quick_replies)


def map_url(lat: float, lon: float) -> str:
    return f"https://maps.google.com/?q={lat:.6f},{lon:.6f}"


def status_colour(status: str) -> str:
    """Colour of a status code (``received``...) or of its Japanese label (``受付``...)."""
    if status in STATUS_COLOURS:
        return STATUS_COLOURS[status]
    for code, label in texts.STATUS_LABELS.items():
        if label == status:
            return STATUS_COLOURS[code]
    return UNKNOWN_STATUS_COLOUR


def status_label(status: str) -> str:
    return texts.STATUS_LABELS.get(status, status)


# --- confirm ---


@dataclass(frozen=True)
class ReportSummary:
    """What the resident is about to send, for the confirm bubble."""

    category_name: str
    place: str | None
    lat: float
    lon: float
    photo_count: int
    description: str | None
    urgent: bool | None = None  # None: not asked (road reports)
    attach_to_receipt_no: str | None = None


def _summary_rows(summary: ReportSummary) -> list[flex.Component]:
    rows = [
        flex.field_row(texts.FIELD_CATEGORY, summary.category_name),
        flex.field_row(texts.FIELD_PLACE, summary.place or texts.PLACE_UNKNOWN),
        flex.field_row(texts.FIELD_PHOTOS, texts.PHOTO_COUNT.format(count=summary.photo_count)),
        flex.field_row(texts.FIELD_DESCRIPTION, summary.description or texts.NO_DESCRIPTION),
    ]
    if summary.urgent is not None:
        urgent = texts.URGENT_YES if summary.urgent else texts.URGENT_NO
        rows.append(flex.field_row(texts.FIELD_URGENT, urgent))
    if summary.attach_to_receipt_no:
        rows.append(flex.field_row(texts.FIELD_ATTACH, summary.attach_to_receipt_no))
    return rows


def build_confirm(summary: ReportSummary, quick_replies: Sequence[QuickReplyItem] = ()) -> Message:
    """Flex summary with a map link and 送信する / 修正する(もどる) / やめる buttons."""
    body = [flex.text(texts.ASK_CONFIRM, size="sm"), flex.separator(), *_summary_rows(summary)]
    footer = [
        flex.postback_button(
            texts.LABEL_SEND, postback.encode_command(postback.SEND), texts.LABEL_SEND, "primary"
        ),
        flex.postback_button(
            texts.LABEL_EDIT, postback.encode_command(postback.BACK), texts.LABEL_BACK, "secondary"
        ),
        flex.postback_button(
            texts.LABEL_CANCEL, postback.encode_command(postback.CANCEL), texts.LABEL_CANCEL, "link"
        ),
        flex.uri_button(texts.LABEL_OPEN_MAP, map_url(summary.lat, summary.lon)),
    ]
    bubble = flex.bubble(texts.CONFIRM_TITLE, body, footer)
    alt = texts.CONFIRM_ALT.format(category=summary.category_name)
    return flex_message(alt, bubble, quick_replies)


# --- receipt, status notice, my reports ---


def build_receipt(
    receipt_no: str, category_name: str, address: str | None, status_label: str
) -> Message:
    """Build the receipt bubble sent after a report is created (受付番号, 種類, 場所, 状況).

    ``status_label`` is the Japanese label (受付); a status code (received) is translated.
    """
    status_label_ja = texts.STATUS_LABELS.get(status_label, status_label)
    body = [
        flex.field_row(texts.FIELD_RECEIPT_NO, receipt_no),
        flex.field_row(texts.FIELD_CATEGORY, category_name),
        flex.field_row(texts.FIELD_PLACE, address or texts.PLACE_UNKNOWN),
        flex.field_row(texts.FIELD_STATUS, status_label_ja, status_colour(status_label)),
        flex.separator(),
        flex.text(texts.RECEIPT_NOTE, size="xs", color=flex.MUTED_COLOUR),
    ]
    bubble = flex.bubble(texts.RECEIPT_TITLE, body)
    return flex_message(texts.RECEIPT_ALT.format(receipt_no=receipt_no), bubble)


def build_status_notice(
    receipt_no: str, category_name: str, status: str, template: str | None = None
) -> Message:
    """Push sent when a report's status changes (status code: received, in_progress...).

    ``template`` overrides the per-status wording (e.g. a bulky pickup put on a route).
    """
    label = status_label(status)
    template = template or texts.STATUS_NOTICES.get(status, texts.STATUS_NOTICE_OTHER)
    notice = template.format(receipt_no=receipt_no, category=category_name, status=label)
    body = [
        flex.text(notice, size="sm"),
        flex.separator(),
        flex.field_row(texts.FIELD_RECEIPT_NO, receipt_no),
        flex.field_row(texts.FIELD_CATEGORY, category_name),
        flex.field_row(texts.FIELD_STATUS, label, status_colour(status)),
    ]
    bubble = flex.bubble(texts.STATUS_NOTICE_TITLE, body, title_colour=status_colour(status))
    return flex_message(notice, bubble)


@dataclass(frozen=True)
class MyReport:
    receipt_no: str
    category_name: str
    status: str  # code: received, in_progress, done, rejected, duplicate
    reported_on: date


def format_date(day: date) -> str:
    return texts.DATE_FORMAT.format(year=day.year, month=day.month, day=day.day)


def _report_rows(report: MyReport) -> list[flex.Component]:
    return [
        flex.separator(),
        flex.field_row(texts.FIELD_RECEIPT_NO, report.receipt_no),
        flex.field_row(texts.FIELD_CATEGORY, report.category_name),
        flex.field_row(
            texts.FIELD_STATUS, status_label(report.status), status_colour(report.status)
        ),
        flex.field_row(texts.FIELD_DATE, format_date(report.reported_on)),
    ]


def build_my_reports(reports: Sequence[MyReport]) -> Message:
    """List the resident's reports, newest first, at most 10 in one bubble; a text when none."""
    if not reports:
        return text_message(texts.MY_REPORTS_NONE)
    newest = sorted(reports, key=lambda r: (r.reported_on, r.receipt_no), reverse=True)
    shown = newest[:MAX_LISTED_REPORTS]
    body: list[flex.Component] = []
    if len(reports) > len(shown):
        more = texts.MY_REPORTS_MORE.format(shown=len(shown), total=len(reports))
        body.append(flex.text(more, size="xs", color=flex.MUTED_COLOUR))
    for report in shown:
        body.extend(_report_rows(report))
    bubble = flex.bubble(texts.MY_REPORTS_TITLE, body)
    return flex_message(texts.MY_REPORTS_ALT.format(count=len(reports)), bubble)
