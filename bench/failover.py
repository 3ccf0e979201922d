"""Failover under webhook load: every event answered 200 is in the new primary and processed.

Usage, after ``machi db ha up`` (as root, or as the user that owns ``var/ha``)::

    python -m bench.failover [--rate 100] [--per-request 4] [--before 5] [--after 10]

Starts the app (uvicorn, one process) and ``machi worker`` on the formation's multi-host URL
(``target_session_attrs=read-write``), with a fake LINE API for the worker's replies. Sends
signed webhooks at ``--rate`` events/s; after ``--before`` seconds SIGKILLs the primary: its
``pg_autoctl`` (with everything in its process group) and its postmaster (pid from the data
directory's ``postmaster.pid``), as when the server is lost (``--only-postmaster`` leaves
pg_autoctl alive, which restarts PostgreSQL in place, often before the monitor would fail over).
Keeps sending until ``--after`` seconds after the other node accepts writes (or ``--give-up``
seconds after the kill without a promotion), then sends once more, as LINE does, each batch not
answered 200 (``isRedelivery``). Waits for the worker and counts on the new primary itself:
events stored, processed, and the events answered 200 that are missing (must be 0). At the end
the killed node is started again and rejoins as the standby. The monitor's own log gives the
timeline. Logs: ``var/ha/bench-*.log``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.failover_support import (
    PromotionWatch,
    app_and_worker,
    count_in,
    kill_primary,
    monitor_events,
    primary,
    stored_ids,
    town_channel,
    writable,
)
from machi import ha
from tests.fakes.line_server import FakeLineServer
from tests.support.line_events import SIGNATURE_HEADER, body_of, new_user_id, sign, text_event

WRITES = ("reports wait_primary", "reports primary")  # in the monitor's log: accepts writes


@dataclass
class Batch:
    """One signed webhook request and what became of it."""

    at: float
    events: list[dict[str, Any]]
    status: int | None = None  # None: no answer (connection error or timeout)
    latency: float = 0.0  # seconds from sending to the answer (or the error)


@dataclass
class Run:
    args: argparse.Namespace
    formation: ha.Formation
    line: FakeLineServer
    secret: str  # the town's LINE channel secret, as the app reads it
    start: float = field(default_factory=time.monotonic)
    wall_start: float = field(default_factory=time.time)
    tag: str = field(default_factory=lambda: "F" + uuid.uuid4().hex[:8])
    users: list[str] = field(default_factory=lambda: [new_user_id() for _ in range(200)])
    batches: list[Batch] = field(default_factory=list)
    redelivered: list[Batch] = field(default_factory=list)
    killed: tuple[float, str, str] | None = None  # when, which node, what
    sent: int = 0

    def now(self) -> float:
        return time.monotonic() - self.start

    def new_batch(self) -> Batch:
        events: list[dict[str, Any]] = []
        for _ in range(self.args.per_request):
            user = self.users[self.sent % len(self.users)]
            event = text_event(user, "こんにちは")
            event["webhookEventId"] = f"{self.tag}-{self.sent:06d}"
            event["replyToken"] = self.line.issue_reply_token(user)
            events.append(event)
            self.sent += 1
        batch = Batch(self.now(), events)
        self.batches.append(batch)
        return batch


def ids_of(batches: list[Batch], statuses: Container[int | None] | None = None) -> list[str]:
    """The event ids of ``batches`` (answered with one of ``statuses``, when given)."""
    return [
        str(event["webhookEventId"])
        for batch in batches
        if statuses is None or batch.status in statuses
        for event in batch.events
    ]


async def _post(client: httpx.AsyncClient, url: str, batch: Batch, secret: str) -> None:
    body = body_of(batch.events)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    started = time.monotonic()
    try:
        batch.status = (await client.post(url, content=body, headers=headers)).status_code
    except httpx.HTTPError:
        batch.status = None
    batch.latency = time.monotonic() - started


async def _paced(run: Run, client: httpx.AsyncClient, url: str, batches: list[Batch]) -> None:
    """Post ``batches`` at the rate, each as it is due, without waiting for the answers."""
    interval, begun = run.args.per_request / run.args.rate, time.monotonic()
    tasks = []
    for n, batch in enumerate(batches):
        await asyncio.sleep(max(0.0, begun + n * interval - time.monotonic()))
        tasks.append(asyncio.create_task(_post(client, url, batch, run.secret)))
    await asyncio.gather(*tasks)


async def _load(run: Run, base: str, old: ha.NodeState, watch: PromotionWatch) -> None:
    """Send at the rate; kill the primary after --before s; stop --after s after promotion."""
    url, interval = f"{base}/line/webhook", run.args.per_request / run.args.rate
    tasks: list[asyncio.Task[None]] = []
    stop_at = run.args.before + run.args.give_up
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=500)) as client:
        while run.now() < stop_at:
            if run.killed is None and run.now() >= run.args.before:
                what = kill_primary(run.formation, old, whole=not run.args.only_postmaster)
                run.killed = (run.now(), old.name, f"{what} of {old.name} (the primary)")
            if watch.promoted is not None and stop_at > run.now() + run.args.after:
                stop_at = run.now() + run.args.after
            tasks.append(asyncio.create_task(_post(client, url, run.new_batch(), run.secret)))
            await asyncio.sleep(max(0.0, len(tasks) * interval - run.now()))
        await asyncio.gather(*tasks)
        again = [  # LINE redelivers what was not acknowledged
            Batch(run.now(), [{**e, "deliveryContext": {"isRedelivery": True}} for e in b.events])
            for b in run.batches
            if b.status != 200
        ]
        await _paced(run, client, url, again)
        run.redelivered = again


def _warm_up(base: str, secret: str) -> None:
    """One webhook answered 200 before the clock starts: secret cached, pools connected."""
    event = text_event(new_user_id(), "こんにちは")
    event["webhookEventId"] = "W" + uuid.uuid4().hex[:12]
    body = body_of([event])
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = httpx.post(f"{base}/line/webhook", content=body, headers=headers, timeout=30)
        if answer.status_code == 200:
            return
        time.sleep(1.0)
    raise SystemExit(f"the app does not store webhooks: {answer.status_code} {answer.text}")


def _wait_processed(port: int, ids: list[str], timeout_s: float) -> tuple[int, int, int]:
    """Wait until the worker has processed (or given up) every stored event."""
    deadline = time.monotonic() + timeout_s
    last_note = time.monotonic()
    while True:
        _, stored, processed, given_up = count_in(port, ids)
        if processed + given_up >= stored or time.monotonic() > deadline:
            return stored, processed, given_up
        if time.monotonic() - last_note > 30:
            print(f"(worker: {processed} of {stored} processed)", file=sys.stderr, flush=True)
            last_note = time.monotonic()
        time.sleep(2.0)


def _print_timeline(run: Run) -> None:
    assert run.killed is not None
    killed_at, old, what = run.killed
    lines = [(0.0, f"load starts: {run.args.rate:.0f} events/s, {run.args.per_request} a request")]
    lines.append((killed_at, f"SIGKILL {what}"))
    events = monitor_events(run.formation, run.wall_start + killed_at - 1.0)
    lines += [(at - run.wall_start, text) for at, text in events]
    writable_at = next(
        (at for at, text in lines if text.split()[0] != old and text.endswith(WRITES)), None
    )
    failed = [b.at for b in run.batches if b.at >= killed_at and b.status != 200]
    if failed:
        lines.append((failed[0], "first webhook sent after the kill not answered 200"))
        lines.append((failed[-1], "last webhook not answered 200"))
    last = run.batches[-1].at
    rate = run.sent / last if last else 0.0
    lines.append((last, f"load stops ({rate:.0f} events/s on average); then the redeliveries"))
    for at, text in sorted(lines):
        print(f"  +{at:5.1f} s  {text}")
    if writable_at is not None:
        _print_phases(run, [("before the kill", 0.0, killed_at), ("outage", killed_at, writable_at),
                            ("after", writable_at, last + 0.001)])  # fmt: skip


def _print_phases(run: Run, phases: list[tuple[str, float, float]]) -> None:
    """Per phase: events sent and at what rate, answered 200, the slowest answer."""
    for label, begin, end in phases:
        batches = [b for b in run.batches if begin <= b.at < end]
        sent, ok = len(ids_of(batches)), len(ids_of(batches, {200}))
        slowest = max((b.latency for b in batches), default=0.0)
        print(
            f"  {label + ':':<16} {sent:>5} events in {end - begin:4.1f} s "
            f"({sent / (end - begin):3.0f}/s), {ok:>5} answered 200, slowest answer {slowest:.1f} s"
        )


def _report(run: Run, node: ha.NodeState) -> bool:
    all_ids, ok_ids = ids_of(run.batches), ids_of([*run.batches, *run.redelivered], {200})
    stored, processed, given_up = _wait_processed(node.port, all_ids, run.args.drain)
    in_recovery, ok_stored, ok_processed, _ = count_in(node.port, ok_ids)
    missing = sorted(set(ok_ids) - stored_ids(node.port, ok_ids))
    role = "IN RECOVERY" if in_recovery else "primary"
    rows = [
        ("events sent", len(all_ids), ""),
        ("answered 200", len(ids_of(run.batches, {200})), ""),
        ("answered 5xx", len(ids_of(run.batches, range(500, 600))), ""),
        ("no answer (connection error)", len(ids_of(run.batches, {None})), ""),
        ("redelivered (not 200 at first)", len(ids_of(run.redelivered)),
         f"{len(ids_of(run.redelivered, {200}))} answered 200"),
        ("stored after failover", stored,
         f"in {node.name} (127.0.0.1:{node.port}, {role})"),
        ("processed by the worker", processed, f"{given_up} given up"),
        ("answered 200 in all", len(ok_ids), f"{ok_stored} stored, {ok_processed} processed"),
        ("answered 200 but missing", len(missing), ", ".join(missing[:5])),
    ]  # fmt: skip
    for label, value, note in rows:
        print(f"{label:<31}{value:>6}  {note}".rstrip())
    return not missing and ok_processed == len(ok_ids) and not in_recovery


def _settle(formation: ha.Formation, old: str) -> None:
    """Start the killed node again; wait (up to 2 minutes) until it is the standby; show it."""
    ha.start(formation, old)  # nothing to do if only its postmaster was killed
    deadline = time.monotonic() + 120
    wanted = {"primary", "secondary"}
    states = ha.node_states(formation)
    while time.monotonic() < deadline and {s.current for s in states if s.settled} != wanted:
        time.sleep(1.0)
        states = ha.node_states(formation)
    print("formation now: " + ", ".join(f"{s.name} {s.current}" for s in states))


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=100.0, help="events per second")
    parser.add_argument("--per-request", type=int, default=4, help="events per webhook")
    parser.add_argument("--before", type=float, default=5.0, help="seconds before the kill")
    parser.add_argument("--after", type=float, default=10.0, help="seconds after promotion")
    parser.add_argument("--drain", type=float, default=900.0, help="seconds for the worker")
    parser.add_argument(
        "--give-up", type=float, default=120.0, help="seconds after the kill without promotion"
    )
    parser.add_argument(
        "--only-postmaster",
        action="store_true",
        help="kill only the postmaster, not its pg_autoctl (which may restart it in place)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args, formation = _parse(argv), ha.Formation()
    old = primary(formation)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"failover bench: {os.cpu_count()} cores, load average {load}")
    print("formation: " + ", ".join(f"{s.name} {s.current}" for s in ha.node_states(formation)))
    secret, token = town_channel(formation)
    env = {
        "MACHI_ENV": "test", **formation.app_env(),
        "MACHI_LINE_CHANNEL_SECRET": secret, "MACHI_LINE_CHANNEL_ACCESS_TOKEN": token,
        "MACHI_WORKER_POLL_S": "0.2",
    }  # fmt: skip
    with FakeLineServer(token, latency_s=0.02) as line:
        env["MACHI_LINE_API_BASE"] = line.base_url
        with app_and_worker(env, formation.root) as base:
            _warm_up(base, secret)
            run = Run(args, formation, line, secret)
            with PromotionWatch(formation, old.name) as watch:
                asyncio.run(_load(run, base, old, watch))
            _print_timeline(run)
            node = writable(formation)
            ok = node is not None and _report(run, node)
            if node is None:
                print("no node accepts writes: nothing to count")
    _settle(formation, old.name)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
