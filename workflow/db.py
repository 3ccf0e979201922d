"""The one door from the edges (api, the CLI, the worker) to the database: units of work.

Transactions begin here and nowhere above: a use case runs in ``unit_of_work(session)`` (a
session the web layer opened) or ``session_scope(engine)`` (a fresh one). The web layer gets
its engine, session factory and the ``Session`` / ``Engine`` types from this module, so it
never imports ``geo`` or SQLAlchemy itself (the import-linter contracts say so).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError as _SqlDataError
from sqlalchemy.exc import OperationalError as _SqlOperationalError
from sqlalchemy.orm import Session, sessionmaker

from geo.db import current_town, get_engine, make_sessionmaker, ping, town_scope, watch_town

# What the database raises for a value it cannot store (e.g. text with NUL): the edge answers
# them as a client error (api/input_guard.py) without importing the driver itself.
DATA_ERRORS: tuple[type[Exception], ...] = (_SqlDataError, psycopg.DataError)

# What the database raises when it cannot be reached (down, restarting, no pool connection):
# the edge answers 503 so that the caller (LINE) tries again.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (psycopg.OperationalError, _SqlOperationalError)

__all__ = [
    "DATA_ERRORS",
    "UNAVAILABLE_ERRORS",
    "Engine",
    "Session",
    "SessionFactory",
    "current_town",
    "database_answers",
    "in_background",
    "open_engine",
    "session_factory",
    "session_scope",
    "town_scope",
    "unit_of_work",
    "watch_town",
]

SessionFactory = sessionmaker[Session]
log = logging.getLogger(__name__)


def in_background(
    session: Session | None, town: int, work: Callable[[Session], object], done: Callable[[], None]
) -> None:
    """Run ``work`` in a thread of its own on a new session of ``session``'s engine, for ``town``.

    For a cache refreshing an expired answer while the request goes on with the old one: the
    request's own session is closed when it answers. ``done`` runs afterwards in any case;
    a failure is logged (the caller keeps its old answer and tries again later).
    """
    bind = session.get_bind() if session is not None else None

    def run() -> None:
        try:
            with town_scope(town), Session(bind=bind) as own:
                if bind is not None:
                    one_core(own)
                work(own)
        except Exception:  # noqa: BLE001 — logged; the next request past the entry retries
            log.exception("refreshing a cached answer in the background failed")
        finally:
            done()

    threading.Thread(target=run, name="machi-cache-refresh", daemon=True).start()


def one_core(session: Session) -> None:
    """Keep this transaction's queries on one core: no parallel workers.

    For work in the background. A whole-city count over a million reports ran on both cores
    of a small server for 1.5 s with parallel workers, and every clerk's request behind it
    waited (the 20-clerk bench: base tiles at p95 300-500 ms while the CPU sat idle between
    such counts). On one core it takes longer, and the other core keeps answering.
    """
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def open_engine(database_url: str, pool_size: int = 10) -> Engine:
    """The pooled engine of a database URL (one per URL and pool size, shared).

    Args:
        database_url: SQLAlchemy URL, ``postgresql+psycopg://...``.
        pool_size: connections kept open.
    """
    return get_engine(database_url, pool_size)


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions on ``engine`` that keep their objects readable after the commit."""
    return make_sessionmaker(engine)


def database_answers(engine: Engine) -> bool:
    """True when the database answers a trivial query within the pool's timeout."""
    return ping(engine)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """One transaction on ``session`` for one use case: committed on success, else rolled back.

    A read-only transaction the caller left open (loading the signed-in user, a scope
    check) is ended first, so the writes inside commit together or not at all.

    Args:
        session: an open session with no writes pending.
    """
    if session.in_transaction():
        session.commit()
    with session.begin():
        yield session


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A fresh session inside one unit of work, closed at the end.

    Args:
        engine: the pooled engine (``open_engine``).
    """
    with session_factory(engine)() as session, unit_of_work(session):
        yield session
