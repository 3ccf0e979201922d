"""Test fixtures: a fresh PostGIS database per test run, migrated and loaded with the demo town.

Every DB test runs on the real PostGIS (postgis + pgrouting extensions). Tests that only read
share the loaded town; tests that write use ``db_session``, which rolls back at the end.

The database is created, migrated and loaded as the owner (``MACHI_OWNER_DATABASE_URL``, else
``MACHI_DATABASE_URL``, else the local cluster's ``machi``); ``engine`` and ``db_session`` are
the owner's too (row-level security does not hold it). ``app_database_url`` is the same
database as the app role, which sees only the rows of the town it sets.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from machi.settings import PROJECT_ROOT, Settings
from workflow.db import session_scope
from workflow.demo.town import load_demo_town

MUNICIPALITY_ID = 13202


def _server_url() -> str:
    """The owner's URL on the test server (CREATEDB: the suite makes its own database)."""
    return Settings().owner_database_url


def app_url(database: str) -> str:
    """The URL of ``database`` as the app role.

    ``MACHI_DATABASE_URL`` when it names a role other than the owner's; otherwise the owner's
    server as ``machi_app`` without a password (the local cluster trusts it).
    """
    settings = Settings()
    if settings.database_url != settings.owner_database_url:
        url = make_url(settings.database_url)
    else:
        url = make_url(settings.owner_database_url).set(username=settings.app_role, password=None)
    return url.set(database=database).render_as_string(hide_password=False)


def create_database(name: str) -> str:
    """Create database ``name`` on the configured server and return its URL."""
    url = make_url(_server_url())
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    url = make_url(_server_url())
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    """Migrate the database of ``url`` (the owner's) to head, granting the app role."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["machi.app_role"] = make_url(app_url("x")).username
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    name = f"machi_test_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        migrate(url)
        engine = create_engine(url)
        with session_scope(engine) as session:
            load_demo_town(session)
        engine.dispose()
        yield url
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def app_database_url(database_url: str) -> str:
    """The test database as the app role (owns nothing, held by row-level security)."""
    database = make_url(database_url).database
    assert database is not None
    return app_url(database)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_engine(database_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture()
def db_session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def test_settings(database_url: str, app_database_url: str) -> Settings:
    """The app's settings: it connects as the app role; admin commands as the owner."""
    return Settings(
        env="test",
        database_url=app_database_url,
        owner_database_url=database_url,
        map_warm_start=False,  # tests of the warm start ask for it
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
