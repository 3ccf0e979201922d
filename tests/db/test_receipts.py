"""Receipt numbers on the real PostgreSQL: taken at once, never shared, never held by a caller."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.conftest import MUNICIPALITY_ID
from workflow.reports.receipts import next_receipt_no

YEAR = 2031  # a year of its own: no other test numbers reports in it


def _counter(engine: Engine, prefix: str) -> int:
    with engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT last_value FROM receipt_counter "
                "WHERE municipality_id = :m AND prefix = :p AND year = :y"
            ),
            {"m": MUNICIPALITY_ID, "p": prefix, "y": YEAR},
        ).scalar_one_or_none()
    return int(value or 0)


def test_an_open_transaction_does_not_hold_the_next_number_back(engine: Engine) -> None:
    """Before, the counter row stayed locked until the numbering caller committed."""
    with Session(engine) as holder, Session(engine) as other, ThreadPoolExecutor(1) as pool:
        first = next_receipt_no(holder, MUNICIPALITY_ID, "disaster", YEAR)
        holder.execute(text("SELECT 1"))  # the holder's transaction is open and stays so
        second = pool.submit(next_receipt_no, other, MUNICIPALITY_ID, "disaster", YEAR)
        try:
            number = second.result(timeout=5)  # blocked until the holder ended, before
        finally:
            holder.rollback()
    assert int(number.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert _counter(engine, "D") == int(number.rsplit("-", 1)[1])  # the rollback left a gap


def test_many_threads_never_share_a_number(engine: Engine) -> None:
    def take(_: int) -> str:
        with Session(engine) as session:
            return next_receipt_no(session, MUNICIPALITY_ID, "other", YEAR)

    before = _counter(engine, "O")
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(take, range(200)))
    assert len(set(numbers)) == 200
    assert sorted(numbers) == [f"O-{YEAR}-{n:06d}" for n in range(before + 1, before + 201)]
    assert _counter(engine, "O") == before + 200
