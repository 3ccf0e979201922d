"""Alembic environment: URL from ``-x url=...`` or the settings; metadata from geo.models.

Migrations run as the owner of the tables (``MACHI_OWNER_DATABASE_URL``). The role the app
connects as, granted by revision 0009, is ``-x app_role=NAME``, else the ``machi.app_role``
attribute a caller set on the Config, else the user of ``MACHI_DATABASE_URL``
(``Settings.app_role``: ``machi_app`` when that URL has no user or is the owner's).
"""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

from geo.models import Base
from machi.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    return url or config.get_main_option("sqlalchemy.url") or get_settings().owner_database_url


def _resolve_app_role() -> None:
    named = context.get_x_argument(as_dictionary=True).get("app_role")
    if named:
        config.attributes["machi.app_role"] = named
    config.attributes.setdefault("machi.app_role", get_settings().app_role)


def _ignore_postgis_tables(obj: object, name: str | None, type_: str, *args: object) -> bool:
    if type_ == "table" and name in {"spatial_ref_sys"}:
        return False
    return alembic_helpers.include_object(obj, name, type_, *args)


def run_migrations() -> None:
    _resolve_app_role()
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(_url(), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_ignore_postgis_tables,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
