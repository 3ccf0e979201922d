"""Staff authentication with lockout after repeated failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.change_feed import CONFIG, STAFF
from geo.models import StaffUser
from workflow.clock import now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import check_password
from workflow.fresh import FreshCache
from workflow.fresh_feed import fresh_cache


@dataclass(frozen=True)
class StaffIdentity:
    """Who is acting: enough to scope every query, no secrets."""

    id: int
    municipality_id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    department_name: str | None
    disaster_hq: bool = False  # the department owns the disaster categories (防災)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def may_run_disaster_hq(self) -> bool:
        """Admins and staff of the department handling disaster reports run disaster mode."""
        return self.role == "admin" or (self.role == "staff" and self.disaster_hq)


@dataclass(frozen=True)
class LoginOutcome:
    identity: StaffIdentity | None
    locked_until: dt.datetime | None = None


# Every signed-in request reads its identity: one statement (the user, its department's name
# and disaster-HQ duty), not the user row and then the department (a round trip each).
_IDENTITY_SQL = text(
    "SELECT u.id, u.municipality_id, u.username, u.display_name, u.role, u.department_id, "
    "d.name AS department_name, COALESCE(EXISTS (SELECT 1 FROM category c "
    "WHERE c.municipality_id = d.municipality_id AND c.department_id = d.id "
    "AND c.kind = 'disaster'), false) AS disaster_hq "
    "FROM staff_user u LEFT JOIN department d "
    "ON d.municipality_id = u.municipality_id AND d.id = u.department_id "
    "WHERE u.municipality_id = :m AND u.id = :u AND u.active"
)


def load_identity(session: Session, municipality_id: int, user_id: int) -> StaffIdentity | None:
    """The identity of an active staff user, or None (deleted or deactivated)."""
    row = session.execute(_IDENTITY_SQL, {"m": municipality_id, "u": user_id}).mappings().first()
    if row is None:
        return None
    return StaffIdentity(
        id=row["id"],
        municipality_id=row["municipality_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        department_id=row["department_id"],
        department_name=row["department_name"],
        disaster_hq=bool(row["department_id"] is not None and row["disaster_hq"]),
    )


# Signed-in requests find their identity here while this process hears every committed change
# to staff, departments and categories (``workflow.fresh``): any such change drops them all.
_identities: FreshCache[StaffIdentity] = fresh_cache(60.0, 4096, frozenset({CONFIG, STAFF}))


def cached_identity(municipality_id: int, user_id: int) -> StaffIdentity | None:
    """The identity ``staff_identity`` read last, while no change can have altered it; no I/O."""
    return _identities.get((municipality_id, user_id))


def staff_identity(session: Session, municipality_id: int, user_id: int) -> StaffIdentity | None:
    """``load_identity``, from the cache when it holds the user (see ``cached_identity``)."""
    key = (municipality_id, user_id)
    hit = _identities.get(key)
    if hit is not None:
        return hit
    since = _identities.begin()
    who = load_identity(session, municipality_id, user_id)
    if who is not None:
        _identities.put(key, municipality_id, None, who, since)
    return who


def identity_of(session: Session, user: StaffUser) -> StaffIdentity:
    """The identity of an active staff row (as ``load_identity`` reads it on every request)."""
    who = load_identity(session, user.municipality_id, user.id)
    if who is None:
        raise ValueError(f"staff user {user.id} is not active")
    return who


def authenticate(
    session: Session, municipality_id: int, username: str, password: str, now: dt.datetime
) -> LoginOutcome:
    """Check a username and password in the caller's transaction (it records failures).

    After ``MAX_FAILURES`` wrong passwords in a row the account is locked for ``LOCKOUT``;
    while locked even the right password is refused (``workflow.desk.passwords``).

    Args:
        session: open session; the caller commits (failure counts must persist).
        municipality_id: tenant.
        username: login name.
        password: password as typed.
        now: current time (aware).
    """
    user = session.scalars(
        select(StaffUser)
        .where(StaffUser.municipality_id == municipality_id, StaffUser.username == username)
        .with_for_update()
    ).first()
    account = user if user is not None and user.active else None
    check = check_password(account, password, now)
    if not check.accepted or user is None:
        return LoginOutcome(None, locked_until=check.locked_until)
    return LoginOutcome(identity_of(session, user))


def sign_in(session: Session, municipality_id: int, username: str, password: str) -> LoginOutcome:
    """Check a username and password now, in a unit of work of its own (failures persist).

    Args:
        session: an open session with no writes pending; committed here.
        municipality_id: tenant.
        username: login name.
        password: password as typed.
    """
    with unit_of_work(session):
        return authenticate(session, municipality_id, username, password, now_tokyo())
