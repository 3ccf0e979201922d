"""What a town costs (``bench.platform_scale``): database bytes and rows, CPU of app and DB.

Bytes per town: each table's total size (heap, indexes, TOAST) shared out by the town's
share of its rows, summed over the tables a town fills. CPU: user + system seconds from
``/proc`` of the uvicorn processes (the server and its workers) and of the PostgreSQL
backends serving the bench database (their process title names it), so other databases on
the same server are not counted.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from bench.platform_sql import TOWN_TABLES
from bench.platform_towns import TownSpec

_CLOCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class TownCost:
    """One town's share of the database."""

    town: TownSpec
    rows: int
    bytes: float


def table_sizes(conn: Connection) -> dict[str, int]:
    """Total bytes (heap, indexes, TOAST) of each table a town fills."""
    sql = text("SELECT CAST(:t AS text), pg_total_relation_size(CAST(:t AS regclass))")
    return {t: int(conn.execute(sql, {"t": t}).one()[1]) for t in TOWN_TABLES}


def town_costs(
    conn: Connection, towns: Sequence[TownSpec], sizes: dict[str, int]
) -> list[TownCost]:
    """Rows and bytes of every town, in the order of ``towns`` (``sizes``: table_sizes)."""
    rows: dict[int, int] = defaultdict(int)
    shares: dict[int, float] = defaultdict(float)
    for table, size in sizes.items():
        column = "id" if table == "municipality" else "municipality_id"
        found = conn.execute(text(f"SELECT {column}, count(*) FROM {table} GROUP BY 1"))
        counts: dict[int, int] = {int(town): int(n) for town, n in found.tuples()}
        total = sum(counts.values()) or 1
        for town_id, n in counts.items():
            rows[town_id] += n
            shares[town_id] += size * n / total
    return [TownCost(t, rows[t.id], shares[t.id]) for t in towns]


def database_bytes(conn: Connection) -> int:
    return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(p) for p in found]


def app_pids(server_pid: int) -> list[int]:
    """The uvicorn server and its worker processes."""
    return [server_pid, *_children(server_pid)]


def backend_pids(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (``postgres: user db host(port) ...``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent by the app's processes and by the bench database's backends."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.database = database
        self._start: dict[int, float] = {}

    def _sample(self) -> dict[int, float]:
        pids = [*app_pids(self.server_pid), *(-p for p in backend_pids(self.database))]
        return {p: _cpu_s(abs(p)) for p in pids}

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> tuple[float, float]:
        """(app seconds, database seconds) since :meth:`start`."""
        now = self._sample()
        spent = {p: now[p] - self._start.get(p, 0.0) for p in now}
        app = sum(v for p, v in spent.items() if p > 0)
        return app, sum(v for p, v in spent.items() if p < 0)
