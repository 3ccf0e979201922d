"""Engine and session factory for PostGIS (psycopg 3); units of work are ``workflow.db``'s."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# The town (municipality id) the current request, worker turn or command acts for. Every
# transaction on an engine from ``get_engine`` starts with ``SET LOCAL machi.town`` from it,
# and the row-level security policies show and accept only that town's rows; with no town set
# the app role sees no tenant rows at all.
CURRENT_TOWN: ContextVar[int | None] = ContextVar("machi_current_town", default=None)
TOWN_SETTING = "machi.town"
# No JIT for the app's connections: its statements are short, and the map aggregates (a grid
# or cluster tile over a few hundred thousand reports) pass jit_above_cost, where compiling
# took 200-330 ms of a 550-770 ms street view at a million reports.
SESSION_OPTIONS = "-c jit=off"


@contextmanager
def town_scope(town_id: int | None) -> Iterator[None]:
    """Act for ``town_id`` inside the block (``None``: for no town), then restore the caller's."""
    token = CURRENT_TOWN.set(town_id)
    try:
        yield
    finally:
        CURRENT_TOWN.reset(token)


def current_town() -> int | None:
    """The town the code runs for, or ``None``."""
    return CURRENT_TOWN.get()


def _set_town_on_begin(conn: Connection) -> None:
    town = CURRENT_TOWN.get()
    if town is not None:  # SET LOCAL: it ends with the transaction, so a pooled connection
        # never carries one request's town into the next
        conn.exec_driver_sql(f"SELECT set_config('{TOWN_SETTING}', '{int(town)}', true)")


def watch_town(engine: Engine) -> Engine:
    """Make every transaction on ``engine`` set ``machi.town`` from :data:`CURRENT_TOWN`."""
    if not event.contains(engine, "begin", _set_town_on_begin):
        event.listen(engine, "begin", _set_town_on_begin)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str, pool_size: int = 10) -> Engine:
    """Return one pooled engine per database URL.

    Args:
        url: SQLAlchemy URL, ``postgresql+psycopg://...``.
        pool_size: connections kept open.
    """
    connect_args: dict[str, object] = {"connect_timeout": 3}
    if "options" not in make_url(url).query:
        connect_args["options"] = SESSION_OPTIONS
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args=connect_args,
    )
    return watch_town(engine)


def libpq_conninfo(url: str) -> str:
    """The libpq connection string that SQLAlchemy's psycopg dialect would connect with.

    For the connections made without SQLAlchemy (the webhook's async pool, ``pg_dump``): a
    multi-host URL (``?host=a:5432&host=b:5432&target_session_attrs=read-write``, the form
    SQLAlchemy documents) becomes ``host=a,b port=5432,5432 ...``, which libpq understands,
    where rendering the URL back would hand libpq ``a:5432`` as a host name.

    Args:
        url: SQLAlchemy URL, ``postgresql+psycopg://...``.
    """
    # The dialect's own translation, so both kinds of connection agree (SQLAlchemy leaves
    # these two untyped).
    dialect = PGDialect_psycopg()  # type: ignore[no-untyped-call]
    _, params = dialect.create_connect_args(make_url(url))  # type: ignore[no-untyped-call]
    return make_conninfo("", **{k: v for k, v in params.items() if isinstance(v, str | int)})


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
