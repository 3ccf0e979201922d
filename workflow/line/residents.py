"""Residents known by their LINE user id, and the stored state of their open LINE dialogue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

# The upsert also locks the resident row until the caller's transaction ends, which keeps one
# resident's events strictly sequential even with several workers.
_UPSERT = text(
    "INSERT INTO resident (municipality_id, line_user_id, following, created_at) "
    "VALUES (:m, :user_id, true, :now) ON CONFLICT (municipality_id, line_user_id) "
    "DO UPDATE SET line_user_id = EXCLUDED.line_user_id RETURNING id"
)


def ensure_line_resident(
    session: Session, municipality_id: int, line_user_id: str, now: dt.datetime
) -> int:
    """Return the resident's id, creating the row on first contact; the row stays locked.

    A resident first seen through a 1:1 message is taken as following: LINE delivers such
    messages only from users who have the account in their chat list.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        line_user_id: LINE user id (``U`` + 32 hex digits).
        now: aware time of first contact.
    """
    params = {"m": municipality_id, "user_id": line_user_id, "now": now}
    return int(session.execute(_UPSERT, params).scalar_one())


def record_follow(
    session: Session, municipality_id: int, line_user_id: str, following: bool, at: dt.datetime
) -> int:
    """Keep the resident's following flag current (follow / unfollow event at ``at``).

    An unfollow also drops the open dialogue: it cannot continue without the chat.

    Returns:
        The resident's id (created on first contact).
    """
    resident_id = ensure_line_resident(session, municipality_id, line_user_id, at)
    column = "followed_at" if following else "unfollowed_at"
    session.execute(
        text(
            f"UPDATE resident SET following = :following, {column} = :at "
            "WHERE municipality_id = :m AND id = :id"
        ),
        {"following": following, "at": at, "m": municipality_id, "id": resident_id},
    )
    if not following:
        delete_dialogue_state(session, municipality_id, resident_id)
    return resident_id


def load_dialogue_state(session: Session, municipality_id: int, resident_id: int) -> str | None:
    """The stored dialogue state as JSON text, or None when no dialogue is open."""
    value = session.execute(
        text(
            "SELECT state::text FROM dialogue_state WHERE municipality_id = :m "
            "AND resident_id = :r FOR UPDATE"
        ),
        {"m": municipality_id, "r": resident_id},
    ).scalar()
    return None if value is None else str(value)


def save_dialogue_state(
    session: Session, municipality_id: int, resident_id: int, state_json: str, now: dt.datetime
) -> None:
    """Store (insert or replace) the resident's dialogue state given as JSON text."""
    session.execute(
        text(
            "INSERT INTO dialogue_state (municipality_id, resident_id, state, updated_at) "
            "VALUES (:m, :r, CAST(:state AS jsonb), :now) "
            "ON CONFLICT (municipality_id, resident_id) "
            "DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at"
        ),
        {"m": municipality_id, "r": resident_id, "state": state_json, "now": now},
    )


def delete_dialogue_state(session: Session, municipality_id: int, resident_id: int) -> None:
    """Forget the resident's dialogue (finished, cancelled or unfollowed)."""
    session.execute(
        text("DELETE FROM dialogue_state WHERE municipality_id = :m AND resident_id = :r"),
        {"m": municipality_id, "r": resident_id},
    )
