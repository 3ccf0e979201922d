"""The scratch database and the server of ``bench.platform_scale``.

The database is created, migrated and loaded as the owner; the server connects as the app
role, which row-level security holds to the town of each request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from argon2 import PasswordHasher
from sqlalchemy import create_engine, make_url

from bench.platform_towns import PASSWORD, TownSpec, load_towns
from machi.settings import PROJECT_ROOT
from workflow.towns.secrets import DataKey

DATA_KEY = "bench-platform-data-key"  # seals the bench towns' LINE secrets (MACHI_DATA_KEY)


def cheap_hash(password: str) -> str:
    """An argon2id hash that verifies in about a millisecond.

    The app reads the parameters from the hash; signing in hundreds of town administrators
    is not what this bench measures.
    """
    return str(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password))


@dataclass(frozen=True)
class Urls:
    owner: str  # migrations and loading
    app: str  # the server

    def drop(self) -> None:
        from tests.conftest import drop_database

        database = make_url(self.owner).database
        assert database is not None
        drop_database(database)


def urls_for(server: str, name: str) -> Urls:
    """The owner's and the app role's URLs of database ``name`` on ``server``."""
    from tests.conftest import app_url

    owner = make_url(server).set(database=name).render_as_string(hide_password=False)
    return Urls(owner, app_url(name))


def load_database(
    server: str, name: str, towns: Sequence[TownSpec], reuse: bool
) -> tuple[Urls, float | None]:
    """The scratch database ``name`` with ``towns`` loaded (or as it is, with ``reuse``).

    Returns:
        Its URLs, and the seconds the load took (None when reused).
    """
    from tests.conftest import create_database, drop_database, migrate

    urls = urls_for(server, name)
    if reuse:
        return urls, None
    drop_database(name)
    create_database(name)
    migrate(urls.owner)
    engine = create_engine(urls.owner)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with engine.begin() as conn:
        key = DataKey(DATA_KEY)
        load_towns(conn, towns, cheap_hash(PASSWORD), timings=timings, data_key=key)
    elapsed = time.perf_counter() - started
    engine.dispose()
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(f"loaded {len(towns)} towns in {elapsed:.1f} s ({steps})")
    return urls, elapsed


def wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    """Wait for ``/healthz`` to answer 200; exit the bench if the server dies or never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited early")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not come up in {seconds:.0f} s")


@contextmanager
def serve(urls: Urls, port: int, workers: int) -> Iterator[tuple[str, int]]:
    """The real app in a uvicorn subprocess, as the app role; yields (base URL, its pid)."""
    env = {
        **os.environ,
        "MACHI_ENV": "test",
        "MACHI_DATABASE_URL": urls.app,
        "MACHI_OWNER_DATABASE_URL": urls.owner,
        "MACHI_DATA_KEY": DATA_KEY,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host",
        "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
