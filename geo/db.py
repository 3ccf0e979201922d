"""Engine and session factory for PostGIS (psycopg 3); units of work are ``workflow.db``'s."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker


@lru_cache(maxsize=8)
def get_engine(url: str, pool_size: int = 10) -> Engine:
    """Return one pooled engine per database URL.

    Args:
        url: SQLAlchemy URL, ``postgresql+psycopg://...``.
        pool_size: connections kept open.
    """
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"connect_timeout": 3},
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose sessions never expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """Return True when the database answers a trivial query within its pool timeout."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any failure means "not answering"
        return False
    return True
