"""Human receipt numbers such as ``R-2026-000042``, unique per municipality.

A number is taken in a short transaction of its own, not in the caller's: the counter row
is locked only for one statement, where it used to stay locked until the caller committed
(the report, its history, photos, the reply in the outbox, the event). In a disaster every
resident presses 「送信」 within a minute, and that lock made all event threads queue behind
the one holding it (1.35 of 1.7 busy database backends waited on it in
``bench.disaster_spike``). The price: a submission that fails after it was numbered leaves
its number unused (欠番). Two reports never share a number.

The counter's commit does not wait for its WAL flush (``synchronous_commit = off``): the
report that carries the number commits after it, and flushing the WAL up to the report's
commit flushes the counter's commit too, so a crash can only lose a number no stored report
has.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from geo.db import get_engine

PREFIX_BY_KIND = {"road": "R", "disaster": "D", "bulky": "B", "other": "O"}
# Connections of the counter's own pool per process (and as many more when busy): a number
# takes about a millisecond, so a few serve every thread of a process.
COUNTER_POOL_SIZE: Final = 2

_NEXT = text(
    "INSERT INTO receipt_counter (municipality_id, prefix, year, last_value) "
    "VALUES (:m, :p, :y, 1) ON CONFLICT (municipality_id, prefix, year) "
    "DO UPDATE SET last_value = receipt_counter.last_value + 1 RETURNING last_value"
)


def next_receipt_no(session: Session, municipality_id: int, kind: str, year: int) -> str:
    """Allocate the next receipt number for ``kind`` in ``year`` (committed at once).

    Args:
        session: the caller's session; the number is taken on the same database (and town,
            ``geo.db.town_scope``) in a transaction of its own, which commits before this
            returns.
        municipality_id: tenant.
        kind: report kind (road, disaster, bulky, other).
        year: calendar year in Asia/Tokyo.
    """
    prefix = PREFIX_BY_KIND[kind]
    with counter_engine(session).begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        value = conn.execute(_NEXT, {"m": municipality_id, "p": prefix, "y": year}).scalar_one()
    return f"{prefix}-{year}-{int(value):06d}"


def counter_engine(session: Session) -> Engine:
    """The small pooled engine on the session's database that receipt numbers are taken on."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        raise TypeError(f"a session bound to {bind!r} has no engine to number reports on")
    url = engine.url.render_as_string(hide_password=False)
    return get_engine(url, COUNTER_POOL_SIZE)
