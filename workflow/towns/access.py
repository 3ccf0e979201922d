"""A town's LINE channel for the running app and worker: read for that town, env as fallback."""

from __future__ import annotations

from sqlalchemy import Engine

from machi.settings import Settings
from workflow.db import session_scope, town_scope
from workflow.towns.channels import line_channel
from workflow.towns.model import LineChannel
from workflow.towns.secrets import DataKey


def channel_of(engine: Engine, town_id: int, settings: Settings) -> LineChannel | None:
    """The LINE channel of ``town_id``, or None when the town has none.

    Read in a transaction of its own for that town (row-level security shows a town its own
    channel only). The deployment's own town (``MACHI_MUNICIPALITY_CODE``) falls back to the
    environment's ``MACHI_LINE_CHANNEL_*`` until they are stored in the registry, so a
    single-town deployment keeps working with its environment alone.
    """
    with town_scope(town_id), session_scope(engine) as session:
        found = line_channel(session, town_id, DataKey.from_settings(settings))
    if found is not None or town_id != settings.municipality_id:
        return found
    if not settings.line_channel_secret.strip() or not settings.line_channel_access_token.strip():
        return None
    return LineChannel(
        channel_id=settings.line_channel_id,
        secret=settings.line_channel_secret,
        access_token=settings.line_channel_access_token,
    )
