"""Password hashing (argon2id) and the sign-in lockout, for staff and platform operators."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MAX_FAILURES: Final = 5
LOCKOUT: Final = dt.timedelta(minutes=15)


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return str(_HASHER.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for any mismatch or bad hash."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


class Account(Protocol):
    """A row that signs in with a password: a staff user or a platform operator."""

    password_hash: str
    failed_logins: int
    locked_until: dt.datetime | None


@dataclass(frozen=True)
class PasswordCheck:
    """Whether the password let the account in, and until when it is locked if it is."""

    accepted: bool
    locked_until: dt.datetime | None = None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def check_password(account: Account | None, password: str, now: dt.datetime) -> PasswordCheck:
    """Check ``password`` for ``account`` (row-locked by the caller) and record the outcome.

    ``None`` (an unknown, inactive or disabled name) costs one argon2 verification too, so
    timing tells nothing. After ``MAX_FAILURES`` wrong passwords in a row the account is locked
    for ``LOCKOUT``; while locked even the right password is refused. Success clears both.
    """
    if account is None:
        verify_password(_dummy_hash(), password)
        return PasswordCheck(False)
    if account.locked_until is not None and account.locked_until > now:
        return PasswordCheck(False, account.locked_until)
    if not verify_password(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.locked_until, account.failed_logins = now + LOCKOUT, 0
            return PasswordCheck(False, account.locked_until)
        return PasswordCheck(False)
    account.failed_logins, account.locked_until = 0, None
    return PasswordCheck(True)
