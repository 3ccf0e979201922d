"""Helpers for the Open311 tests: a live app, issued keys, row counts, cleanup."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.api.conftest import rows_removed_afterwards
from tests.conftest import MUNICIPALITY_ID
from workflow.open311.keys import issue_key

V2 = "/open311/v2"
# Tables a refused POST must leave untouched (and the receipt counters' sum).
WRITTEN = ("report", "open311_request", "report_message", "status_history", "report_pin")


def new_key(engine: Engine, name: str | None = None) -> str:
    """Issue a key (committed) the way ``machi open311 key add`` does; return it."""
    with Session(engine) as session:
        return issue_key(session, MUNICIPALITY_ID, name or f"test-{secrets.token_hex(4)}").key


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in WRITTEN
        }
        counts["receipts"] = int(
            conn.execute(
                text("SELECT coalesce(sum(last_value), 0) FROM receipt_counter")
            ).scalar_one()
        )
    return counts


def report_id_of(engine: Engine, receipt_no: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM report WHERE receipt_no = :no"), {"no": receipt_no}
            ).scalar_one()
        )


@contextmanager
def open311_rows_removed_afterwards(engine: Engine) -> Iterator[None]:
    """``rows_removed_afterwards`` plus the keys issued in the block."""
    with engine.connect() as conn:
        last = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM open311_key")).scalar_one())
    try:
        with rows_removed_afterwards(engine):
            yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM open311_request"))
            conn.execute(text("DELETE FROM open311_key WHERE id > :last"), {"last": last})
