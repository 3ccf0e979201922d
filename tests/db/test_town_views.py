"""The town views of migration 0012: the current town's rows, its columns, nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, make_url, text

from tests.conftest import MUNICIPALITY_ID, app_url

pytestmark = pytest.mark.db

APP_ROLE = make_url(app_url("x")).username
VIEWS = ("report", "category", "district", "road_edge", "evacuation_site", "facility")


def _columns(engine: Engine, relation: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "'public' AND table_name = :t ORDER BY ordinal_position"
                ),
                {"t": relation},
            ).scalars()
        )


@pytest.mark.parametrize("table", [*VIEWS, "municipality"])
def test_view_has_every_column_of_its_table(engine: Engine, table: str) -> None:
    """A migration that adds a column must recreate the view (``SELECT *`` was expanded)."""
    assert _columns(engine, f"town_{table}") == _columns(engine, table)


def _counts(engine: Engine, table: str, town: str | None, role: str | None) -> tuple[int, int]:
    """(rows in the view, rows of other towns in the view) for ``role`` acting for ``town``."""
    with engine.connect() as conn, conn.begin() as tx:
        # a row of another town, so "only its own town" has something to leave out
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, prefecture, phone, boundary) SELECT "
                "99999, '99999', '試験町', prefecture, phone, boundary FROM municipality "
                "WHERE id = :m"
            ),
            {"m": MUNICIPALITY_ID},
        )
        conn.execute(
            text(
                "INSERT INTO department (municipality_id, code, name) "
                "SELECT 99999, code, name FROM department WHERE municipality_id = :m LIMIT 1"
            ),
            {"m": MUNICIPALITY_ID},
        )
        conn.execute(
            text(
                "INSERT INTO category (municipality_id, code, name, kind, department_id) "
                "SELECT 99999, 'x', 'x', 'road', id FROM department WHERE municipality_id = 99999"
            )
        )
        if role:
            conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')
        if town:
            conn.execute(text("SELECT set_config('machi.town', :t, true)"), {"t": town})
        column = "id" if table == "municipality" else "municipality_id"
        row = conn.execute(
            text(f"SELECT count(*), count(*) FILTER (WHERE {column} <> :m) FROM town_{table}"),
            {"m": MUNICIPALITY_ID},
        ).one()
        tx.rollback()
    return int(row[0]), int(row[1])


def test_app_role_sees_its_town_only(engine: Engine) -> None:
    mine, others = _counts(engine, "category", str(MUNICIPALITY_ID), APP_ROLE)
    assert mine > 0 and others == 0
    assert _counts(engine, "municipality", str(MUNICIPALITY_ID), APP_ROLE) == (1, 0)


def test_app_role_without_a_town_sees_nothing(engine: Engine) -> None:
    assert _counts(engine, "category", None, APP_ROLE) == (0, 0)
    assert _counts(engine, "municipality", None, APP_ROLE) == (0, 0)


def test_owner_without_a_town_sees_every_town(engine: Engine) -> None:
    """Migrations, the CLI and tests run as the owner, who is not under the policies either."""
    total, others = _counts(engine, "category", None, None)
    assert others >= 1 and total > others


def test_app_role_cannot_write_through_a_view(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin() as tx:
        conn.exec_driver_sql(f'SET LOCAL ROLE "{APP_ROLE}"')
        conn.execute(text("SELECT set_config('machi.town', :t, true)"), {"t": str(MUNICIPALITY_ID)})
        with pytest.raises(Exception, match="permission denied"):
            conn.execute(text("UPDATE town_category SET name = name"))
        tx.rollback()
