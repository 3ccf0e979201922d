"""Text PostgreSQL refuses (NUL, lone surrogates): cleaned, or found with the field's path."""

from __future__ import annotations

from api.textsafety import clean_json, clean_text, is_safe, unsafe_field


def test_clean_text_drops_nul_and_replaces_lone_surrogates() -> None:
    assert clean_text("a\x00b\ud800c") == "ab\ufffdc"
    assert clean_text("粗大ごみ 🛋") == "粗大ごみ 🛋"  # a real astral character is kept
    assert is_safe(clean_text("\x00\udfff\x00"))


def test_clean_json_cleans_keys_and_nested_values() -> None:
    raw = {"a\x00": [{"text": "x\x00y"}, 1, None, True], "b": "\ud83d"}
    assert clean_json(raw) == {"a": [{"text": "xy"}, 1, None, True], "b": "\ufffd"}


def test_unsafe_field_names_the_first_bad_path() -> None:
    assert unsafe_field({"ok": "fine", "stops": [{"note": "ok"}, {"note": "a\x00"}]}, "body") == (
        "body.stops[1].note"
    )
    assert unsafe_field({"k\x00": 1}, "body") == "body.k\x00"
    assert unsafe_field("\ud800") == "body"
    assert unsafe_field({"n": 1, "s": ["a", "b"]}, "body") is None
