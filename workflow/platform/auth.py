"""Platform operator sign-in: argon2id, lockout after repeated failures, disabled accounts.

An operator's identity carries no town: the operator's routes act for no town, and the
health figures are read one town at a time (``workflow.platform.health``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import PlatformOperator
from workflow.clock import now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import check_password


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
    The lockout is staff's (``workflow.desk.passwords.check_password``).
    """
    row = session.scalars(
        select(PlatformOperator).where(PlatformOperator.username == username).with_for_update()
    ).first()
    account = row if row is not None and row.disabled_at is None else None
    check = check_password(account, password, now)
    if not check.accepted or row is None:
        return OperatorLogin(None, locked_until=check.locked_until)
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
