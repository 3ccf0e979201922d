"""Secrets at rest (a town's LINE channel secret and access token), sealed with AES-256-GCM.

The key is derived from the ``MACHI_DATA_KEY`` setting with HKDF-SHA256. A sealed value is
``version (1) | key id (4) | nonce (12) | ciphertext | tag (16)``: a random 96-bit nonce per
value, and the town and the field as associated data, so a ciphertext copied to another town
or another field does not open. The key id (derived from the setting too, it reveals nothing
about the key) tells a wrong ``MACHI_DATA_KEY`` apart from a value that was altered.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from machi.settings import Settings

VERSION = 1
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = 1 + KEY_ID_BYTES + NONCE_BYTES
_SALT = b"machi/data-key"
_KEY_INFO = b"machi/v1/aes-256-gcm"
_KEY_ID_INFO = b"machi/v1/key-id"


class SecretError(Exception):
    """A stored secret cannot be opened (the message says why; it never holds the secret)."""


class WrongDataKeyError(SecretError):
    """The value was sealed under another ``MACHI_DATA_KEY``."""


class SecretMismatchError(SecretError):
    """The value was altered, or belongs to another town or field."""


def _derive(material: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=_SALT, info=info).derive(material)


def associated_data(municipality_id: int, field: str) -> bytes:
    """What a sealed value is bound to: its town and its field (``line_channel.secret``)."""
    return f"machi:{int(municipality_id)}:{field}".encode()


class DataKey:
    """The key that seals secrets at rest; its repr shows only the key id."""

    __slots__ = ("_aead", "key_id")

    def __init__(self, data_key: str) -> None:
        """Derive the AES-256 key and the key id from ``data_key`` (``MACHI_DATA_KEY``).

        Raises:
            ValueError: ``data_key`` is empty.
        """
        if not data_key:
            raise ValueError("MACHI_DATA_KEY is empty")
        material = data_key.encode("utf-8")
        self._aead = AESGCM(_derive(material, _KEY_INFO, 32))
        self.key_id = _derive(material, _KEY_ID_INFO, KEY_ID_BYTES)

    @classmethod
    def from_settings(cls, settings: Settings) -> DataKey:
        """The key of ``settings.data_key``."""
        return cls(settings.data_key)

    def __repr__(self) -> str:
        return f"DataKey(key_id={self.key_id.hex()})"

    def encrypt(self, plaintext: str, municipality_id: int, field: str) -> bytes:
        """Encrypt ``plaintext`` for ``field`` of town ``municipality_id``."""
        nonce = os.urandom(NONCE_BYTES)
        aad = associated_data(municipality_id, field)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
        return bytes([VERSION]) + self.key_id + nonce + sealed

    def decrypt(self, blob: bytes, municipality_id: int, field: str) -> str:
        """Decrypt a value sealed by :meth:`encrypt` for the same town and field.

        Raises:
            WrongDataKeyError: sealed under another ``MACHI_DATA_KEY``.
            SecretMismatchError: altered, truncated, or sealed for another town or field.
        """
        where = f"{field} of town {municipality_id}"
        if len(blob) < _HEADER + TAG_BYTES or blob[0] != VERSION:
            raise SecretMismatchError(f"{where} is not a value sealed by Machi (version 1)")
        key_id = bytes(blob[1 : 1 + KEY_ID_BYTES])
        if key_id != self.key_id:
            raise WrongDataKeyError(
                f"{where} was sealed under another MACHI_DATA_KEY (key id {key_id.hex()}, "
                f"this key {self.key_id.hex()}): set the key it was sealed with, or store the "
                "secret again (machi town line)"
            )
        nonce, sealed = bytes(blob[1 + KEY_ID_BYTES : _HEADER]), bytes(blob[_HEADER:])
        try:
            plain = self._aead.decrypt(nonce, sealed, associated_data(municipality_id, field))
        except InvalidTag as exc:
            raise SecretMismatchError(
                f"{where} does not open: it was altered, or copied from another town or field"
            ) from exc
        return plain.decode("utf-8")
