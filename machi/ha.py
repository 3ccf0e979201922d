"""``machi db ha up|down|status``: a pg_auto_failover formation on this machine, to try failover.

A monitor (127.0.0.1:55432) and two data nodes (``node1`` on 55433, ``node2`` on 55434), each a
``pg_autoctl run`` in the background with its data directory and log under ``./var/ha``. The
first node starts as the primary; the second joins as its synchronous standby (pg_auto_failover
sets ``synchronous_standby_names`` on the primary while the standby is healthy). The app then
connects with the multi-host URLs of :meth:`Formation.database_url` (as ``machi_app``, held
by row-level security; ``machi``, the owner, for migrations and admin commands): libpq tries
each host and keeps the one that accepts writes, so after a failover new connections reach
the new primary.

Loopback only, ``trust`` authentication and no TLS: a demo, not a production setup (README,
"High availability"). As root, every pg_autoctl command runs as the ``postgres`` system user
(PostgreSQL refuses root), with its configuration and state kept under ``./var/ha`` too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from machi.localdb import PG_BIN
from machi.settings import DEV_APP_ROLE, PROJECT_ROOT

PG_AUTOCTL = "pg_autoctl"
NODES = ("node1", "node2")
START_TIMEOUT_S = 120.0


class HaError(RuntimeError):
    """The formation could not be created, started or reached."""


@dataclass(frozen=True)
class NodeState:
    """One data node as the monitor sees it (``pg_autoctl show state``)."""

    name: str
    port: int
    current: str
    assigned: str

    @property
    def settled(self) -> bool:
        return self.current == self.assigned


@dataclass(frozen=True)
class Formation:
    root: Path = PROJECT_ROOT / "var" / "ha"
    monitor_port: int = 55432
    node_ports: tuple[int, int] = (55433, 55434)

    def pgdata(self, name: str) -> Path:
        return self.root / name

    def log_file(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        """``pg_autoctl run``'s pid file (under ``XDG_RUNTIME_DIR``, by data directory)."""
        return Path(f"{self.root / 'run'}/pg_autoctl{self.pgdata(name)}/pg_autoctl.pid")

    def port_of(self, name: str) -> int:
        return self.monitor_port if name == "monitor" else self.node_ports[NODES.index(name)]

    @property
    def owner_url(self) -> str:
        return self.database_url("machi")

    def app_env(self) -> dict[str, str]:
        """``MACHI_DATABASE_URL`` and ``MACHI_OWNER_DATABASE_URL`` of the formation."""
        return {
            "MACHI_DATABASE_URL": self.database_url(),
            "MACHI_OWNER_DATABASE_URL": self.owner_url,
        }

    @property
    def monitor_uri(self) -> str:
        return f"postgres://autoctl_node@127.0.0.1:{self.monitor_port}/pg_auto_failover"

    def database_url(self, user: str = DEV_APP_ROLE) -> str:
        """The SQLAlchemy URL of ``user`` (default the app's role): only a node taking writes."""
        hosts = "&".join(f"host=127.0.0.1:{port}" for port in self.node_ports)
        return f"postgresql+psycopg://{user}@/machi?{hosts}&target_session_attrs=read-write"

    def conninfo(self, user: str = "postgres") -> str:
        """The same as a libpq connection string (for psql)."""
        ports = ",".join(str(port) for port in self.node_ports)
        return (
            f"host={','.join('127.0.0.1' for _ in self.node_ports)} port={ports} "
            f"user={user} dbname=machi target_session_attrs=read-write"
        )


def _env(formation: Formation) -> list[str]:
    root = formation.root
    return [
        f"HOME={root}",
        f"XDG_CONFIG_HOME={root / 'config'}",
        f"XDG_DATA_HOME={root / 'share'}",
        f"XDG_RUNTIME_DIR={root / 'run'}",
    ]


def _command(formation: Formation, cmd: list[str]) -> list[str]:
    """``cmd`` with the formation's environment, as ``postgres`` when we are root."""
    full = ["env", *_env(formation), *cmd]
    return ["runuser", "-u", "postgres", "--", *full] if os.geteuid() == 0 else full


