"""Booking texts: dates, tickets and reminders read correctly."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.bookings.catalogue import MAX_QUERY_CHARS, query_keys
from workflow.errors import InvalidInputError
from workflow.texts.resident import booking as texts

FACTS = texts.ReminderFacts("B-2026-000007", dt.date(2026, 12, 3), [("たんす", 1)], 500, (1, 0))


def test_dates_and_tickets_in_japanese() -> None:
    assert texts.date_ja(dt.date(2026, 12, 3)) == "12月3日（木）"
    assert "1,000円券 1枚、計1,000円" in texts.ticket_text((1, 0))
    assert "300円券 2枚" in texts.ticket_text((2, 2))
    assert texts.ticket_text((0, 0)) == "処理券は不要です。"


def test_reminders_are_plain_text_messages_with_everything() -> None:
    for build in (texts.eve_reminder, texts.morning_reminder):
        [message] = build(FACTS)
        assert message["type"] == "text"
        body = message["text"]
        for part in ("B-2026-000007", "12月3日（木）", "たんす×1", "500円", "処理券", "8時30分"):
            assert part in body


def test_query_keys_normalise_kana_width_and_synonyms() -> None:
    assert query_keys("ｿﾌｧｰ")[0] == query_keys("そふぁ")[0] == "そふぁ"
    assert query_keys("ﾃﾚﾋﾞ")[0] == "てれび"
    assert "椅子" in query_keys("イス")


def test_query_limits_apply_to_what_was_typed() -> None:
    """The API's schema says 1 to 40 characters, not blank: exactly what is refused here."""
    assert query_keys("ー・（）") == ()  # only marks normalisation drops: nothing to look for
    assert query_keys("㍿" * MAX_QUERY_CHARS)  # normalised to 160 characters, still a query
    for refused in ("", " 　\t", "あ" * (MAX_QUERY_CHARS + 1)):
        with pytest.raises(InvalidInputError):
            query_keys(refused)
