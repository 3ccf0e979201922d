"""The project-local PostgreSQL cluster under ``./var/pg`` used when no database URL is given.

PostgreSQL refuses to run as root, so when invoked as root every server command runs as the
``postgres`` system user (created by Debian's postgresql package).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from machi.settings import DEV_APP_ROLE, LOCAL_PG_PORT, PROJECT_ROOT

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class LocalDbError(RuntimeError):
    """The local cluster could not be created or started."""


@dataclass(frozen=True)
class LocalCluster:
    root: Path = PROJECT_ROOT / "var" / "pg"
    port: int = LOCAL_PG_PORT

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"


def _as_db_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_db_user(cmd), check=check, capture_output=True, text=True)


def _prepare_dirs(cluster: LocalCluster) -> None:
    for path in (cluster.root, cluster.socket_dir):
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
            path.chmod(0o755)


def _initdb(cluster: LocalCluster) -> None:
    if (cluster.data_dir / "PG_VERSION").exists():
        return
    _prepare_dirs(cluster)
    _run(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(cluster.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
    )


def is_running(cluster: LocalCluster) -> bool:
    """Return True when the cluster accepts connections on its port."""
    proc = subprocess.run(
        [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(cluster.port), "-q"],
        check=False,
    )
    return proc.returncode == 0


def _start(cluster: LocalCluster) -> None:
    options = (
        f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1 "
        "-c max_connections=200 -c shared_buffers=256MB"
    )
    if os.environ.get("MACHI_PG_FAST") == "1":  # throwaway CI clusters: durability not needed
        options += " -c fsync=off -c synchronous_commit=off"
    _prepare_dirs(cluster)
    cmd = [str(PG_BIN / "pg_ctl"), "-D", str(cluster.data_dir), "-l", str(cluster.log_file)]
    proc = _run([*cmd, "-o", options, "-w", "-t", "60", "start"], check=False)
    if proc.returncode != 0:
        log = cluster.log_file
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise LocalDbError(f"pg_ctl start failed: {proc.stderr.strip()}\n{tail}")


def _psql(cluster: LocalCluster, sql: str) -> str:
    proc = _run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        ]
    )
    return proc.stdout.strip()


def _ensure_role_and_db(cluster: LocalCluster) -> None:
    if _psql(cluster, "SELECT 1 FROM pg_roles WHERE rolname = 'machi'") != "1":
        _psql(cluster, "CREATE ROLE machi LOGIN SUPERUSER")
    # The app's role: owns nothing, held by row-level security (granted by migration 0009).
    if _psql(cluster, f"SELECT 1 FROM pg_roles WHERE rolname = '{DEV_APP_ROLE}'") != "1":
        _psql(cluster, f"CREATE ROLE {DEV_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
    if _psql(cluster, "SELECT 1 FROM pg_database WHERE datname = 'machi'") != "1":
        _psql(cluster, "CREATE DATABASE machi OWNER machi")


def up(cluster: LocalCluster | None = None) -> LocalCluster:
    """Create (first time) and start the local cluster; ensure roles, database ``machi``.

    Roles: ``machi`` (superuser, owns the database: migrations, admin commands) and
    ``machi_app`` (the app: owns nothing, does not bypass row-level security).
    """
    cluster = cluster or LocalCluster()
    if not PG_BIN.exists():
        raise LocalDbError(f"{PG_BIN} missing: install postgresql-15 (make setup does)")
    _initdb(cluster)
    if not is_running(cluster):
        _start(cluster)
        for _ in range(50):
            if is_running(cluster):
                break
            time.sleep(0.2)
    _ensure_role_and_db(cluster)
    return cluster


def down(cluster: LocalCluster | None = None) -> None:
    """Stop the local cluster if it runs."""
    cluster = cluster or LocalCluster()
    if (cluster.data_dir / "PG_VERSION").exists() and is_running(cluster):
        _run([str(PG_BIN / "pg_ctl"), "-D", str(cluster.data_dir), "-m", "fast", "-w", "stop"])


def restart(cluster: LocalCluster) -> None:
    """Restart a running cluster (fast shutdown: sessions are cut) and wait until it answers."""
    # -l: without a log file the new postmaster would inherit our captured stdout, and waiting
    # for that pipe to close would wait for the server to stop.
    cmd = [str(PG_BIN / "pg_ctl"), "-D", str(cluster.data_dir), "-l", str(cluster.log_file)]
    _run([*cmd, "-m", "fast", "-w", "-t", "60", "restart"])
