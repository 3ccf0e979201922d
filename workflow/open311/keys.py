"""Open311 client API keys: issued by an admin, stored as SHA-256, checked on every POST."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import Open311Key
from workflow.clock import now_tokyo
from workflow.open311.errors import BadRequestError, KeyRefusedError, UnknownResourceError

KEY_BYTES = 32
PREFIX_CHARS = 8
MAX_NAME_CHARS = 64


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``key`` is shown once and never stored."""

    id: int
    name: str
    key: str


@dataclass(frozen=True)
class KeyListing:
    id: int
    name: str
    key_prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


def hash_key(key: str) -> str:
    """Hex SHA-256 of an API key (keys are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_key(session: Session, municipality_id: int, name: str) -> IssuedKey:
    """Create a key for client ``name`` and commit.

    Raises:
        BadRequestError: empty or too long name, or a key of that name exists already.
    """
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise BadRequestError("key_name", field="name", max_chars=MAX_NAME_CHARS)
    key = secrets.token_urlsafe(KEY_BYTES)
    with session.begin():
        taken = session.scalar(
            select(Open311Key.id).where(
                Open311Key.municipality_id == municipality_id, Open311Key.name == name
            )
        )
        if taken is not None:
            raise BadRequestError("key_name_taken", field="name", name=name)
        row = Open311Key(
            municipality_id=municipality_id,
            name=name,
            key_prefix=key[:PREFIX_CHARS],
            key_hash=hash_key(key),
        )
        session.add(row)
        session.flush()
        issued = IssuedKey(row.id, name, key)
    return issued


def list_keys(session: Session, municipality_id: int) -> list[KeyListing]:
    """Every key of the municipality, oldest first (no secrets: only the prefix)."""
    with session.begin():
        rows = session.scalars(
            select(Open311Key)
            .where(Open311Key.municipality_id == municipality_id)
            .order_by(Open311Key.id)
        ).all()
        return [
            KeyListing(r.id, r.name, r.key_prefix, r.created_at, r.revoked_at, r.last_used_at)
            for r in rows
        ]


def revoke_key(session: Session, municipality_id: int, name: str) -> None:
    """Revoke the key of client ``name`` and commit.

    Raises:
        UnknownResourceError: no key of that name.
    """
    with session.begin():
        row = session.scalars(
            select(Open311Key).where(
                Open311Key.municipality_id == municipality_id, Open311Key.name == name
            )
        ).first()
        if row is None:
            raise UnknownResourceError("key", field="name", name=name)
        row.revoked_at = row.revoked_at or now_tokyo()


def check_key(session: Session, municipality_id: int, key: str | None, now: dt.datetime) -> int:
    """The id of the live key ``key``, marked used at ``now``, inside the caller's transaction.

    Raises:
        KeyRefusedError: no key given, or it is unknown or revoked.
    """
    if not key:
        raise KeyRefusedError("key_missing", field="api_key")
    row = session.scalars(
        select(Open311Key).where(
            Open311Key.municipality_id == municipality_id,
            Open311Key.key_hash == hash_key(key),
            Open311Key.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        raise KeyRefusedError("key_refused", field="api_key")
    row.last_used_at = now
    return row.id
