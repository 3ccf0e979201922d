"""Platform operator accounts, managed from the command line (``machi platform ...``).

Passwords are stored as argon2id hashes (the staff's hasher). Disabling an account ends its
sessions and tokens at their next request (every request loads the operator again).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import PlatformOperator
from workflow.db import unit_of_work
from workflow.desk.passwords import hash_password
from workflow.errors import InvalidInputError, NotFoundError

MAX_NAME_CHARS = 64
MIN_PASSWORD_CHARS = 12  # an operator sees every town: longer than the staff's demo passwords
_NAME = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OperatorListing:
    """An operator as listed: no hash."""

    id: int
    username: str
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    locked_until: dt.datetime | None


def _listing(row: PlatformOperator) -> OperatorListing:
    return OperatorListing(row.id, row.username, row.created_at, row.disabled_at, row.locked_until)


def check_username(username: str) -> str:
    """``username`` when it is 1–64 ASCII letters, digits, ``.``, ``-`` or ``_``.

    Raises:
        InvalidInputError: anything else.
    """
    if len(username) > MAX_NAME_CHARS or not _NAME.fullmatch(username):
        raise InvalidInputError("operator_name_invalid", field="username", max_chars=MAX_NAME_CHARS)
    return username


def add_operator(session: Session, username: str, password: str) -> OperatorListing:
    """Create an operator with an argon2id hash of ``password`` and commit.

    Raises:
        InvalidInputError: a bad name, a password under ``MIN_PASSWORD_CHARS``, a name taken.
    """
    check_username(username)
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInputError(
            "operator_password_too_short", field="password", min_chars=MIN_PASSWORD_CHARS
        )
    password_hash = hash_password(password)
    with unit_of_work(session):
        taken = session.scalar(
            select(PlatformOperator.id).where(PlatformOperator.username == username)
        )
        if taken is not None:
            raise InvalidInputError("operator_name_taken", field="username", name=username)
        row = PlatformOperator(username=username, password_hash=password_hash)
        session.add(row)
        session.flush()
        session.refresh(row)
        return _listing(row)


def list_operators(session: Session) -> list[OperatorListing]:
    """Every operator, disabled ones too, in the order they were added."""
    with unit_of_work(session):
        rows = session.scalars(select(PlatformOperator).order_by(PlatformOperator.id)).all()
        return [_listing(row) for row in rows]


def disable_operator(session: Session, username: str, now: dt.datetime) -> OperatorListing:
    """Disable an active operator and commit: sign-in refused, sessions and tokens void.

    Raises:
        NotFoundError: no active operator of that name.
    """
    with unit_of_work(session):
        row = session.scalars(
            select(PlatformOperator)
            .where(PlatformOperator.username == username, PlatformOperator.disabled_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            raise NotFoundError("operator_not_found", field="username", name=username)
        row.disabled_at = now
        return _listing(row)
