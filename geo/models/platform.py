"""The platform operators: people who run the deployment for every town, not for one.

The one table without ``municipality_id`` beside ``municipality`` itself: an operator belongs
to no town, and row-level security (which keys on the town) does not apply to it. Operators
see the registry and each town's health figures, never a resident's personal data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Identity, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, Timestamped


class PlatformOperator(Timestamped, Base):
    """A platform operator's login: argon2id hash, lockout after repeated failures."""

    __tablename__ = "platform_operator"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