def autoctl(formation: Formation, *args: str) -> str:
    """Run ``pg_autoctl ARGS`` for the formation; its standard output, or :class:`HaError`."""
    done = subprocess.run(
        _command(formation, [PG_AUTOCTL, *args]), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise HaError(f"pg_autoctl {args[0]} {args[1]}: {done.stderr.strip()[-1500:]}")
    return done.stdout


def _prepare(formation: Formation) -> None:
    if shutil.which(PG_AUTOCTL) is None:
        raise HaError("pg_autoctl missing: apt-get install postgresql-15-auto-failover")
    for path in (formation.root, formation.root / "run"):
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
    (formation.root / "run").chmod(0o700)


def _create(formation: Formation, name: str) -> None:
    """``pg_autoctl create`` the monitor or a node, once (a data directory means done)."""
    pgdata = formation.pgdata(name)
    if (pgdata / "PG_VERSION").exists():
        return
    common = [
        f"--pgdata={pgdata}", f"--pgport={formation.port_of(name)}", "--hostname=127.0.0.1",
        "--listen=127.0.0.1", "--auth=trust", "--no-ssl", f"--pgctl={PG_BIN / 'pg_ctl'}",
    ]  # fmt: skip
    if name == "monitor":
        autoctl(formation, "create", "monitor", *common)
        return
    node = [f"--name={name}", "--pghost=127.0.0.1", "--dbname=machi"]
    autoctl(formation, "create", "postgres", *common, *node, f"--monitor={formation.monitor_uri}")


def running_pid(formation: Formation, name: str) -> int | None:
    """The pid of the node's ``pg_autoctl run``, or None when it does not run."""
    try:
        pid = int(formation.pid_file(name).read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if b"pg_autoctl" in cmdline else None


def start(formation: Formation, name: str) -> None:
    """Start ``pg_autoctl run`` of the monitor or a node in the background, unless it runs.

    ``setsid --fork``: in a session of its own, whose process group holds that pg_autoctl and
    its PostgreSQL, and not our child (nothing of ours has to wait for it).
    """
    if running_pid(formation, name) is not None:
        return
    cmd = _command(formation, [PG_AUTOCTL, "run", f"--pgdata={formation.pgdata(name)}"])
    with formation.log_file(name).open("ab") as log:
        subprocess.run(
            ["setsid", "--fork", *cmd], stdin=subprocess.DEVNULL, stdout=log, stderr=log, check=True
        )


def node_states(formation: Formation) -> list[NodeState]:
    """The data nodes as the monitor sees them (empty when none is registered yet)."""
    out = autoctl(formation, "show", "state", "--json", f"--pgdata={formation.pgdata('monitor')}")
    rows: list[dict[str, Any]] = json.loads(out) if out.strip() else []
    return [
        NodeState(
            str(row["nodename"]),
            int(row["nodeport"]),
            str(row["current_group_state"]),
            str(row["assigned_group_state"]),
        )
        for row in rows
    ]


def _wait_for(formation: Formation, wanted: set[str], what: str) -> list[NodeState]:
    """Wait until the settled states of the data nodes are exactly ``wanted``."""
    deadline = time.monotonic() + START_TIMEOUT_S
    states: list[NodeState] = []
    while time.monotonic() < deadline:
        try:
            states = node_states(formation)
        except HaError:  # the monitor is still starting
            states = []
        if {s.current for s in states if s.settled} == wanted and len(states) == len(wanted):
            return states
        time.sleep(1.0)
    raise HaError(f"no {what} after {START_TIMEOUT_S:.0f} s: {states}")


def _psql(formation: Formation, sql: str) -> str:
    cmd = [str(PG_BIN / "psql"), formation.conninfo(), "-v", "ON_ERROR_STOP=1", "-Atc", sql]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise HaError(f"psql on the primary: {done.stderr.strip()}")
    return done.stdout.strip()


def _prepare_database(formation: Formation) -> None:
    """Roles as ``machi.localdb`` makes them, then migrate and load the demo towns.

    ``machi`` (superuser) owns database ``machi``, which pg_autoctl created; ``machi_app`` is
    the app's role, held by row-level security (migration 0009 grants it).
    """
    if _psql(formation, "SELECT 1 FROM pg_roles WHERE rolname = 'machi'") != "1":
        _psql(formation, "CREATE ROLE machi LOGIN SUPERUSER")
    if _psql(formation, f"SELECT 1 FROM pg_roles WHERE rolname = '{DEV_APP_ROLE}'") != "1":
        _psql(formation, f"CREATE ROLE {DEV_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
    _psql(formation, "ALTER DATABASE machi OWNER TO machi")
    env = {**os.environ, **formation.app_env()}
    for command in (["migrate"], ["demo", "load"]):
        done = subprocess.run(
            [sys.executable, "-m", "machi", *command], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise HaError(f"machi {' '.join(command)}: {done.stderr.strip()[-1500:]}")


def up(formation: Formation | None = None) -> Formation:
    """Create (first time) and start the monitor and both nodes; wait for primary + standby."""
    formation = formation or Formation()
    _prepare(formation)
    _create(formation, "monitor")
    start(formation, "monitor")
    first, second = NODES
    if not (formation.pgdata(second) / "PG_VERSION").exists():
        _create(formation, first)
        start(formation, first)
        _wait_for(formation, {"single"}, "single primary")
        _create(formation, second)
    for name in NODES:
        start(formation, name)
    _wait_for(formation, {"primary", "secondary"}, "primary and secondary")
    _prepare_database(formation)
    return formation


def _stop(formation: Formation, name: str) -> None:
    pid = running_pid(formation, name)
    if pid is None:
        return
    try:
        autoctl(formation, "stop", f"--pgdata={formation.pgdata(name)}")
    except HaError:
        os.kill(pid, signal.SIGTERM)  # ours: the pid file of our own data directory
    deadline = time.monotonic() + 60
    while running_pid(formation, name) is not None and time.monotonic() < deadline:
        time.sleep(0.3)


def down(formation: Formation | None = None) -> None:
    """Stop both nodes, then the monitor (the data stays for the next ``up``)."""
    formation = formation or Formation()
    for name in (*NODES, "monitor"):
        _stop(formation, name)
