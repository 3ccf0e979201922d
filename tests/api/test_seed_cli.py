"""`machi demo seed-reports N` as an operator runs it: commits in batches, adds exactly N."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from machi.settings import PROJECT_ROOT
from tests.conftest import create_database, drop_database, migrate
from workflow.db import session_scope
from workflow.demo.town import load_demo_town


@pytest.mark.slow
def test_seed_reports_adds_n_reports_in_batched_transactions() -> None:
    name = f"machi_seedcli_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        migrate(url)
        engine = create_engine(url)
        with session_scope(engine) as session:
            load_demo_town(session)
        env = {**os.environ, "MACHI_OWNER_DATABASE_URL": url, "MACHI_ENV": "test"}
        command = [sys.executable, "-m", "machi", "demo", "seed-reports", "250", "--batch", "100"]
        done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "created 250 reports" in done.stdout
        with engine.connect() as conn:
            reports, transactions = conn.execute(
                text(  # bookings sit in savepoints (xids of their own); the rest carry the batch's
                    "SELECT count(*), count(DISTINCT xmin::text) FILTER (WHERE kind <> 'bulky') "
                    "FROM report"
                )
            ).one()
            overbooked = conn.execute(
                text("SELECT count(*) FROM collection_day WHERE booked > capacity")
            ).scalar_one()
        engine.dispose()
        assert (reports, overbooked) == (250, 0)
        assert transactions == 3  # 100 + 100 + 50, each batch committed on its own
    finally:
        drop_database(name)
