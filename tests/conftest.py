"""Test fixtures: a fresh PostGIS database per test run, migrated and loaded with the demo town.

Every DB test runs on the real PostGIS (postgis + pgrouting extensions). Tests that only read
share the loaded town; tests that write use ``db_session``, which rolls back at the end.
"""

from __future__ import annotations

import os
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
    return os.environ.get("MACHI_DATABASE_URL") or Settings().database_url


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
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
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
def test_settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
