"""Receipt number + PIN keys of the web fallback: new PINs, and the guard against guessing.

A resident without LINE opens what they sent (a report, a booking) with its receipt number
and a 6-digit PIN; only the PIN's argon2 hash is stored. Wrong pairs are recorded
(``pin_failure``) and, past a few per receipt number or per client within ``WINDOW``, every
attempt is refused without checking the PIN, so a PIN cannot be guessed by trying.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import lru_cache
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import PinFailure
from workflow.desk.passwords import hash_password
from workflow.errors import WorkflowError

PIN_DIGITS: Final = 6
MAX_FAILURES_PER_RECEIPT: Final = 5
MAX_FAILURES_PER_CLIENT: Final = 20
WINDOW: Final = dt.timedelta(minutes=15)
KEEP_FAILURES: Final = dt.timedelta(days=1)


class PinRefusedError(WorkflowError):
    """Nothing matches this receipt number and PIN."""

    kind = "pin_refused"


class PinLockedError(WorkflowError):
    """Too many wrong attempts for this receipt number or from this client lately."""

    kind = "too_many_attempts"


def new_pin() -> str:
    """A random PIN of ``PIN_DIGITS`` digits."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified when the receipt number is unknown: both paths cost one argon2 check."""
    return hash_password(secrets.token_hex(8))


def _recent_failures(
    session: Session, mid: int, column: str, value: str, since: dt.datetime
) -> int:
    sql = (
        f"SELECT count(*) FROM pin_failure WHERE municipality_id = :m AND {column} = :v "
        "AND failed_at > :since"
    )
    return int(session.execute(text(sql), {"m": mid, "v": value, "since": since}).scalar_one())


def _locked_error(session: Session, mid: int) -> PinLockedError:
    phone = session.execute(
        text("SELECT phone FROM municipality WHERE id = :m"), {"m": mid}
    ).scalar_one()
    minutes = int(WINDOW.total_seconds() // 60)
    return PinLockedError("too_many_attempts", field="pin", minutes=minutes, phone=phone)


def refuse_when_locked(
    session: Session, mid: int, receipt_no: str, client_key: str, now: dt.datetime
) -> None:
    """Queue attempts on one receipt number, then refuse when it or the client is locked.

    Runs inside the caller's transaction: the advisory lock holds until it ends, so parallel
    guesses on one number are all counted.

    Raises:
        PinLockedError: too many wrong attempts within ``WINDOW``.
    """
    session.execute(
        text("SELECT pg_advisory_xact_lock(:m, hashtext(:no))"), {"m": mid, "no": receipt_no}
    )
    since = now - WINDOW
    if (
        _recent_failures(session, mid, "receipt_no", receipt_no, since) >= MAX_FAILURES_PER_RECEIPT
        or _recent_failures(session, mid, "client_key", client_key, since)
        >= MAX_FAILURES_PER_CLIENT
    ):
        raise _locked_error(session, mid)


def record_failure(
    session: Session, mid: int, receipt_no: str, client_key: str, now: dt.datetime
) -> None:
    """Count a wrong pair (and forget failures older than ``KEEP_FAILURES``)."""
    session.add(
        PinFailure(
            municipality_id=mid, receipt_no=receipt_no[:24], client_key=client_key, failed_at=now
        )
    )
    session.execute(
        text("DELETE FROM pin_failure WHERE municipality_id = :m AND failed_at < :old"),
        {"m": mid, "old": now - KEEP_FAILURES},
    )
