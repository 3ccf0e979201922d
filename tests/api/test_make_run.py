"""`make run` twice on the same database leaves the same row counts."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest
from sqlalchemy import create_engine, text

from machi.settings import PROJECT_ROOT
from tests.conftest import app_url, create_database, drop_database, free_port


def _run_until_healthy(url: str, app: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MACHI_OWNER_DATABASE_URL": url,  # migrate and demo load
        "MACHI_DATABASE_URL": app,  # serve and the worker
        "MACHI_PORT": str(port),
        "MACHI_ENV": "dev",
    }
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        out = proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
        raise AssertionError(f"make run did not serve:\n{out[-3000:]}")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' "
                    "AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'"
                )
            )
            .scalars()
            .all()
        )
        counts = {
            t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables
        }
    engine.dispose()
    return counts


@pytest.mark.slow
def test_make_run_twice_leaves_the_same_row_counts() -> None:
    name = f"machi_makerun_{os.getpid()}"
    url = create_database(name)
    try:
        _run_until_healthy(url, app_url(name))
        first = _counts(url)
        _run_until_healthy(url, app_url(name))
        assert _counts(url) == first
        # both demo towns: 立川市 (79 町丁目, 5 logins) and 京丹後市 (169 地区, 5 logins)
        assert first["municipality"] == 2 and first["district"] == 79 + 169
        assert first["road_edge"] > 10515 and first["staff_user"] == 10
    finally:
        drop_database(name)
