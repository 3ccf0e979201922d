"""Row-level security as the app role: one town's rows only, and only while a town is set.

The app role (``app_database_url``) connects for real where committed data is enough; where a
second town is needed it is a copy of the demo town made as the owner inside a transaction
that is rolled back, and the same transaction acts as the app role (``SET LOCAL ROLE``), so
nothing of town B is ever visible to other tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tests.conftest import MUNICIPALITY_ID
from tests.support.towns import copy_town, tenant_tables
from workflow.db import town_scope, watch_town
from workflow.demo.seed import seed_reports

pytestmark = pytest.mark.db

TOWN_A = MUNICIPALITY_ID
TOWN_B = 99901
_SET_TOWN = text("SELECT set_config('machi.town', :t, true)")


@pytest.fixture(scope="module")
def app_engine(app_database_url: str) -> Iterator[Engine]:
    """The app role's engine, setting ``machi.town`` from ``town_scope`` as the app's does."""
    eng = watch_town(create_engine(app_database_url, poolclass=NullPool))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app_role(app_database_url: str) -> str:
    role = make_url(app_database_url).username
    assert role
    return role


@pytest.fixture()
def two_towns(engine: Engine) -> Iterator[Connection]:
    """The owner's connection in a transaction holding town B, a copy of the demo town.

    Some reports and bookings are seeded first, so that most kinds of rows exist in both.
    """
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                seed_reports(session, TOWN_A, 60, seed=17)
                session.commit()  # releases its savepoint; the outer transaction goes on
            copy_town(conn, TOWN_A, TOWN_B)
            yield conn
        finally:
            outer.rollback()


def act_as(conn: Connection, role: str, town: int | None) -> None:
    """From here on in this transaction: the app role, acting for ``town`` (None: no town)."""
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    conn.execute(_SET_TOWN, {"t": "" if town is None else str(town)})


def _counts(conn: Connection, town: int) -> dict[str, int]:
    return {
        table: int(
            conn.execute(
                text(f'SELECT count(*) FROM "{table}" WHERE municipality_id = :t'), {"t": town}
            ).scalar_one()
        )
        for table in tenant_tables(conn)
    }


def test_without_a_town_the_app_role_sees_no_tenant_row(app_engine: Engine, engine: Engine) -> None:
    with engine.connect() as owner:
        tables = tenant_tables(owner)
        assert sum(_counts(owner, TOWN_A).values()) > 0
    with town_scope(None), app_engine.connect() as conn:
        seen = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
        towns = conn.execute(text("SELECT count(*) FROM municipality")).scalar_one()
    assert {t: n for t, n in seen.items() if n} == {}
    assert towns >= 1  # the registry stays readable: a request finds its town before it is set


def test_town_scope_sets_the_town_of_every_transaction(app_engine: Engine, engine: Engine) -> None:
    with engine.connect() as owner:
        expected = _counts(owner, TOWN_A)
    with town_scope(TOWN_A), app_engine.connect() as conn:
        for table in ("category", "district", "road_edge", "staff_user"):
            seen = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            assert seen == expected[table] > 0, table
        conn.commit()  # a new transaction: the town is set again
        assert conn.execute(text("SELECT count(*) FROM district")).scalar_one() > 0
    with town_scope(TOWN_B), app_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM district")).scalar_one() == 0


def test_a_query_without_a_town_filter_sees_only_the_towns_rows(
    two_towns: Connection, app_role: str
) -> None:
    counts = {town: _counts(two_towns, town) for town in (TOWN_A, TOWN_B)}
    assert counts[TOWN_A] == counts[TOWN_B]
    assert sum(1 for n in counts[TOWN_A].values() if n) >= 18  # most kinds of rows exist twice
    for town in (TOWN_A, TOWN_B):
        act_as(two_towns, app_role, town)
        for table, expected in counts[town].items():
            seen, foreign = two_towns.execute(
                text(
                    f'SELECT count(*), count(*) FILTER (WHERE municipality_id <> :t) FROM "{table}"'
                ),
                {"t": town},
            ).one()
            assert (seen, foreign) == (expected, 0), table


def _refused(conn: Connection, sql: str, params: dict[str, object]) -> str:
    """Run ``sql`` in a savepoint that must fail; the error's text."""
    with pytest.raises(DBAPIError) as info, conn.begin_nested():
        conn.execute(text(sql), params)
    return str(info.value.orig)


def _rows(conn: Connection, sql: str, params: dict[str, object]) -> int:
    with conn.begin_nested():
        return conn.execute(text(sql), params).rowcount


def test_writing_a_row_of_another_town_is_refused(two_towns: Connection, app_role: str) -> None:
    insert = "INSERT INTO department (municipality_id, code, name) VALUES (:m, 'rls', 'RLS')"
    act_as(two_towns, app_role, TOWN_A)
    assert _rows(two_towns, insert, {"m": TOWN_A}) == 1  # the town's own row: granted
    assert "row-level security" in _refused(two_towns, insert, {"m": TOWN_B})
    moved = "UPDATE department SET municipality_id = :b WHERE municipality_id = :a"
    assert "row-level security" in _refused(two_towns, moved, {"a": TOWN_A, "b": TOWN_B})
    other: dict[str, object] = {"b": TOWN_B}
    rename = "UPDATE department SET name = 'x' WHERE municipality_id = :b"
    assert _rows(two_towns, rename, other) == 0  # invisible rows: nothing to update or delete
    assert _rows(two_towns, "DELETE FROM report_pin WHERE municipality_id = :b", other) == 0
    act_as(two_towns, app_role, None)
    assert "row-level security" in _refused(two_towns, insert, {"m": TOWN_A})


def test_the_app_role_updates_only_its_own_municipality_row(
    two_towns: Connection, app_role: str
) -> None:
    act_as(two_towns, app_role, TOWN_A)
    ids = set(two_towns.execute(text("SELECT id FROM municipality")).scalars())
    assert {TOWN_A, TOWN_B} <= ids  # the registry is public
    toggle = "UPDATE municipality SET disaster_mode = NOT disaster_mode WHERE id = :m"
    assert _rows(two_towns, toggle, {"m": TOWN_B}) == 0
    assert _rows(two_towns, toggle, {"m": TOWN_A}) == 1
    renumber = "UPDATE municipality SET id = :new WHERE id = :m"
    assert "row-level security" in _refused(two_towns, renumber, {"new": 99902, "m": TOWN_A})
    denied = "permission denied"
    assert denied in _refused(two_towns, "DELETE FROM municipality WHERE id = :m", {"m": TOWN_A})
    insert = "INSERT INTO municipality SELECT * FROM municipality WHERE id = :m"
    assert denied in _refused(two_towns, insert, {"m": TOWN_A})


def test_the_policy_lets_the_planner_use_the_tenant_indexes(app_engine: Engine) -> None:
    """``current_setting`` is STABLE: the policy is an index condition, not a filter."""
    queries = (
        "SELECT id FROM report WHERE receipt_no = 'X'",
        "SELECT count(*) FROM report WHERE status = ANY(ARRAY['received', 'in_progress'])",
        "SELECT count(*) FROM booking WHERE service_date = current_date",
    )
    with town_scope(TOWN_A), app_engine.connect() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny test tables: force the choice
        for sql in queries:
            plan = "\n".join(conn.execute(text(f"EXPLAIN {sql}")).scalars())
            assert "Seq Scan" not in plan, plan
            conditions = [line for line in plan.splitlines() if "Index Cond" in line]
            assert any("(municipality_id = (NULLIF(current_setting('machi.town'" in c
                       for c in conditions), plan  # fmt: skip
