"""Each town's LINE channel: its id in the open, its secret and access token encrypted.

The credentials live in ``line_channel`` (one row per town, beside the channel's health),
which row-level security shows to its own town only; ``municipality.line_channel_id`` is the
public copy of the channel id. The clear values leave this module only in a ``LineChannel``,
whose repr hides them.
"""

from __future__ import annotations

import logging
from typing import Literal

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.models import LineChannel as LineChannelRow
from geo.models import Municipality
from machi.settings import Settings
from workflow.errors import InvalidInputError, NotFoundError
from workflow.towns import validate as v
from workflow.towns.model import LineChannel, LineChannelStatus
from workflow.towns.secrets import DataKey, SecretError

log = logging.getLogger("machi.towns")

SECRET_FIELD = "line_channel.secret"
TOKEN_FIELD = "line_channel.access_token"
SeedOutcome = Literal["stored", "kept", "differs", "no_town", "no_secrets"]


def set_line_channel(
    session: Session,
    town_id: int,
    channel_id: str | None,
    secret: str,
    access_token: str,
    key: DataKey,
) -> LineChannelStatus:
    """Store a town's LINE channel: its id, and its secret and token encrypted with ``key``.

    Replaces what was stored; the channel's health (pauses, faults) is left as it is.

    Raises:
        NotFoundError: no town ``town_id``.
        InvalidInputError: the channel id is not one, or the secret or token is empty.
    """
    town = session.get(Municipality, town_id)
    if town is None:
        raise NotFoundError("town_not_found", field="code", value=str(town_id))
    channel = None if channel_id is None else v.check_channel_id(channel_id)
    secret, access_token = secret.strip(), access_token.strip()
    if not secret or not access_token:
        raise InvalidInputError("line_secret_empty", field="secret")
    values = {
        "channel_id": channel,
        "secret_enc": key.encrypt(secret, town_id, SECRET_FIELD),
        "access_token_enc": key.encrypt(access_token, town_id, TOKEN_FIELD),
        "updated_at": func.now(),
    }
    session.execute(
        insert(LineChannelRow)
        .values(municipality_id=town_id, **values)
        .on_conflict_do_update(index_elements=[LineChannelRow.municipality_id], set_=values)
    )
    town.line_channel_id = channel
    session.flush()
    status = line_channel_status(session, town_id)
    assert status is not None  # written just above
    return status


def _stored(session: Session, town_id: int) -> LineChannelRow | None:
    return session.get(LineChannelRow, town_id, populate_existing=True)


def line_channel(session: Session, town_id: int, key: DataKey) -> LineChannel | None:
    """A town's LINE channel with its secret and token decrypted, or None when not set.

    Raises:
        WrongDataKeyError: the secrets were stored under another ``MACHI_DATA_KEY``.
        SecretMismatchError: a stored value was altered or copied from another town.
    """
    row = _stored(session, town_id)
    if row is None or row.secret_enc is None or row.access_token_enc is None:
        return None
    return LineChannel(
        channel_id=row.channel_id,
        secret=key.decrypt(row.secret_enc, town_id, SECRET_FIELD),
        access_token=key.decrypt(row.access_token_enc, town_id, TOKEN_FIELD),
    )


def line_channel_status(session: Session, town_id: int) -> LineChannelStatus | None:
    """What may be shown of a town's LINE channel (no secret, nothing decrypted), or None."""
    row = _stored(session, town_id)
    if row is None:
        return None
    return LineChannelStatus(
        channel_id=row.channel_id,
        secret_set=row.secret_enc is not None,
        access_token_set=row.access_token_enc is not None,
        updated_at=row.updated_at,
    )


def seed_from_settings(session: Session, settings: Settings) -> SeedOutcome:
    """Give the settings' town the LINE channel of the environment, unless it has one.

    A single-town deployment keeps working with ``MACHI_LINE_CHANNEL_SECRET`` /
    ``_ACCESS_TOKEN`` (and ``MACHI_LINE_CHANNEL_ID``): they are stored, encrypted, for
    ``MACHI_MUNICIPALITY_CODE`` when its row exists and no channel is stored yet. A stored
    channel wins over the environment: ``differs`` (logged, without the values) says the
    environment holds other credentials; ``machi town line`` changes the stored ones.

    Returns:
        ``stored``, ``kept`` (already the same), ``differs``, ``no_town`` or ``no_secrets``.
    """
    town_id = settings.municipality_id
    if session.get(Municipality, town_id) is None:
        return "no_town"
    secret, token = settings.line_channel_secret, settings.line_channel_access_token
    if not secret.strip() or not token.strip():
        return "no_secrets"
    key = DataKey.from_settings(settings)
    try:
        stored = line_channel(session, town_id, key)
    except SecretError as exc:
        log.warning("town %s: the stored LINE channel does not open: %s", town_id, exc)
        return "differs"
    if stored is None:
        set_line_channel(session, town_id, settings.line_channel_id, secret, token, key)
        return "stored"
    if (stored.secret, stored.access_token) == (secret.strip(), token.strip()):
        return "kept"
    log.warning(
        "town %s: MACHI_LINE_CHANNEL_SECRET / _ACCESS_TOKEN differ from the channel stored in "
        "the registry, which is used; change it with machi town line",
        town_id,
    )
    return "differs"
