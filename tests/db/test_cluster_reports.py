"""``machi db cluster-reports``: the report table rewritten in the order of its town GiST index."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from geo.maintenance import REPORT_INDEX, cluster_reports

pytestmark = pytest.mark.db


def test_cluster_reports_orders_the_table_by_its_spatial_index(engine: Engine) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM report")).scalar_one()
    result = cluster_reports(engine)
    assert result.rows == before
    with engine.connect() as conn:
        clustered = conn.execute(
            text(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'report'::regclass AND x.indisclustered"
            )
        ).scalar_one()
    assert clustered == REPORT_INDEX


def test_cluster_reports_gives_up_on_a_busy_table(engine: Engine) -> None:
    """It does not queue behind a transaction holding the table beyond its lock timeout."""
    from sqlalchemy.exc import OperationalError

    with engine.connect() as holder, holder.begin():
        holder.execute(text("LOCK TABLE report IN ROW EXCLUSIVE MODE"))
        with pytest.raises(OperationalError, match="lock timeout"):
            cluster_reports(engine, lock_timeout_s=0.2)
