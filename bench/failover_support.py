"""Plumbing of ``bench.failover``: the app and worker processes, the formation's states, counts."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench.platform_serve import wait_until_up
from geo.db import get_engine
from machi import ha
from machi.settings import PROJECT_ROOT, Settings
from workflow.towns.access import channel_of

WRITABLE = ("wait_primary", "primary")  # a promoted node accepts writes from wait_primary on


@contextmanager
def app_and_worker(env: dict[str, str], logs: Path) -> Iterator[str]:
    """Uvicorn (one process, as ``bench.webhook_load``) and ``machi worker``; yields the app URL."""
    port = _free_port()
    full = {**os.environ, **env}
    server = [
        sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    worker = [sys.executable, "-m", "machi", "worker"]
    with (
        (logs / "bench-app.log").open("wb") as app_log,
        (logs / "bench-worker.log").open("wb") as worker_log,
    ):
        procs = [
            subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=full, stdout=log, stderr=log)
            for cmd, log in ((server, app_log), (worker, worker_log))
        ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, procs[0], seconds=60)  # its log: var/ha/bench-app.log
        yield base
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def primary(formation: ha.Formation) -> ha.NodeState:
    """The settled primary (the bench starts only from a healthy formation)."""
    states = ha.node_states(formation)
    found = [s for s in states if s.current == s.assigned == "primary"]
    standbys = [s for s in states if s.current == s.assigned == "secondary"]
    if len(found) != 1 or not standbys:
        raise SystemExit(f"need a primary and a secondary (machi db ha up): {states}")
    return found[0]


def kill_primary(formation: ha.Formation, node: ha.NodeState, *, whole: bool) -> str:
    """SIGKILL the node's postmaster (pid from its data directory's ``postmaster.pid``).

    With ``whole``, its ``pg_autoctl run`` dies first, with everything in its process group
    (``machi.ha.start`` gives it one): the server is lost, nothing restarts PostgreSQL in place.
    Without, pg_autoctl restarts PostgreSQL at once, and unless the monitor's health check
    saw it down meanwhile, the node stays primary (no failover). Returns what was killed.
    """
    postmaster = int((formation.pgdata(node.name) / "postmaster.pid").read_text().split()[0])
    killed = f"postmaster {postmaster}"
    keeper = ha.running_pid(formation, node.name)
    if whole and keeper is not None and os.getpgid(keeper) != os.getpgrp():
        group = os.getpgid(keeper)  # ours: started by machi.ha.start in its own session
        os.killpg(group, signal.SIGKILL)
        killed = f"pg_autoctl (process group {group}) and {killed}"
    with suppress(ProcessLookupError):  # already gone with its process group
        os.kill(postmaster, signal.SIGKILL)
    return killed


def writable(formation: ha.Formation) -> ha.NodeState | None:
    """The node that accepts writes now, if one does."""
    states = ha.node_states(formation)
    return next((s for s in states if s.settled and s.current in WRITABLE), None)


@dataclass
class PromotionWatch:
    """Polls ``pg_autoctl show state`` in a thread until another node than ``old`` is writable."""

    formation: ha.Formation
    old: str
    promoted: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> PromotionWatch:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()

    def _run(self) -> None:
        while self.promoted is None and not self._stop.wait(0.5):
            try:
                states = ha.node_states(self.formation)
            except ha.HaError:
                continue
            for s in states:
                if s.name != self.old and s.current in WRITABLE:
                    self.promoted = s.name


def monitor_events(formation: ha.Formation, since: float) -> list[tuple[float, str]]:
    """The monitor's own log of state changes since ``since`` (epoch seconds), in order."""
    out = ha.autoctl(
        formation,
        "show",
        "events",
        "--count=60",
        "--json",
        f"--pgdata={formation.pgdata('monitor')}",
    )
    found = []
    for event in json.loads(out) if out.strip() else []:
        at = dt.datetime.fromisoformat(event["eventtime"]).timestamp()
        if at >= since:
            found.append((at, _describe(event)))
    return sorted(found)


def _describe(event: dict[str, Any]) -> str:
    node, text_ = event["nodename"], event["description"]
    reported, goal = event["reportedstate"], event["goalstate"]
    if "marked as" in text_:
        return f"{node} marked {'unhealthy' if 'unhealthy' in text_ else 'healthy'} by the monitor"
    if text_.startswith("New state is reported"):
        return f"{node} reports {reported}"
    return f"{node} assigned {goal} (was {reported})"


def count_in(port: int, ids: list[str]) -> tuple[bool, int, int, int]:
    """On the node at ``port`` itself: in recovery?, stored, processed, given up."""
    engine = create_engine(f"postgresql+psycopg://machi@127.0.0.1:{port}/machi", poolclass=NullPool)
    sql = text(
        "SELECT pg_is_in_recovery(), count(*), count(processed_at) FILTER (WHERE last_error IS "
        "NULL), count(*) FILTER (WHERE last_error IS NOT NULL) FROM webhook_event "
        "WHERE webhook_event_id = ANY(:ids)"
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(sql, {"ids": ids}).one()
    finally:
        engine.dispose()
    return bool(row[0]), int(row[1]), int(row[2]), int(row[3])


def stored_ids(port: int, ids: list[str]) -> set[str]:
    """Which of ``ids`` the node at ``port`` holds."""
    engine = create_engine(f"postgresql+psycopg://machi@127.0.0.1:{port}/machi", poolclass=NullPool)
    sql = text("SELECT webhook_event_id FROM webhook_event WHERE webhook_event_id = ANY(:ids)")
    try:
        with engine.connect() as conn:
            return {str(row[0]) for row in conn.execute(sql, {"ids": ids})}
    finally:
        engine.dispose()


def town_channel(formation: ha.Formation) -> tuple[str, str]:
    """The default town's LINE channel secret and access token, as the app will read them.

    ``machi demo load`` (run by ``machi db ha up``) stores the environment's channel in the
    town registry, and a stored channel wins over the environment: sign with that one.
    """
    settings = Settings(
        database_url=formation.database_url(), owner_database_url=formation.owner_url
    )
    engine = get_engine(settings.database_url)
    try:
        channel = channel_of(engine, settings.municipality_id, settings)
    finally:
        engine.dispose()
    if channel is None:
        raise SystemExit("the town has no LINE channel (machi town line, or MACHI_LINE_CHANNEL_*)")
    return channel.secret, channel.access_token
