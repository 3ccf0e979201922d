"""Declarative base and the tenant key every table carries.

Every table has ``municipality_id`` and every primary and unique key includes it, so the
schema can be distributed by municipality (Citus) without change. Foreign keys between
tenant tables are composite ``(municipality_id, x_id)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, DateTime, Enum, ForeignKey, Identity, Index, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SRID = 4326


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantKey:
    """Composite primary key ``(municipality_id, id)``."""

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


def str_enum(name: str, *values: str) -> Enum:
    """A VARCHAR column with a CHECK constraint (easier to migrate than a PG enum)."""
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def town_geometry(kind: str) -> Geometry:
    """A geometry column of a tenant table: its GiST index is :func:`town_gist`, not its own."""
    return Geometry(kind, srid=SRID, spatial_index=False)


def town_gist(table: str, column: str) -> Index:
    """GiST index on ``(municipality_id, column)`` (``btree_gist``, migration 0011).

    The town and the box are both index conditions, so a viewport never walks another
    town's rows, and the planner never prefers a spatial index that ignores the town.
    """
    return Index(f"ix_{table}_town_{column}", "municipality_id", column, postgresql_using="gist")


def tenant_fk(columns: list[str], table: str, ondelete: str | None = None, **kw: Any) -> Any:
    """Composite foreign key ``(municipality_id, col) -> table(municipality_id, id)``."""
    from sqlalchemy import ForeignKeyConstraint

    return ForeignKeyConstraint(
        ["municipality_id", *columns],
        [f"{table}.municipality_id", f"{table}.id"],
        ondelete=ondelete,
        **kw,
    )
