"""Secrets at rest: AES-256-GCM under MACHI_DATA_KEY, bound to the town and the field."""

from __future__ import annotations

import pytest

from machi.settings import Settings
from workflow.towns.model import LineChannel
from workflow.towns.secrets import (
    KEY_ID_BYTES,
    NONCE_BYTES,
    DataKey,
    SecretMismatchError,
    WrongDataKeyError,
)

KEY = DataKey("a-test-data-key-of-32-characters-or-more")
SECRET = "0123456789abcdef0123456789abcdef"
FIELD = "line_channel.secret"


def test_round_trip_and_the_ciphertext_holds_no_clear_text() -> None:
    blob = KEY.encrypt(SECRET, 13202, FIELD)
    assert SECRET.encode() not in blob
    assert KEY.decrypt(blob, 13202, FIELD) == SECRET
    assert KEY.decrypt(KEY.encrypt("秘密", 13202, FIELD), 13202, FIELD) == "秘密"


def test_every_value_gets_its_own_nonce() -> None:
    first, second = KEY.encrypt(SECRET, 13202, FIELD), KEY.encrypt(SECRET, 13202, FIELD)
    assert first != second
    nonce = slice(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + NONCE_BYTES)
    assert first[nonce] != second[nonce]


@pytest.mark.parametrize("position", [0, 1, 5, 20, -1])
def test_a_tampered_value_does_not_open(position: int) -> None:
    blob = bytearray(KEY.encrypt(SECRET, 13202, FIELD))
    blob[position] ^= 0x01
    with pytest.raises((SecretMismatchError, WrongDataKeyError)):
        KEY.decrypt(bytes(blob), 13202, FIELD)


def test_a_truncated_value_does_not_open() -> None:
    blob = KEY.encrypt(SECRET, 13202, FIELD)
    with pytest.raises(SecretMismatchError, match="not a value sealed"):
        KEY.decrypt(blob[:20], 13202, FIELD)


def test_a_flipped_ciphertext_byte_is_told_as_altered() -> None:
    blob = bytearray(KEY.encrypt(SECRET, 13202, FIELD))
    blob[-1] ^= 0x80
    with pytest.raises(SecretMismatchError, match="altered, or copied from another town"):
        KEY.decrypt(bytes(blob), 13202, FIELD)


def test_a_wrong_key_says_so() -> None:
    blob = KEY.encrypt(SECRET, 13202, FIELD)
    other = DataKey("another-data-key-of-32-characters-or-more")
    with pytest.raises(WrongDataKeyError, match="another MACHI_DATA_KEY") as info:
        other.decrypt(blob, 13202, FIELD)
    assert SECRET not in str(info.value)


def test_a_value_copied_to_another_town_or_field_does_not_open() -> None:
    blob = KEY.encrypt(SECRET, 13202, FIELD)
    with pytest.raises(SecretMismatchError):
        KEY.decrypt(blob, 26212, FIELD)
    with pytest.raises(SecretMismatchError):
        KEY.decrypt(blob, 13202, "line_channel.access_token")


def test_the_key_comes_from_the_setting_and_hides_itself() -> None:
    settings = Settings(data_key="a-test-data-key-of-32-characters-or-more", _env_file=None)
    key = DataKey.from_settings(settings)
    assert key.decrypt(KEY.encrypt(SECRET, 1, FIELD), 1, FIELD) == SECRET
    assert "data-key" not in repr(key) and repr(key) == f"DataKey(key_id={key.key_id.hex()})"
    with pytest.raises(ValueError, match="MACHI_DATA_KEY is empty"):
        DataKey("")


def test_a_line_channel_never_shows_its_secrets() -> None:
    channel = LineChannel("1234567890", secret=SECRET, access_token="token-xyz")
    for text in (repr(channel), str(channel), f"{channel}"):
        assert SECRET not in text and "token-xyz" not in text
        assert "1234567890" in text
