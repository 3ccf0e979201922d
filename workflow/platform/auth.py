"""Platform operator sign-in: argon2id, lockout after repeated failures, disabled accounts.

An operator's identity carries no town: the operator's routes act for no town, and the
health figures are read one town at a time (``workflow.platform.health``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import PlatformOperator
from workflow.clock import now_tokyo
from workflow.db import unit_of_work
from workflow.desk.auth import LOCKOUT, MAX_FAILURES
from workflow.desk.passwords import hash_password, verify_password


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified for an unknown or disabled name, so every refusal costs one verification."""
    return hash_password(secrets.token_hex(16))


@dataclass(frozen=True)
class OperatorIdentity:
    """Who is acting on the platform: no secrets, no town."""

    id: int
    username: str


@dataclass(frozen=True)
class OperatorLogin:
    identity: OperatorIdentity | None
    locked_until: dt.datetime | None = None


def authenticate_operator(
    session: Session, username: str, password: str, now: dt.datetime
) -> OperatorLogin:
    """Check a username and password in the caller's transaction (it records failures).

    An unknown or disabled name costs one argon2 verification too, so timing tells nothing.
    After ``MAX_FAILURES`` wrong passwords in a row the account is locked for ``LOCKOUT``;
    while locked even the right password is refused.
    """
    row = session.scalars(
        select(PlatformOperator).where(PlatformOperator.username == username).with_for_update()
    ).first()
    if row is None or row.disabled_at is not None:
        verify_password(_dummy_hash(), password)
        return OperatorLogin(None)
    if row.locked_until is not None and row.locked_until > now:
        return OperatorLogin(None, locked_until=row.locked_until)
    if not verify_password(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILURES:
            row.locked_until, row.failed_logins = now + LOCKOUT, 0
            return OperatorLogin(None, locked_until=row.locked_until)
        return OperatorLogin(None)
    row.failed_logins, row.locked_until = 0, None
    return OperatorLogin(OperatorIdentity(row.id, row.username))


def sign_in_operator(session: Session, username: str, password: str) -> OperatorLogin:
    """Check a username and password now, in a unit of work of its own (failures persist)."""
    with unit_of_work(session):
        return authenticate_operator(session, username, password, now_tokyo())


def load_operator(session: Session, operator_id: int) -> OperatorIdentity | None:
    """The identity of an operator who is not disabled, or None."""
    with unit_of_work(session):
        row = session.get(PlatformOperator, operator_id)
        if row is None or row.disabled_at is not None:
            return None
        return OperatorIdentity(row.id, row.username)
